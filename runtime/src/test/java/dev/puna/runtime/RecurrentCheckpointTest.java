package dev.puna.runtime;

import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;

/**
 * Checkpoints of a recurrent model's state ({@link PrefixLoader}): llama.cpp keeps a Mamba sequence's state after
 * its newest token only, so a prompt that shares all but the end of a cached conversation cannot cut it back; it
 * continues from the checkpoint taken four tokens before the end of an earlier prompt, where it would otherwise be
 * evaluated from the start ({@link CheckpointScenarios}). Runs on a small random Mamba model; every answer is
 * compared with a fresh engine's.
 */
@Timeout(180)
class RecurrentCheckpointTest extends CheckpointScenarios {
    @Override
    Path modelFile() {
        return Models.recurrent();
    }

    @Override
    SessionParams.Builder context() {
        return SessionParams.builder().contextSize(1024).batchSize(256).threads(2);
    }

    /** The state cannot be cut back: the checkpoint at 400 - 4 - 256 (the micro-batch). */
    @Override
    int whereAnotherQuestionContinues() {
        return 140;
    }

    /** 4 tokens before the end of the 200-token prompt: a micro-batch (256) before that is too early. */
    @Override
    int firstPause() {
        return 196;
    }

    /** The state is that of 207 tokens and cannot be cut back to 200: the first prompt's checkpoint, at 196. */
    @Override
    int whereTheSecondPromptLeftTheCache() {
        return 196;
    }
}
