package dev.puna.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The C function pointers Puna hands to llama.cpp. Each stub is created once in the global arena and is
 * stateless; per-object state travels in the {@code user_data} pointer. An exception escaping an upcall would
 * kill the JVM, so every target here catches everything.
 */
public final class Callbacks {
    private Callbacks() {
    }

    /** Receives llama.cpp/ggml log lines. Called from any native thread; must be fast and thread-safe. */
    @FunctionalInterface
    public interface LogSink {
        /**
         * @param level ggml_log_level: 0 none, 1 debug, 2 info, 3 warn, 4 error, 5 cont (continues the previous
         *     line)
         * @param text the message, usually ending in a newline
         */
        void log(int level, String text);
    }

    private static volatile LogSink logSink = (level, text) -> { };

    /**
     * Receives ggml's fatal errors (GGML_ABORT) before ggml calls {@code abort()}, on whatever thread hit them
     * (a ggml-rpc connection thread, say). Returning lets the process abort as it would have; a hook that wants
     * the process to live never returns (it parks the thread for good, see runtime's RpcWorkers).
     */
    @FunctionalInterface
    public interface AbortHook {
        void aborting(String message);
    }

    private static volatile AbortHook abortHook = message -> { };

    private static final MemorySegment ABORT_TRAMPOLINE = Native.upcall(
            Native.findStatic(MethodHandles.lookup(), "abortTrampoline", MethodType.methodType(void.class, MemorySegment.class)),
            FunctionDescriptor.ofVoid(ADDRESS), Arena.global());

    /**
     * {@code bool (*ggml_abort_callback)(void * data)}: {@code data} points at one byte that is non-zero when the
     * computation should stop. ggml polls it after every graph node, so a cancel takes effect within one node.
     */
    public static final MemorySegment ABORT_ON_FLAG = Native.upcall(
            Native.findStatic(MethodHandles.lookup(), "abortOnFlag", MethodType.methodType(boolean.class, MemorySegment.class)),
            FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS), Arena.global());

    private static final MemorySegment LOG_TRAMPOLINE = Native.upcall(
            Native.findStatic(MethodHandles.lookup(), "logTrampoline",
                    MethodType.methodType(void.class, int.class, MemorySegment.class, MemorySegment.class)),
            FunctionDescriptor.ofVoid(JAVA_INT, ADDRESS, ADDRESS), Arena.global());

    /** Allocates an abort flag for {@link #ABORT_ON_FLAG} in {@code arena}, initially clear. */
    public static MemorySegment newAbortFlag(Arena arena) {
        return arena.allocate(JAVA_BYTE);
    }

    /** Sets or clears an abort flag from any thread. */
    public static void setAbortFlag(MemorySegment flag, boolean abort) {
        flag.set(JAVA_BYTE, 0, abort ? (byte) 1 : (byte) 0);
    }

    /**
     * Routes all llama.cpp and ggml logging (global, process-wide) to {@code sink}. llama_log_set is not
     * thread-safe in llama.cpp, so the runtime calls this once, before loading any model.
     */
    public static void installLogSink(LogSink sink) {
        logSink = sink;
        Llama.llama_log_set(LOG_TRAMPOLINE, MemorySegment.NULL);
    }

    /**
     * Routes libmtmd's logging (projector loading, image encoding) to the sink installed by
     * {@link #installLogSink}; without it mtmd prints to stderr. Global like llama_log_set: the runtime calls it
     * once, before its first projector. Opens libmtmd.
     */
    public static void installMtmdLogSink() {
        Mtmd.mtmd_helper_log_set(LOG_TRAMPOLINE, MemorySegment.NULL);
    }

    /**
     * Routes ggml's fatal errors to {@code hook} (process-wide: ggml_set_abort_callback). Without a hook ggml prints
     * the message and a backtrace; with one, the hook is responsible for reporting it.
     */
    public static synchronized void installAbortHook(AbortHook hook) {
        abortHook = hook;
        GgmlRpc.ggml_set_abort_callback(ABORT_TRAMPOLINE);
    }

    @SuppressWarnings("unused") // upcall target
    private static void abortTrampoline(MemorySegment message) {
        String text;
        try {
            text = Native.cString(message);
        } catch (Throwable t) {
            text = "(unreadable message)";
        }
        try {
            abortHook.aborting(text);
        } catch (Throwable t) {
            // ggml aborts next; nothing may propagate into native code.
        }
        System.err.println("ggml: fatal error: " + text);
    }

    @SuppressWarnings("unused") // upcall target
    private static boolean abortOnFlag(MemorySegment data) {
        try {
            return Native.view(data, 1).get(JAVA_BYTE, 0) != 0;
        } catch (Throwable t) {
            return false;
        }
    }

    @SuppressWarnings("unused") // upcall target
    private static void logTrampoline(int level, MemorySegment text, MemorySegment userData) {
        try {
            String s = Native.cString(text);
            if (s != null) {
                logSink.log(level, s);
            }
        } catch (Throwable t) {
            // Never let anything propagate into native code.
        }
    }
}
