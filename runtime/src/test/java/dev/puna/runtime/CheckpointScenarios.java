package dev.puna.runtime;

import static dev.puna.runtime.SlidingWindowCacheTest.prompt;
import static dev.puna.runtime.SlidingWindowCacheTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * What checkpoints ({@link PrefixLoader}) give any model whose memory cannot be cut back to a prefix, run by each
 * subclass on its model: a prompt answered again after a long turn, and a changed last message, continue from the
 * checkpoint taken four tokens before the end of the earlier prompt. Every answer is compared with a fresh engine's
 * answer to the same prompt.
 */
abstract class CheckpointScenarios {
    /** An engine of one slot on the subclass's model, with a host-RAM cache of {@code cacheBytes} (0: none). */
    abstract Engine engine(long cacheBytes);

    final int[] fresh(int[] prompt) {
        try (Engine engine = engine(0)) {
            return run(engine, prompt, 8).tokens();
        }
    }

    /** {@code base}, then {@code more} tokens of a stride {@code seed} shifts (another turn of the conversation). */
    static int[] then(int[] base, int seed, int more) {
        int[] p = Arrays.copyOf(base, base.length + more);
        for (int i = 0; i < more; i++) {
            p[base.length + i] = 25 + (i * 11 + seed * 17) % 550;
        }
        return p;
    }

    @Test
    void thePromptAnsweredAgainAfterALongTurnContinuesFromItsCheckpoint() {
        int[] first = prompt(1, 200);
        try (Engine engine = engine(64L << 20)) {
            run(engine, first, 8);
            run(engine, then(first, 1, 300), 8);
            GenerationResult again = run(engine, first, 8);
            // Checkpoint at 200 - 4; without it the memory cannot go back to 199 and all 200 are evaluated.
            assertEquals(196, again.cachedPromptTokens());
            assertArrayEquals(fresh(first), again.tokens());
        }
    }

    @Test
    void aChangedLastMessageContinuesFromTheCheckpointOfThePromptBefore() {
        int[] first = prompt(2, 200);
        int[] second = then(first, 2, 300);
        int[] changed = then(first, 3, 300);
        try (Engine engine = engine(64L << 20)) {
            run(engine, first, 8);
            run(engine, second, 8);
            GenerationResult r = run(engine, changed, 8);
            assertEquals(196, r.cachedPromptTokens());
            assertArrayEquals(fresh(changed), r.tokens());
        }
    }

    @Test
    void withoutAHostRamCacheThePromptIsEvaluatedAgain() {
        int[] first = prompt(7, 200);
        try (Engine engine = engine(0)) {
            run(engine, first, 8);
            run(engine, then(first, 7, 300), 8);
            GenerationResult again = run(engine, first, 8);
            assertEquals(0, again.cachedPromptTokens());
            assertArrayEquals(fresh(first), again.tokens());
        }
    }
}
