package dev.puna.runtime;

import static dev.puna.runtime.SlidingWindowCacheTest.prompt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What checkpoints ({@link PrefixLoader}, and a {@link Session}'s own) give any model whose memory cannot be cut back
 * to a prefix, run by each subclass on its model, on an engine or a session: a prompt answered again after a long
 * turn, and a changed last message, continue from the checkpoint taken four tokens before the end of the earlier
 * prompt. Every answer is compared with a fresh runner's answer to the same prompt.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CheckpointScenarios {
    private Model model;

    @BeforeAll
    void loadModel() {
        model = Model.load(modelFile());
    }

    @AfterAll
    void closeModel() {
        model.close();
    }

    /** What answers the prompts, one after another: an engine of one slot, or a session. */
    interface Runner extends AutoCloseable {
        /** Greedy, at most {@code maxTokens} tokens. */
        default GenerationResult run(int[] prompt, int maxTokens) {
            return run(greedy(prompt, maxTokens).build());
        }

        GenerationResult run(GenerateRequest request);

        @Override
        void close();
    }

    /** Where the scenarios run: an engine of one slot, whose host-RAM cache holds them, or a session. */
    enum On { ENGINE, SESSION }

    /** The subclass's model file ({@link Models}), loaded once for the class. */
    abstract Path modelFile();

    /** The subclass's model, loaded. */
    final Model model() {
        return model;
    }

    /** The context of either runner. */
    abstract SessionParams.Builder context();

    /** An engine of one slot, with a host-RAM cache of {@code cacheBytes} (0: none). */
    final Engine engine(long cacheBytes) {
        return Engine.start(model(), EngineParams.builder().parallel(1).promptCacheBytes(cacheBytes)
                .session(context().build()).build());
    }

    /** A runner {@code on} the subclass's model, with {@code cacheBytes} of host RAM for checkpoints (0: none). */
    final Runner open(On on, long cacheBytes) {
        return on == On.ENGINE ? of(engine(cacheBytes))
                : of(model().newSession(context().checkpointBytes(cacheBytes).build()));
    }

    static Runner of(Engine engine) {
        return new Runner() {
            @Override
            public GenerationResult run(GenerateRequest request) {
                return engine.submit(request, GenerationListener.NONE).result().orTimeout(60, TimeUnit.SECONDS)
                        .join();
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
            public GenerationResult run(GenerateRequest request) {
                return session.generate(request);
            }

            @Override
            public void close() {
                session.close();
            }
        };
    }

    static GenerateRequest.Builder greedy(int[] prompt, int maxTokens) {
        return GenerateRequest.builder().promptTokens(prompt).sampling(SamplingParams.greedy()).maxTokens(maxTokens);
    }

    final int[] fresh(On on, int[] prompt) {
        try (Runner r = open(on, 0)) {
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

    @ParameterizedTest
    @EnumSource(On.class)
    void thePromptAnsweredAgainAfterALongTurnContinuesFromItsCheckpoint(On on) {
        int[] first = prompt(1, 200);
        try (Runner r = open(on, 64L << 20)) {
            r.run(first, 8);
            r.run(then(first, 1, 300), 8);
            GenerationResult again = r.run(first, 8);
            // Checkpoint at 200 - 4; without it the memory cannot go back to 199 and all 200 are evaluated.
            assertEquals(196, again.cachedPromptTokens());
            assertArrayEquals(fresh(on, first), again.tokens());
        }
    }

    /**
     * Where the second prompt of {@link #aChangedLastMessageContinuesFromACheckpointOfThePromptBefore} began to be
     * evaluated, 200 tokens into it (the cache holds the first prompt and 7 tokens of its answer): 200 where the memory
     * can be cut back to that point, else the first prompt's checkpoint at 196.
     */
    abstract int whereTheSecondPromptLeftTheCache();

    @ParameterizedTest
    @EnumSource(On.class)
    void aChangedLastMessageContinuesFromACheckpointOfThePromptBefore(On on) {
        int[] first = prompt(2, 200);
        int[] second = then(first, 2, 300);
        int[] changed = then(first, 3, 300);
        try (Runner r = open(on, 64L << 20)) {
            r.run(first, 8);
            GenerationResult s = r.run(second, 8);
            assertEquals(whereTheSecondPromptLeftTheCache(), s.cachedPromptTokens());
            GenerationResult answer = r.run(changed, 8);
            // The checkpoint where the second prompt's reuse of the cache ended.
            assertEquals(whereTheSecondPromptLeftTheCache(), answer.cachedPromptTokens());
            assertArrayEquals(fresh(on, changed), answer.tokens());
        }
    }

    /**
     * Where {@link #anotherQuestionUnderTheSameLongPromptContinuesBeforeTheQuestion}'s second question continues,
     * 380 tokens shared: 380 where the memory can be cut back that far (a window-sized cache holds about a
     * micro-batch more than its window), else the first question's checkpoint one micro-batch and 4 tokens before
     * its end.
     */
    abstract int whereAnotherQuestionContinues();

    /** A long system prompt or document and a short question, then another question under it. */
    @ParameterizedTest
    @EnumSource(On.class)
    void anotherQuestionUnderTheSameLongPromptContinuesBeforeTheQuestion(On on) {
        int[] document = prompt(9, 380);
        int[] question = then(document, 9, 20);
        int[] another = then(document, 10, 20);
        try (Runner r = open(on, 64L << 20)) {
            r.run(question, 8);
            GenerationResult answer = r.run(another, 8);
            assertEquals(whereAnotherQuestionContinues(), answer.cachedPromptTokens());
            assertArrayEquals(fresh(on, another), answer.tokens());
        }
    }

    /**
     * A chat: the next prompt holds the answer the cache generated, then a user message; that message edited
     * continues from where the prompt's reuse of the cache ended (llama-server's checkpoint at the start of the last
     * user message), evaluating the edited message only.
     */
    @ParameterizedTest
    @EnumSource(On.class)
    void anEditedLastUserMessageContinuesFromWhereItsPromptLeftTheCache(On on) {
        int[] first = prompt(5, 200);
        try (Runner r = open(on, 64L << 20)) {
            GenerationResult a = r.run(first, 8);
            int[] answered = SlidingWindowCacheTest.plus(first, a.tokens(), 0);
            int[] next = then(answered, 5, 300);
            int[] edited = then(answered, 6, 300);
            GenerationResult n = r.run(next, 8);
            // The answer's last token was sampled, never decoded: the cache holds the 207 before it.
            assertEquals(207, n.cachedPromptTokens());
            GenerationResult e = r.run(edited, 8);
            assertEquals(207, e.cachedPromptTokens());
            assertArrayEquals(fresh(on, edited), e.tokens());
        }
    }

    /**
     * A conversation this runner has not seen, sent whole (a system prompt of 150 tokens, a user message, an answer
     * the client wrote, the last user message at 350, 300 tokens long), then again with that last message edited:
     * the pause where the request says the last user message starts lets the edit continue there. Without it the
     * prompt's own checkpoints (a micro-batch and 4 tokens before its end) lie inside the edited message, and a
     * window-sized cache no longer holds the window before it.
     */
    @ParameterizedTest
    @EnumSource(On.class)
    void anEditedLastMessageOfAConversationSentWholeContinuesWhereTheMessageStarts(On on) {
        int[] system = prompt(11, 150);
        int[] history = then(then(system, 11, 100), 12, 100);
        int[] last = then(history, 13, 300);
        int[] edited = then(history, 14, 300);
        try (Runner r = open(on, 64L << 20)) {
            r.run(greedy(last, 8).userMessageStarts(150, 350).build());
            GenerationResult e = r.run(greedy(edited, 8).userMessageStarts(150, 350).build());
            assertEquals(350, e.cachedPromptTokens());
            assertArrayEquals(fresh(on, edited), e.tokens());
        }
    }

    /**
     * Another conversation under the same system prompt (150 tokens, then a 300-token user message) continues where
     * the first one's user message started: the pause at a prompt's first user message.
     */
    @ParameterizedTest
    @EnumSource(On.class)
    void anotherConversationUnderTheSameSystemPromptContinuesAfterIt(On on) {
        int[] system = prompt(15, 150);
        int[] one = then(system, 15, 300);
        int[] other = then(system, 16, 300);
        try (Runner r = open(on, 64L << 20)) {
            r.run(greedy(one, 8).userMessageStarts(150).build());
            GenerationResult o = r.run(greedy(other, 8).userMessageStarts(150).build());
            assertEquals(150, o.cachedPromptTokens());
            assertArrayEquals(fresh(on, other), o.tokens());
        }
    }

    /** A 200-token prompt, then seven times 100 tokens more: the prompts of a conversation's eight turns. */
    static int[][] eightTurns() {
        int[][] turns = new int[8][];
        turns[0] = prompt(4, 200);
        for (int i = 1; i < turns.length; i++) {
            turns[i] = then(turns[i - 1], 4 + i, 100);
        }
        return turns;
    }

    /** Where a fresh 200-token prompt first pauses for a checkpoint. */
    abstract int firstPause();

    /**
     * A conversation keeps eight checkpoints, up to three a turn: its first and the longest. After eight turns (a
     * 200-token prompt, then 100 tokens more each time) the last turn changed continues where its reuse of the cache
     * ended, and the first prompt, whose other checkpoint is gone (and whose window the cache no longer holds), from
     * the first one.
     */
    @ParameterizedTest
    @EnumSource(On.class)
    void aConversationKeepsItsFirstCheckpointAndItsLatest(On on) {
        int[][] turns = eightTurns();
        try (Runner r = open(on, 64L << 20)) {
            for (int[] t : turns) {
                r.run(t, 8);
            }
            int[] changed = then(turns[6], 20, 100);
            GenerationResult last = r.run(changed, 8);
            // Where the last turn's reuse of the cache ended, 600 tokens on from the second prompt's case.
            assertEquals(whereTheSecondPromptLeftTheCache() + 600, last.cachedPromptTokens());
            assertArrayEquals(fresh(on, changed), last.tokens());
            GenerationResult first = r.run(turns[0], 8);
            assertEquals(firstPause(), first.cachedPromptTokens());
            assertArrayEquals(fresh(on, turns[0]), first.tokens());
        }
    }

    /** The next turn continues the memory at its end: nothing to put back. */
    @ParameterizedTest
    @EnumSource(On.class)
    void theNextTurnContinuesTheMemoryAtItsEnd(On on) {
        int[] first = prompt(1, 200);
        try (Runner r = open(on, 0)) {
            GenerationResult answer = r.run(first, 8);
            int[] next = then(SlidingWindowCacheTest.plus(first, answer.tokens(), 0), 1, 30);
            GenerationResult n = r.run(next, 8);
            // The answer's last token was sampled, never decoded: the memory holds the 207 before it.
            assertEquals(207, n.cachedPromptTokens());
            assertArrayEquals(fresh(on, next), n.tokens());
        }
    }

    @ParameterizedTest
    @EnumSource(On.class)
    void withoutHostRamForCheckpointsThePromptIsEvaluatedAgain(On on) {
        int[] first = prompt(7, 200);
        try (Runner r = open(on, 0)) {
            r.run(first, 8);
            r.run(then(first, 7, 300), 8);
            GenerationResult again = r.run(first, 8);
            assertEquals(0, again.cachedPromptTokens());
            assertArrayEquals(fresh(on, first), again.tokens());
        }
    }
}
