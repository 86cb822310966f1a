package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.runtime.internal.NativeStats;
import dev.puna.testkit.TestModels;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Ownership rules: use after close, shared models, close while another thread is generating. */
@Timeout(60)
class LifecycleTest {

    @Test
    void useAfterCloseThrowsInsteadOfCrashing() {
        long before = NativeStats.live();
        Model model = Model.load(Models.scripted());
        Session session = model.newSession(Models.session());
        session.close();
        model.close();
        assertEquals(before, NativeStats.live());
        assertThrows(ResourceClosedException.class, () -> session.generate(Models.greedy("Hello")));
        assertThrows(ResourceClosedException.class, () -> session.clearCache());
        assertThrows(ResourceClosedException.class, () -> model.newSession(Models.session()));
        assertThrows(ResourceClosedException.class, () -> model.tokenize("Hello", true, true));
        assertThrows(ResourceClosedException.class, () -> model.detokenize(new int[] {1}, false, false));
        assertThrows(ResourceClosedException.class, () -> model.tokenBytes(1, false));
        session.close();
        model.close();
        assertEquals(before, NativeStats.live());
    }

    @Test
    void aModelStaysAliveWhileASessionUsesIt() {
        long models = NativeStats.MODELS.get();
        Model model = Model.load(Models.scripted());
        Session a = model.newSession(Models.session());
        Session b = model.newSession(Models.session());
        model.close();
        assertEquals(models + 1, NativeStats.MODELS.get(), "freed under live sessions");
        assertEquals(TestModels.HELLO_COMPLETION, a.generate(Models.greedy("Hello")).text());
        a.close();
        assertEquals(TestModels.HELLO_COMPLETION, b.generate(Models.greedy("Hello")).text());
        b.close();
        assertEquals(models, NativeStats.MODELS.get(), "the last session frees the model");
    }

    @Test
    void closeDuringGenerationFromAnotherThread() throws Exception {
        long before = NativeStats.live();
        Model model = Model.load(Models.scripted());
        Session session = model.newSession(SessionParams.builder().contextSize(4096).threads(2).build());
        CountDownLatch generating = new CountDownLatch(1);
        AtomicInteger tokens = new AtomicInteger();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<GenerationResult> f = pool.submit(() -> session.generate(Models.greedy(TestModels.COUNT_PROMPT), e -> {
                if (tokens.incrementAndGet() == 5) {
                    generating.countDown();
                }
            }));
            assertTrue(generating.await(30, TimeUnit.SECONDS));
            session.close();
            model.close();
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> f.get(30, TimeUnit.SECONDS));
            assertInstanceOf(ResourceClosedException.class, e.getCause());
            assertTrue(tokens.get() < 4000, "generation did not stop: " + tokens.get());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(before, NativeStats.live(), "context and model freed once the generation left native code");
        assertThrows(ResourceClosedException.class, () -> session.generate(Models.greedy("Hello")));
    }

    @Test
    void closeDuringALongPromptEvaluationAbortsIt() throws Exception {
        long before = NativeStats.live();
        Model model = Model.load(Models.scripted());
        // One huge batch, so the close lands inside llama_decode and the abort callback must stop it.
        Session session = model.newSession(SessionParams.builder().contextSize(8192).batchSize(8192)
                .ubatchSize(64).threads(1).build());
        String prompt = " one two three four".repeat(1500);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<GenerationResult> f = pool.submit(() -> session.generate(Models.greedy(prompt)));
            Thread.sleep(50);
            session.close();
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> f.get(30, TimeUnit.SECONDS));
            assertInstanceOf(ResourceClosedException.class, e.getCause());
        } finally {
            pool.shutdownNow();
            model.close();
        }
        assertEquals(before, NativeStats.live());
    }

    @Test
    void oneGenerationAtATimePerSession() throws Exception {
        try (Model model = Model.load(Models.scripted()); Session session = model.newSession(Models.session())) {
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<GenerationResult> f = pool.submit(() -> session.generate(
                        GenerateRequest.builder().prompt("Hello").sampling(SamplingParams.greedy()).build(), e -> {
                            inside.countDown();
                            try {
                                release.await();
                            } catch (InterruptedException ex) {
                                Thread.currentThread().interrupt();
                            }
                        }));
                assertTrue(inside.await(30, TimeUnit.SECONDS));
                IllegalStateException busy = assertThrows(IllegalStateException.class,
                        () -> session.generate(Models.greedy("Hello")));
                assertTrue(busy.getMessage().contains("busy"), busy.getMessage());
                release.countDown();
                assertEquals(TestModels.HELLO_COMPLETION, f.get(30, TimeUnit.SECONDS).text());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void sessionsOfOneModelRunConcurrently() throws Exception {
        try (Model model = Model.load(Models.scripted())) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                java.util.List<Future<String>> results = new java.util.ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    results.add(pool.submit(() -> {
                        try (Session s = model.newSession(SessionParams.builder().contextSize(64).threads(1).build())) {
                            return s.generate(Models.greedy("Hello")).text();
                        }
                    }));
                }
                for (Future<String> r : results) {
                    assertEquals(TestModels.HELLO_COMPLETION, r.get(60, TimeUnit.SECONDS));
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
