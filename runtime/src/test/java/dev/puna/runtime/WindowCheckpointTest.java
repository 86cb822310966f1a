package dev.puna.runtime;

import static dev.puna.runtime.SlidingWindowCacheTest.prompt;
import static dev.puna.runtime.SlidingWindowCacheTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Window checkpoints ({@link PrefixLoader}): with window-sized sliding-window caches, a prompt's evaluation pauses
 * four tokens before its end for a copy of those caches in the host-RAM cache, and a later prompt that leaves the
 * conversation further back than the window reaches continues from the latest checkpoint before it. Runs on the
 * small random Gemma 3 model of {@link SlidingWindowCacheTest} (window 32, 256 sliding-window cells per sequence):
 * once a 200-token prompt is followed by 300 more tokens, the cells around position 200 are gone. With the
 * scenarios of {@link CheckpointScenarios}, every answer is compared with a fresh engine's answer to the same prompt.
 */
@Timeout(180)
class WindowCheckpointTest extends CheckpointScenarios {
    @Override
    Path modelFile() {
        return Models.slidingWindow();
    }

    @Override
    SessionParams.Builder context() {
        return SessionParams.builder().contextSize(1024).batchSize(256).ubatchSize(64).threads(2);
    }

    /** The window-sized cache continues 27 tokens back (it holds 256 cells, the window 32). */
    @Override
    int whereAnotherQuestionContinues() {
        return 380;
    }

    /** A micro-batch (64) and 4 tokens before the end of the 200-token prompt. */
    @Override
    int firstPause() {
        return 132;
    }

    /** The window cache holds that point: cut back 7 tokens, well within a window and a micro-batch. */
    @Override
    int whereTheSecondPromptLeftTheCache() {
        return 200;
    }

    /**
     * A conversation's checkpoints take at most half of the host-RAM cache: with room for nine of them, eight turns
     * (as in {@link #aConversationKeepsItsFirstCheckpointAndItsLatest}) leave at most four and a half, the first
     * among them.
     */
    @Test
    void aConversationsCheckpointsTakeAtMostHalfOfTheCache() {
        long one;
        try (Engine engine = engine(64L << 20)) {
            run(engine, prompt(3, 600), 8); // two checkpoints of the whole window's cells: 532 and 596
            one = engine.stats().promptCacheBytes() / 2;
        }
        int[][] turns = eightTurns();
        long budget = 9 * one;
        try (Engine engine = engine(budget)) {
            for (int[] t : turns) {
                run(engine, t, 8);
            }
            long held = engine.stats().promptCacheBytes();
            assertTrue(held <= budget / 2, held + " bytes of checkpoints, " + one + " each");
            GenerationResult first = run(engine, turns[0], 8);
            assertEquals(132, first.cachedPromptTokens());
            assertArrayEquals(fresh(On.ENGINE, turns[0]), first.tokens());
        }
    }

    @Test
    void aPromptPausesForItsCheckpointOnlyWithAHostRamCache() {
        int[] first = prompt(7, 200);
        for (long cache : new long[] {0, 64L << 20}) {
            try (Engine engine = engine(cache)) {
                long before = engine.stats().decodeCalls();
                run(engine, first, 1);
                // 200 tokens in one step; or 132 (a micro-batch and 4 before the end), 64 and 4, with a checkpoint
                // after each of the first two.
                assertEquals(cache == 0 ? 1 : 3, engine.stats().decodeCalls() - before, "cache " + cache);
            }
        }
    }

    /** A model without sliding-window layers never pauses for a checkpoint. */
    @Test
    void aModelWithoutASlidingWindowTakesNoCheckpoint() {
        try (Model plain = Model.load(Models.randomSmall());
             Engine engine = Engine.start(plain, EngineParams.builder().parallel(1).promptCacheBytes(64L << 20)
                     .session(SessionParams.builder().contextSize(1024).batchSize(256).threads(2).build()).build())) {
            long before = engine.stats().decodeCalls();
            run(engine, prompt(8, 200), 1);
            assertEquals(1, engine.stats().decodeCalls() - before);
        }
    }
}
