package dev.puna.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.runtime.cache.DiskCache;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the disk tier takes, and that a handed-over sequence is written and its memory freed by the writer thread. */
class DiskTierTest {
    private static final Object PLAIN = "no adapters";

    @TempDir
    Path dir;

    @Test
    void onlyLongPlainTextSequencesGoToDisk() throws IOException {
        DiskTier tier = new DiskTier(DiskCache.open(dir, 1 << 20, "id"), PLAIN, 1 << 20);
        int[] text = IntStream.range(0, PromptCache.MIN_TOKENS).toArray();
        assertTrue(tier.eligible(text, PLAIN));
        assertFalse(tier.eligible(IntStream.range(0, PromptCache.MIN_TOKENS - 1).toArray(), PLAIN));
        assertFalse(tier.eligible(text, "with a LoRA adapter"));
        int[] image = text.clone();
        image[10] = -12345; // an image's stand-in cell
        assertFalse(tier.eligible(image, PLAIN));
        tier.close();
    }

    @Test
    void aHandedOverSequenceIsWrittenAndItsArenaClosed() throws IOException {
        DiskCache disk = DiskCache.open(dir, 1 << 20, "id");
        DiskTier tier = new DiskTier(disk, PLAIN, 1 << 20);
        int[] tokens = IntStream.range(0, 100).toArray();
        Arena arena = Arena.ofShared();
        MemorySegment state = arena.allocate(1000);
        state.fill((byte) 7);
        tier.write(tokens, arena, state, true);
        tier.close(); // waits for the write
        assertFalse(arena.scope().isAlive());
        assertEquals(1, tier.writes());
        try (Arena read = Arena.ofConfined()) {
            MemorySegment back = disk.load(disk.best(tokens), read);
            byte[] expected = new byte[1000];
            java.util.Arrays.fill(expected, (byte) 7);
            assertArrayEquals(expected, back.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void aWriteBeyondThePendingBoundIsDroppedNotQueued() throws IOException {
        DiskCache disk = DiskCache.open(dir, 1 << 20, "id");
        DiskTier tier = new DiskTier(disk, PLAIN, 500);
        Arena arena = Arena.ofShared();
        tier.write(IntStream.range(0, 100).toArray(), arena, arena.allocate(1000), true);
        assertFalse(arena.scope().isAlive());
        tier.close();
        assertEquals(0, disk.size());
    }
}
