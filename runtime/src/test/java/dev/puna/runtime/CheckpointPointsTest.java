package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where a prompt pauses for checkpoints ({@link PrefixLoader#nextCheckpoint}) and where its user messages are after
 * truncation ({@link Engine#startsAfterFit}): pure functions, so every point is exact.
 */
class CheckpointPointsTest {
    private static final int[] NONE = {};

    /** Every pause of a prompt of {@code length} tokens evaluated from {@code after}, in order. */
    private static List<Integer> pauses(int length, int after, int ubatch, int... starts) {
        List<Integer> out = new ArrayList<>();
        for (int at = PrefixLoader.nextCheckpoint(length, after, ubatch, starts); at > 0;
                at = PrefixLoader.nextCheckpoint(length, at, ubatch, starts)) {
            out.add(at);
        }
        return out;
    }

    @Test
    void withoutMessageStartsAPromptPausesAMicroBatchAndFourTokensBeforeItsEndThenFourBefore() {
        assertEquals(List.of(932, 996), pauses(1000, 0, 64));
        assertEquals(List.of(996), pauses(1000, 940, 64));
        assertEquals(List.of(), pauses(1000, 996, 64));
        // 100 - 4 - 64 is under the 64 tokens a checkpoint needs at least.
        assertEquals(List.of(96), pauses(100, 0, 64));
        assertEquals(List.of(), pauses(60, 0, 64));
    }

    @Test
    void theFirstAndTheLastUserMessageStartsComeFirst() {
        assertEquals(List.of(150, 350, 932, 996), pauses(1000, 0, 64, 150, 250, 350));
        // A prompt continuing the cache past them pauses at its end only.
        assertEquals(List.of(932, 996), pauses(1000, 400, 64, 150, 350));
        assertEquals(List.of(350, 932, 996), pauses(1000, 200, 64, 150, 350));
    }

    @Test
    void startsTooEarlyOrInTheLastFourTokensAreLeftOut() {
        // 30 is under 64; 998 is in the last four tokens, so 700 is the last start that counts.
        assertEquals(List.of(700, 932, 996), pauses(1000, 0, 64, 30, 700, 998));
        // A last message inside the end micro-batch: its start comes between the two end points.
        assertEquals(List.of(932, 960, 996), pauses(1000, 0, 64, 960));
    }

    @Test
    void startsBetweenFirstAndLastNeedEightThousandTokensFromThePreviousPause() {
        assertEquals(List.of(100, 9000, 20000, 30000, 39484, 39996),
                pauses(40000, 0, 512, 100, 5000, 9000, 12000, 20000, 30000));
    }

    @Test
    void truncationKeepsTheStartsInTheKeptHeadAndMovesThoseInTheKeptTail() {
        // 1000 tokens cut to 750: the first 4 kept, 250 dropped after them.
        assertArrayEquals(new int[] {2, 250, 650}, Engine.startsAfterFit(new int[] {2, 10, 500, 900}, 1000, 750, 4));
        assertArrayEquals(new int[] {10, 500}, Engine.startsAfterFit(new int[] {10, 500}, 800, 800, 4));
        assertArrayEquals(NONE, Engine.startsAfterFit(NONE, 1000, 750, 4));
    }
}
