package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.bindings.Llama;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Checkpoints of a hybrid model ({@link PrefixLoader}): llama.cpp keeps a Jamba sequence's recurrent state after its
 * newest token only, next to attention caches that can be cut back, so a checkpoint holds the recurrent part alone and
 * putting it back must leave the attention caches to the prefix the slot keeps. Runs the scenarios of
 * {@link CheckpointScenarios} on a small random Jamba model (a Mamba layer, then an attention layer), with the same
 * context and expectations as the Mamba model's ({@link RecurrentCheckpointTest}): the recurrent part decides where a
 * prompt can continue. Every answer is compared with a fresh runner's.
 */
class HybridCheckpointTest extends RecurrentCheckpointTest {
    @Override
    Path modelFile() {
        return Models.hybrid();
    }

    /** What makes the scenarios a hybrid's: llama.cpp sees attention and recurrent layers. */
    @Test
    void theModelIsAHybrid() {
        assertTrue(Llama.llama_model_is_hybrid(model().handle()));
        assertFalse(Llama.llama_model_is_recurrent(model().handle()));
    }
}
