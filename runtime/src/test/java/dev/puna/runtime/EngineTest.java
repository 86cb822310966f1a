package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.runtime.internal.NativeStats;
import dev.puna.testkit.TestModels;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Continuous batching on the scripted model: exact outputs while many sequences share each decode step. */
@Timeout(60)
class EngineTest {
    private static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(Models.scripted());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static Engine engine(int parallel) {
        return engine(parallel, 256, 512);
    }

    private static Engine engine(int parallel, int contextSize, int maxQueue) {
        return Engine.start(model, EngineParams.builder().parallel(parallel).maxQueue(maxQueue)
                .session(SessionParams.builder().contextSize(contextSize).threads(2).build()).build());
    }

    private static GenerateRequest.Builder greedy(String prompt) {
        return GenerateRequest.builder().prompt(prompt).sampling(SamplingParams.greedy());
    }

    private static GenerationResult await(GenerationHandle h) {
        return h.result().orTimeout(30, TimeUnit.SECONDS).join();
    }

    @Test
    void oneRequestGivesTheScriptedText() {
        try (Engine engine = engine(2)) {
            List<TokenEvent> events = new ArrayList<>();
            GenerationResult r = await(engine.submit(greedy(TestModels.HELLO_PROMPT).build(), events::add));
            assertEquals(TestModels.HELLO_COMPLETION, r.text());
            assertEquals(FinishReason.EOS, r.finishReason());
            assertArrayEquals(new int[] {Models.id("▁world"), Models.id("▁from"), Models.id("▁Puna"), Models.id("!")},
                    r.tokens());
            assertEquals(2, r.promptTokens());
            assertEquals(4, r.completionTokens());
            StringBuilder streamed = new StringBuilder();
            for (int i = 0; i < events.size(); i++) {
                assertEquals(i, events.get(i).index());
                streamed.append(events.get(i).text());
            }
            assertEquals(r.text(), streamed.toString());
        }
    }

