package dev.puna.cli.archfixture;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Breaks the no-native rule on purpose (test fixture for ArchitectureTest; never imported as production). */
public final class ForeignMemoryUser {
    private ForeignMemoryUser() {
    }

    /** Allocates native memory from CLI code. */
    public static long size() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(8);
            return s.byteSize();
        }
    }
}
