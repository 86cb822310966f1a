package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** How one decode step's batch is shared between decoding sequences and prompt chunks (no native state). */
class BatchBuilderTest {
    @Test
    void everyDecodingSequenceGetsOneTokenAndPromptsShareTheRest() {
        BatchBuilder.Plan p = BatchBuilder.plan(16,
                new int[] {1, 0, 1, 0},
                new int[] {0, 10, 0, 10});
        assertArrayEquals(new int[] {1, 10, 1, 4}, p.tokens());
        assertEquals(14, p.promptTokens());
        assertEquals(16, p.total());
    }

    @Test
    void promptsAreServedInSlotOrderAndAShortOneFitsWhole() {
        BatchBuilder.Plan p = BatchBuilder.plan(8, new int[3], new int[] {3, 20, 2});
        assertArrayEquals(new int[] {3, 5, 0}, p.tokens());
        assertEquals(8, p.promptTokens());
    }

    @Test
    void aFullBatchOfDecodingSequencesLeavesNoRoomForPrompts() {
        BatchBuilder.Plan p = BatchBuilder.plan(2, new int[] {1, 1, 0}, new int[] {0, 0, 50});
        assertArrayEquals(new int[] {1, 1, 0}, p.tokens());
        assertEquals(0, p.promptTokens());
    }

    @Test
    void idleAndPausedSlotsPutNothingIn() {
        BatchBuilder.Plan p = BatchBuilder.plan(512, new int[4], new int[4]);
        assertArrayEquals(new int[4], p.tokens());
        assertEquals(0, p.total());
    }

    @Test
    void aDecodingSlotIgnoresItsPromptCount() {
        BatchBuilder.Plan p = BatchBuilder.plan(512, new int[] {1}, new int[] {99});
        assertArrayEquals(new int[] {1}, p.tokens());
        assertEquals(0, p.promptTokens());
    }

    @Test
    void aDraftingSequenceDecodesItsTokenAndItsDraftAndPromptsGetTheRest() {
        BatchBuilder.Plan p = BatchBuilder.plan(16, new int[] {5, 0, 1}, new int[] {0, 40, 0});
        assertArrayEquals(new int[] {5, 10, 1}, p.tokens());
        assertEquals(10, p.promptTokens());
    }

    @Test
    void decodedTokensBeyondTheBatchAreAnError() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> BatchBuilder.plan(4, new int[] {3, 2}, new int[2]));
    }

    @Test
    void whileSeveralPromptsWaitAStepStopsAtItsBudgetServingTheOldestFirst() {
        // Slot 0 decodes; slots 1-3 wait with 40, 30 and 50 prompt tokens, slot 3's request the oldest, slot 1's
        // the newest. A budget of 64 leaves 63 for prompts: slot 3's 50 whole, then 13 of slot 2's.
        BatchBuilder.Plan p = BatchBuilder.plan(512, new int[] {1, 0, 0, 0}, new int[] {0, 40, 30, 50},
                new long[] {0, 300, 200, 100}, 64);
        assertArrayEquals(new int[] {1, 0, 13, 50}, p.tokens());
        assertEquals(63, p.promptTokens());
    }

    @Test
    void theOldestPromptFinishesInOneStepEvenWhenItIsLongerThanTheBudget() {
        // 100 tokens left for the oldest prompt, a budget of 20: it takes its 100 (the capacity allows), the
        // newer one nothing.
        BatchBuilder.Plan p = BatchBuilder.plan(512, new int[] {0, 0}, new int[] {100, 30}, new long[] {1, 2}, 20);
        assertArrayEquals(new int[] {100, 0}, p.tokens());
    }

    @Test
    void theCapacityStillBoundsTheOldestPrompt() {
        BatchBuilder.Plan p = BatchBuilder.plan(64, new int[] {1, 0, 0}, new int[] {0, 100, 30},
                new long[] {0, 1, 2}, 20);
        assertArrayEquals(new int[] {1, 63, 0}, p.tokens());
    }

    @Test
    void aLonePromptTakesTheWholeRoomWhateverTheBudget() {
        BatchBuilder.Plan p = BatchBuilder.plan(512, new int[] {1, 1, 0}, new int[] {0, 0, 900},
                new long[] {0, 0, 5}, 16);
        assertArrayEquals(new int[] {1, 1, 510}, p.tokens());
    }

    @Test
    void decodingSequencesAreNeverCutByTheBudget() {
        // Six decoding sequences over a budget of 4: all decode, and the oldest prompt still gets its 3 tokens.
        BatchBuilder.Plan p = BatchBuilder.plan(512, new int[] {1, 1, 1, 1, 1, 1, 0, 0},
                new int[] {0, 0, 0, 0, 0, 0, 3, 9}, new long[] {0, 0, 0, 0, 0, 0, 7, 8}, 4);
        assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 3, 0}, p.tokens());
        assertEquals(9, p.total());
    }

    @Test
    void equalArrivalsAreServedInSlotOrder() {
        BatchBuilder.Plan p = BatchBuilder.plan(512, new int[3], new int[] {10, 10, 10}, new long[3], 15);
        assertArrayEquals(new int[] {10, 5, 0}, p.tokens());
    }
}
