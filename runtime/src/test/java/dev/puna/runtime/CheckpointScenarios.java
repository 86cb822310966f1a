package dev.puna.runtime;

import static dev.puna.runtime.SlidingWindowCacheTest.prompt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * What checkpoints ({@link PrefixLoader}, and a {@link Session}'s own) give any model whose memory cannot be cut back
 * to a prefix, run by each subclass on its model, on an engine or a session: a prompt answered again after a long
 * turn, and a changed last message, continue from the checkpoint taken four tokens before the end of the earlier
 * prompt. Every answer is compared with a fresh runner's answer to the same prompt.
 */
abstract class CheckpointScenarios {
    /** What answers the prompts, one after another: an engine of one slot, or a session. */
    interface Runner extends AutoCloseable {
        /** Greedy, at most {@code maxTokens} tokens. */
        GenerationResult run(int[] prompt, int maxTokens);

        @Override
        void close();
    }

    /** A runner on the subclass's model, with {@code cacheBytes} of host RAM for checkpoints (0: none). */
    abstract Runner open(long cacheBytes);

    static Runner of(Engine engine) {
        return new Runner() {
            @Override
            public GenerationResult run(int[] prompt, int maxTokens) {
                return SlidingWindowCacheTest.run(engine, prompt, maxTokens);
            }

            @Override
            public void close() {
                engine.close();
            }
        };
    }

    static Runner of(Session session) {
        return new Runner() {
            @Override
            public GenerationResult run(int[] prompt, int maxTokens) {
                return session.generate(GenerateRequest.builder().promptTokens(prompt)
                        .sampling(SamplingParams.greedy()).maxTokens(maxTokens).build());
            }

            @Override
            public void close() {
                session.close();
            }
        };
    }

    final int[] fresh(int[] prompt) {
        try (Runner r = open(0)) {
            return r.run(prompt, 8).tokens();
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
        try (Runner r = open(64L << 20)) {
            r.run(first, 8);
            r.run(then(first, 1, 300), 8);
            GenerationResult again = r.run(first, 8);
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
        try (Runner r = open(64L << 20)) {
            r.run(first, 8);
            r.run(second, 8);
            GenerationResult answer = r.run(changed, 8);
            assertEquals(196, answer.cachedPromptTokens());
            assertArrayEquals(fresh(changed), answer.tokens());
        }
    }

    @Test
    void withoutHostRamForCheckpointsThePromptIsEvaluatedAgain() {
        int[] first = prompt(7, 200);
        try (Runner r = open(0)) {
            r.run(first, 8);
            r.run(then(first, 7, 300), 8);
            GenerationResult again = r.run(first, 8);
            assertEquals(0, again.cachedPromptTokens());
            assertArrayEquals(fresh(first), again.tokens());
        }
    }
}
