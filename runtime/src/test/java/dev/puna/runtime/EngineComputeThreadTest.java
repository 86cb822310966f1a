package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Everything an engine computes in llama.cpp runs on its decode thread, so that the process holds one OpenMP team
 * per engine. llama.cpp's CPU backend, built with OpenMP (the project's default), gives every OS thread that
 * computes a graph a team of worker threads that outlives the call. A second team (the thread that started the
 * engine and ran its warm-up, a worker thread that computed embeddings) makes libgomp count more threads than
 * cores and cut every team's spin before sleeping to almost nothing: the decode thread's workers then slept on a
 * futex between two tokens, and a fresh server decoded 12-34% slower than with the warm-up on its decode thread.
 *
 * <p>libgomp's workers are threads the calling thread creates, so Linux gives them its name ({@code comm}): the
 * tests count the process's threads named like the calling thread.
 */
@Timeout(120)
class EngineComputeThreadTest {
    private static Model model;

    @BeforeAll
    static void load() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux's /proc to see native threads");
        model = Model.load(Models.randomSmall());
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    private static Engine engine() {
        return engine(Duration.ofSeconds(1));
    }

    private static Engine engine(Duration threadKeepAlive) {
        return Engine.start(model, EngineParams.builder().parallel(2).warmupTokens(8).threadKeepAlive(threadKeepAlive)
                .session(SessionParams.builder().contextSize(256).threads(2).build()).build());
    }

    private static int[] generate(Engine engine) {
        return engine.submit(Models.greedyTokens(3, 12), GenerationListener.NONE).result()
                .orTimeout(60, TimeUnit.SECONDS).join().tokens();
    }

