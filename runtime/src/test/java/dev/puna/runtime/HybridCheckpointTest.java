package dev.puna.runtime;

import static dev.puna.runtime.SlidingWindowCacheTest.prompt;
import static dev.puna.runtime.SlidingWindowCacheTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Checkpoints of a hybrid model ({@link PrefixLoader}): llama.cpp keeps a Jamba sequence's recurrent state after its
 * newest token only, next to attention caches that can be cut back, so a checkpoint holds the recurrent part alone and
 * putting it back must leave the attention caches to the prefix the slot keeps. Runs the scenarios of
 * {@link CheckpointScenarios} on a small random Jamba model (a Mamba layer, then an attention layer); every answer is
 * compared with a fresh runner's.
 */
@Timeout(180)
class HybridCheckpointTest extends CheckpointScenarios {
    private static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(Models.hybrid());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Override
    Model model() {
        return model;
    }

    @Override
    SessionParams.Builder context() {
        return SessionParams.builder().contextSize(1024).batchSize(256).threads(2);
    }

    /** The recurrent state cannot be cut back: the checkpoint at 400 - 4 - 256 (the micro-batch). */
    @Override
    int whereAnotherQuestionContinues() {
        return 140;
    }

    /** The recurrent state is that of 207 tokens and cannot be cut back to 200: the checkpoint at 196. */
    @Override
    int whereTheSecondPromptLeftTheCache() {
        return 196;
    }

    /** 4 tokens before the end of the 200-token prompt: a micro-batch (256) before that is too early. */
    @Override
    int firstPause() {
        return 196;
    }

    /** The model is a hybrid to llama.cpp, and its next turn continues both parts of its memory at their end. */
    @Test
    void theNextTurnContinuesBothPartsOfItsMemory() {
        assertEquals(true, dev.puna.bindings.Llama.llama_model_is_hybrid(model.handle()));
        int[] first = prompt(1, 200);
        try (Engine engine = engine(0)) {
            GenerationResult answer = run(engine, first, 8);
            int[] next = then(SlidingWindowCacheTest.plus(first, answer.tokens(), 0), 1, 30);
            GenerationResult r = run(engine, next, 8);
            assertEquals(207, r.cachedPromptTokens());
            assertArrayEquals(fresh(On.ENGINE, next), r.tokens());
        }
    }
}
