package dev.puna.runtime.internal.os;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Native memory that is not zeroed first. {@link Arena#allocate} clears every byte before returning, which for a
 * KV-cache sequence about to be overwritten by llama.cpp is pure cost: for a 20 MB sequence the clearing (and the
 * page faults it takes) measured 3-20 ms against 3-6 ms for llama.cpp's copy itself, on the decode thread. Here the
 * block comes from the C library's {@code malloc} and is freed by {@code free} when its arena closes, so ownership
 * stays with the arena as for any other segment.
 */
public final class NativeMemory {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle MALLOC = LINKER.downcallHandle(
            LINKER.defaultLookup().find("malloc").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle FREE = LINKER.downcallHandle(
            LINKER.defaultLookup().find("free").orElseThrow(),
            FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));

    private NativeMemory() {
    }

    /**
     * {@code size} bytes of uninitialized memory (aligned for any C type, as {@code malloc} guarantees), freed when
     * {@code arena} closes.
     *
     * @throws OutOfMemoryError when the C library has no such block to give
     */
    public static MemorySegment allocateUninitialized(Arena arena, long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive, got " + size);
        }
        MemorySegment block;
        try {
            block = (MemorySegment) MALLOC.invokeExact(size);
        } catch (Throwable t) {
            throw new IllegalStateException("malloc failed", t);
        }
        if (block.equals(MemorySegment.NULL)) {
            throw new OutOfMemoryError("malloc(" + size + ") returned NULL");
        }
        return block.reinterpret(size, arena, NativeMemory::free);
    }

    private static void free(MemorySegment block) {
        try {
            FREE.invokeExact(block);
        } catch (Throwable t) {
            throw new IllegalStateException("free failed", t);
        }
    }
}