    @Test
    void concurrentRequestsShareDecodeStepsAndKeepTheirOwnOutput() throws Exception {
        try (Engine engine = engine(4)) {
            int n = 12;
            List<GenerationHandle> handles = new ArrayList<>();
            List<List<TokenEvent>> events = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                List<TokenEvent> mine = new ArrayList<>();
                events.add(mine);
                String prompt = i % 3 == 0 ? TestModels.HELLO_PROMPT
                        : i % 3 == 1 ? TestModels.EMOJI_PROMPT : TestModels.COUNT_PROMPT;
                handles.add(engine.submit(greedy(prompt).maxTokens(20 + i).build(), mine::add));
            }
            int tokens = 0;
            for (int i = 0; i < n; i++) {
                GenerationResult r = await(handles.get(i));
                String expected = i % 3 == 0 ? TestModels.HELLO_COMPLETION
                        : i % 3 == 1 ? TestModels.EMOJI_COMPLETION : TestModels.countCompletion(20 + i);
                assertEquals(expected, r.text(), "request " + i);
                assertEquals(i % 3 == 2 ? FinishReason.LENGTH : FinishReason.EOS, r.finishReason(), "request " + i);
                assertEquals(r.text(), events.get(i).stream().map(TokenEvent::text).reduce("", String::concat));
                tokens += r.completionTokens() + 1;
            }
            EngineStats stats = engine.stats();
            assertEquals(n, stats.requests());
            // Sequential decoding would need one call per token; batching four at a time needs far fewer.
            assertTrue(stats.decodeCalls() < tokens / 2, stats.decodeCalls() + " decode calls for " + tokens + " tokens");
            assertEquals(0, stats.activeSlots());
        }
    }

    @Test
    void differentSamplingSettingsBatchTogether() {
        try (Engine engine = engine(2)) {
            GenerationHandle random = engine.submit(GenerateRequest.builder().prompt(TestModels.COUNT_PROMPT)
                    .sampling(SamplingParams.builder().temperature(1.5).seed(7).build()).maxTokens(30).build(),
                    GenerationListener.NONE);
            GenerationHandle greedy = engine.submit(greedy(TestModels.COUNT_PROMPT).maxTokens(30).build(),
                    GenerationListener.NONE);
            assertEquals(TestModels.countCompletion(30), await(greedy).text());
            assertEquals(30, await(random).completionTokens());
        }
    }

    @Test
    void secondTurnReusesThePrefixInTheSameSlot() {
        try (Engine engine = engine(2)) {
            GenerationResult first = await(engine.submit(greedy(TestModels.COUNT_PROMPT).maxTokens(5).build(),
                    GenerationListener.NONE));
            int[] prompt = model.tokenize(TestModels.COUNT_PROMPT + first.text() + " six seven", true, false);
            GenerationResult second = await(engine.submit(GenerateRequest.builder().promptTokens(prompt)
                    .sampling(SamplingParams.greedy()).maxTokens(3).build(), GenerationListener.NONE));
            // The first request left prompt (2 tokens) + 4 decoded outputs in the cache; the fifth was sampled only.
            assertEquals(6, second.cachedPromptTokens());
            assertEquals(prompt.length - 6, second.timings().promptTokensEvaluated());
            assertEquals(" eight nine ten", second.text());
        }
    }

    @Test
    void cancellingARunningGenerationFreesItsSlotForTheNext() {
        try (Engine engine = engine(1)) {
            CancellationToken token = new CancellationToken();
            GenerationHandle running = engine.submit(greedy(TestModels.COUNT_PROMPT).cancellation(token).build(),
                    event -> {
                        if (event.index() == 3) {
                            token.cancel();
                        }
                    });
            GenerationHandle next = engine.submit(greedy(TestModels.HELLO_PROMPT).build(), GenerationListener.NONE);
            GenerationResult r = await(running);
            assertEquals(FinishReason.CANCELLED, r.finishReason());
            assertEquals(4, r.completionTokens());
            assertEquals(TestModels.countCompletion(4), r.text());
            assertEquals(TestModels.HELLO_COMPLETION, await(next).text());
        }
    }

    @Test
    void queuedRequestsCanBeCancelledAndTheQueueIsBounded() throws Exception {
        try (Engine engine = engine(1, 256, 1)) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            GenerationHandle blocker = engine.submit(greedy(TestModels.COUNT_PROMPT).maxTokens(3).build(), event -> {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(started.await(10, TimeUnit.SECONDS));
            GenerationHandle queued = engine.submit(greedy(TestModels.HELLO_PROMPT).build(), GenerationListener.NONE);
            QueueFullException full = assertThrows(QueueFullException.class,
                    () -> engine.submit(greedy(TestModels.HELLO_PROMPT).build(), GenerationListener.NONE));
            assertEquals(1, full.maxQueue());
            assertEquals(1, engine.stats().queued());
            queued.cancel();
            release.countDown();
            GenerationResult cancelled = await(queued);
            assertEquals(FinishReason.CANCELLED, cancelled.finishReason());
            assertEquals(0, cancelled.completionTokens());
            assertEquals(TestModels.countCompletion(3), await(blocker).text());
        }
    }

    @Test
    void aPausedSequenceWaitsWhileOthersRun() {
        try (Engine engine = engine(2)) {
            AtomicInteger seen = new AtomicInteger();
            GenerationHandle[] paused = new GenerationHandle[1];
            CountDownLatch submitted = new CountDownLatch(1);
            paused[0] = engine.submit(greedy(TestModels.COUNT_PROMPT).maxTokens(10).build(), event -> {
                try {
                    submitted.await(); // paused[0] is assigned
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (seen.incrementAndGet() == 2) {
                    paused[0].pause();
                }
            });
            submitted.countDown();
            GenerationResult other = await(engine.submit(greedy(TestModels.COUNT_PROMPT).maxTokens(25).build(),
                    GenerationListener.NONE));
            assertEquals(TestModels.countCompletion(25), other.text());
            assertTrue(paused[0].isPaused());
            assertEquals(2, seen.get(), "the paused sequence must not advance");
            paused[0].resume();
            assertEquals(TestModels.countCompletion(10), await(paused[0]).text());
        }
    }

    @Test
    void contextShiftLetsGenerationRunPastTheContext() {
        try (Engine engine = engine(1)) {
            int ctx = engine.slotContextSize();
            GenerationResult full = await(engine.submit(greedy(TestModels.COUNT_PROMPT).build(), GenerationListener.NONE));
            assertEquals(FinishReason.CONTEXT_FULL, full.finishReason());
            assertEquals(ctx - 2 + 1, full.completionTokens());

            GenerationResult shifted = await(engine.submit(greedy(TestModels.COUNT_PROMPT).shift(true)
                    .maxTokens(ctx + 100).build(), GenerationListener.NONE));
            assertEquals(FinishReason.LENGTH, shifted.finishReason());
            assertEquals(TestModels.countCompletion(ctx + 100), shifted.text());
        }
    }

    @Test
    void aPromptLongerThanTheContextFailsOrIsTruncated() {
        try (Engine engine = engine(1)) {
            int ctx = engine.slotContextSize();
            String longPrompt = TestModels.COUNT_PROMPT + TestModels.countCompletion(ctx + 50);
            ContextOverflowException e = assertThrows(ContextOverflowException.class,
                    () -> engine.submit(greedy(longPrompt).build(), GenerationListener.NONE));
            assertEquals(ctx, e.contextSize());
            GenerationResult r = await(engine.submit(greedy(longPrompt).truncate(true).maxTokens(3).build(),
                    GenerationListener.NONE));
            assertEquals(ctx * 3 / 4, r.promptTokens());
            // The kept tail ends with the prompt's last number, and the script counts on from it.
            int last = (ctx + 50 - 1) % 10;
            assertEquals(TestModels.countCompletion(last + 4).substring(TestModels.countCompletion(last + 1).length()),
                    r.text());
        }
    }

    @Test
    void badRequestsFailAloneAndOthersGoOn() {
        try (Engine engine = engine(2)) {
            GenerationHandle bad = engine.submit(greedy(TestModels.HELLO_PROMPT)
                    .sampling(SamplingParams.builder().grammar("root ::= (unclosed").build()).build(),
                    GenerationListener.NONE);
            GenerationHandle throwing = engine.submit(greedy(TestModels.HELLO_PROMPT).build(), event -> {
                throw new IllegalStateException("listener failed");
            });
            GenerationHandle good = engine.submit(greedy(TestModels.HELLO_PROMPT).build(), GenerationListener.NONE);
            CompletionException e1 = assertThrows(CompletionException.class, () -> await(bad));
            assertInstanceOf(InvalidParameterException.class, e1.getCause());
            CompletionException e2 = assertThrows(CompletionException.class, () -> await(throwing));
            assertEquals("listener failed", e2.getCause().getMessage());
            assertEquals(TestModels.HELLO_COMPLETION, await(good).text());
            assertThrows(InvalidParameterException.class,
                    () -> engine.submit(GenerateRequest.builder().promptTokens(new int[] {1, 999_999}).build(),
                            GenerationListener.NONE));
            assertThrows(InvalidParameterException.class,
                    () -> engine.submit(GenerateRequest.builder().prompt("").addSpecial(false).build(),
                            GenerationListener.NONE));
        }
    }

    @Test
    void closingFailsQueuedAndRunningRequestsAndFreesEverything() throws Exception {
        long before = NativeStats.live();
        Engine engine = engine(1);
        CountDownLatch running = new CountDownLatch(1);
        GenerationHandle endless = engine.submit(greedy(TestModels.COUNT_PROMPT).build(), event -> running.countDown());
        GenerationHandle queued = engine.submit(greedy(TestModels.HELLO_PROMPT).build(), GenerationListener.NONE);
        assertTrue(running.await(10, TimeUnit.SECONDS));
        engine.close();
        for (GenerationHandle h : List.of(endless, queued)) {
            CompletionException e = assertThrows(CompletionException.class, () -> await(h));
            assertInstanceOf(ResourceClosedException.class, e.getCause());
        }
        assertThrows(ResourceClosedException.class,
                () -> engine.submit(greedy(TestModels.HELLO_PROMPT).build(), GenerationListener.NONE));
        assertEquals(before, NativeStats.live());
        engine.close();
    }

    @Test
    void theEngineKeepsItsModelAliveAfterTheOwnerCloses() {
        Model own = Model.load(Models.scripted());
        try (Engine e = Engine.start(own, EngineParams.builder().parallel(1)
                .session(SessionParams.builder().contextSize(256).threads(2).build()).build())) {
            own.close();
            assertEquals(TestModels.HELLO_COMPLETION,
                    await(e.submit(greedy(TestModels.HELLO_PROMPT).build(), GenerationListener.NONE)).text());
        }
        assertTrue(own.isClosed());
    }

    @Test
    void embeddingsMatchASessionsEmbeddings() {
        try (Engine engine = engine(1);
             Session session = model.newSession(SessionParams.builder().contextSize(256).threads(2)
                     .embeddings(true).build())) {
            float[][] a = engine.embed(List.of("Hello world", "Count: one"));
            float[][] b = session.embed(List.of("Hello world", "Count: one"));
            assertArrayEquals(b[0], a[0], 1e-5f);
            assertArrayEquals(b[1], a[1], 1e-5f);
        }
    }
}
