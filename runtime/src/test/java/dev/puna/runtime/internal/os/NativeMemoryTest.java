package dev.puna.runtime.internal.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class NativeMemoryTest {
    @Test
    void aBlockHoldsWhatIsWrittenAndBelongsToItsArena() {
        MemorySegment kept;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment block = NativeMemory.allocateUninitialized(arena, 20L << 20);
            assertEquals(20L << 20, block.byteSize());
            for (long i = 0; i < block.byteSize(); i += 4096) {
                block.set(ValueLayout.JAVA_LONG_UNALIGNED, i, i * 31);
            }
            for (long i = 0; i < block.byteSize(); i += 4096) {
                assertEquals(i * 31, block.get(ValueLayout.JAVA_LONG_UNALIGNED, i));
            }
            kept = block;
        }
        assertFalse(kept.scope().isAlive(), "freed with its arena");
        MemorySegment gone = kept;
        assertThrows(IllegalStateException.class, () -> gone.get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void aSharedArenaCanBeClosedByAnotherThread() throws Exception {
        Arena arena = Arena.ofShared();
        MemorySegment block = NativeMemory.allocateUninitialized(arena, 1 << 16);
        block.fill((byte) 7);
        Thread closer = Thread.ofPlatform().start(arena::close);
        closer.join();
        assertFalse(block.scope().isAlive());
    }

    @Test
    void sizeMustBePositive() {
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(IllegalArgumentException.class, () -> NativeMemory.allocateUninitialized(arena, 0));
            assertThrows(IllegalArgumentException.class, () -> NativeMemory.allocateUninitialized(arena, -1));
        }
    }
}