    /** The threads of this process whose name is {@code name} as Linux keeps it (the first 15 bytes). */
    private static long threadsNamed(String name) {
        String comm = name.length() > 15 ? name.substring(0, 15) : name;
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.filter(t -> {
                try {
                    return Files.readString(t.resolve("comm")).strip().equals(comm);
                } catch (IOException e) {
                    return false; // the thread ended while we looked
                }
            }).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code body} on a new platform thread named {@code name}, then the count of threads with that name. */
    private static <T> T onThreadNamed(String name, Supplier<T> body, AtomicReference<Long> namesake) {
        CompletableFuture<T> done = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().name(name).start(() -> {
            try {
                T value = body.get();
                namesake.set(threadsNamed(name));
                done.complete(value);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        T value = done.join();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return value;
    }

    @Test
    void theStartingThreadComputesNothing() {
        AtomicReference<Long> namesake = new AtomicReference<>();
        Engine engine = onThreadNamed("probe-start", EngineComputeThreadTest::engine, namesake);
        try (engine) {
            assertEquals(1, namesake.get(), "threads named like the one that started the engine (and warmed it up)");
            String decodeThread = engine.onDecodeThread(() -> Thread.currentThread().getName());
            // The premise: the decode thread did compute, and its OpenMP team carries its name.
            assertTrue(threadsNamed(decodeThread) >= 2, "the decode thread has no OpenMP team: " + decodeThread);
        }
    }

    @Test
    void embeddingsAreComputedOnTheDecodeThread() {
        try (Engine engine = engine()) {
            AtomicReference<Long> namesake = new AtomicReference<>();
            float[][] first = onThreadNamed("probe-embed",
                    () -> engine.embed(List.of("Hello world", "Count: one")), namesake);
            assertEquals(1, namesake.get(), "threads named like the one that asked for embeddings");
            float[][] again = engine.embed(List.of("Hello world", "Count: one"));
            assertEquals(2, first.length);
            assertArrayEquals(again[0], first[0]);
            assertArrayEquals(again[1], first[1]);
        }
    }

    @Test
    void onDecodeThreadReturnsAndThrowsWhatTheActionDoes() {
        try (Engine engine = engine()) {
            String name = engine.onDecodeThread(() -> Thread.currentThread().getName());
            assertEquals("puna-engine-" + model.info().name(), name);
            IllegalStateException thrown = new IllegalStateException("from the action");
            assertSame(thrown, assertThrows(IllegalStateException.class, () -> engine.onDecodeThread(() -> {
                throw thrown;
            })));
            // From the decode thread itself it runs at once instead of waiting for itself.
            assertEquals(name, engine.onDecodeThread(() -> engine.onDecodeThread(() -> Thread.currentThread()
                    .getName())));
        }
    }

    @Test
    void aClosedEngineRefusesWork() {
        Engine engine = engine();
        engine.close();
        assertThrows(ResourceClosedException.class, () -> engine.onDecodeThread(() -> 1));
        assertThrows(ResourceClosedException.class, () -> engine.embed(List.of("Hello")));
    }

    /**
     * An idle engine's decode thread goes after threadKeepAlive, and its OpenMP team with it: the team another
     * engine's decode would otherwise share the cores' spin budget with. The next request starts a new thread and is
     * served as by an engine that kept its thread.
     */
    @Test
    void anIdleEngineLetsItsThreadAndTeamGo() throws InterruptedException {
        int[] expected;
        try (Engine kept = engine(Duration.ZERO)) {
            expected = generate(kept);
        }
        try (Engine engine = engine(Duration.ofMillis(100))) {
            Thread first = engine.onDecodeThread(Thread::currentThread);
            long withTeam = threadsNamed(first.getName());
            first.join(10_000);
            assertFalse(first.isAlive(), "the idle engine kept its decode thread");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (threadsNamed(first.getName()) > withTeam - 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(threadsNamed(first.getName()) <= withTeam - 2,
                    "the decode thread and its OpenMP worker are not both gone");
            assertArrayEquals(expected, generate(engine));
            Thread second = engine.onDecodeThread(Thread::currentThread);
            assertNotSame(first, second);
            assertEquals(first.getName(), second.getName());
        }
    }

    /**
     * An idle engine's decode thread goes as soon as another engine computes, however long its keep-alive: its
     * OpenMP team would otherwise make the computing engine's team sleep between graphs. An engine with a keep-alive
     * of 0 keeps its thread; the one whose thread went serves its next request as before.
     */
    @Test
    void anIdleEnginesThreadGoesWhenAnotherEngineComputes() throws InterruptedException {
        try (Engine idle = engineWithoutHostCache(Duration.ofHours(1));
             Engine kept = engineWithoutHostCache(Duration.ZERO)) {
            int[] expected = generate(idle);
            generate(kept);
            Thread idleThread = idle.onDecodeThread(Thread::currentThread);
            Thread keptThread = kept.onDecodeThread(Thread::currentThread);
            awaitWaiting(idleThread);
            awaitWaiting(keptThread);
            try (Engine other = engineWithoutHostCache(Duration.ofHours(1))) {
                generate(other);
                idleThread.join(10_000);
                assertFalse(idleThread.isAlive(), "the idle engine kept its decode thread while another computed");
                assertTrue(keptThread.isAlive(), "the engine with a keep-alive of 0 let its thread go");
                assertArrayEquals(expected, generate(idle));
                assertNotSame(idleThread, idle.onDecodeThread(Thread::currentThread));
            }
        }
    }

    /**
     * The same while the idle engine still waits to save its slot's conversation to host RAM (its idle-save delay):
     * it saves at once and its thread goes, also when the other engine is done computing by then.
     */
    @Test
    void anEngineAboutToSaveAnIdleSlotSavesAndGoesWhenAnotherEngineComputes() throws InterruptedException {
        try (Engine idle = Engine.start(model, EngineParams.builder().parallel(2).warmupTokens(8)
                .threadKeepAlive(Duration.ofHours(1)).idleSaveDelay(Duration.ofHours(1))
                .session(SessionParams.builder().contextSize(256).threads(2).build()).build())) {
            // 40 prompt tokens and 40 generated: long enough to be saved (PromptCache.MIN_TOKENS)
            idle.submit(Models.greedyTokens(3, 40), GenerationListener.NONE).result().orTimeout(60, TimeUnit.SECONDS)
                    .join();
            assertEquals(0, idle.stats().promptCacheBytes(), "saved before its idle-save delay");
            Thread idleThread = idle.onDecodeThread(Thread::currentThread);
            awaitWaiting(idleThread);
            try (Engine other = engineWithoutHostCache(Duration.ofHours(1))) {
                generate(other);
                idleThread.join(10_000);
                assertFalse(idleThread.isAlive(), "the engine waiting to save kept its decode thread");
                assertTrue(idle.stats().promptCacheBytes() > 0, "the idle slot's conversation was not saved");
            }
        }
    }

    /** An engine whose decode thread waits for work as soon as its generation ended (no idle save to host RAM). */
    private static Engine engineWithoutHostCache(Duration threadKeepAlive) {
        return Engine.start(model, EngineParams.builder().parallel(2).warmupTokens(8).threadKeepAlive(threadKeepAlive)
                .promptCacheBytes(0).session(SessionParams.builder().contextSize(256).threads(2).build()).build());
    }

    /** Waits until {@code t} waits (for work, once its last task is done). */
    static void awaitWaiting(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING
                && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    @Test
    void closingAnEngineWithoutAThreadFreesIt() throws InterruptedException {
        Engine engine = engine(Duration.ofMillis(1));
        Thread first = engine.onDecodeThread(Thread::currentThread);
        first.join(10_000);
        assertFalse(first.isAlive());
        engine.close();
        assertTrue(engine.isClosed());
        assertThrows(ResourceClosedException.class, () -> generate(engine));
    }
}
