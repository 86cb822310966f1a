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
}
