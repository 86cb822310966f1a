package dev.puna.runtime;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

/**
 * Native memory of this process that the JVM does not account for itself: what llama.cpp and ggml hold.
 *
 * <p>glibc's {@code mallinfo2()} counts every malloc'd byte in the process, the JVM's own included, and the JVM
 * keeps allocating for a long time on a 2-core machine (JIT compiler arenas, code metadata, symbols). Native
 * Memory Tracking (NMT, {@code -XX:NativeMemoryTracking=summary}) reports exactly what the JVM itself malloc'd
 * and committed, so the difference is the memory of the native libraries. Requires NMT; without it every
 * reading fails rather than measuring something else.
 */
final class NativeMemory {
    private static final Pattern TOTAL = Pattern.compile("Total: reserved=(\\d+)KB, committed=(\\d+)KB");
    private static final Pattern MALLOC = Pattern.compile("malloc: (\\d+)KB");

    private NativeMemory() {
    }

    /** One reading: bytes malloc'd and bytes resident, each minus the JVM's own share. */
    record Reading(long foreignMalloc, long foreignRss) {
    }

    static Reading read() throws Throwable {
        String summary = nmtSummary();
        Matcher total = TOTAL.matcher(summary);
        Matcher malloc = MALLOC.matcher(summary);
        if (!total.find() || !malloc.find()) {
            throw new IllegalStateException("Native Memory Tracking is not on (run with "
                    + "-XX:NativeMemoryTracking=summary); it printed: " + summary.lines().findFirst().orElse(""));
        }
        long jvmCommitted = Long.parseLong(total.group(2)) << 10;
        long jvmMalloc = Long.parseLong(malloc.group(1)) << 10;
        return new Reading(mallocInUse() - jvmMalloc, rss() - jvmCommitted);
    }

    private static String nmtSummary() throws Exception {
        return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                new Object[] {new String[] {"summary"}}, new String[] {String[].class.getName()});
    }

    /** glibc mallinfo2: uordblks (in-use bytes of all arenas) + hblkhd (bytes in mmap'd blocks). */
    private static long mallocInUse() throws Throwable {
        Linker linker = Linker.nativeLinker();
        MemoryLayout mallinfo2 = MemoryLayout.sequenceLayout(10, JAVA_LONG);
        MethodHandle h = linker.downcallHandle(linker.defaultLookup().find("mallinfo2").orElseThrow(),
                FunctionDescriptor.of(MemoryLayout.structLayout(mallinfo2)));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = (MemorySegment) h.invokeExact((SegmentAllocator) arena);
            return info.getAtIndex(JAVA_LONG, 7) + info.getAtIndex(JAVA_LONG, 4);
        }
    }

    /** VmRSS after malloc_trim, so freed-but-cached malloc pages do not count. */
    private static long rss() throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle trim = linker.downcallHandle(linker.defaultLookup().find("malloc_trim").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        int released = (int) trim.invokeExact(0L);
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
