package dev.puna.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.puna.http.CatalogModel;
import dev.puna.http.ModelDetails;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Ollama's scheduling semantics with fake models: no native code, loads controlled by latches. */
@Timeout(30)
class ModelSchedulerTest {
    private static final LoadOptions CTX_256 = new LoadOptions(256, 512, 0, -1, 0, true, false);
    private static final LoadOptions CTX_512 = new LoadOptions(512, 512, 0, -1, 0, true, false);
    private static final Duration FIVE_MINUTES = Duration.ofMinutes(5);

    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    /** Loads per model name, and the fake each load returned. */
    private final Map<String, AtomicInteger> loads = new ConcurrentHashMap<>();
    private final Map<String, List<ModelScheduler.Served>> served = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
    private final Map<String, Long> sizes = new ConcurrentHashMap<>();

    @AfterEach
    void stop() {
        executor.shutdownNow();
        timers.shutdownNow();
    }

    private ModelScheduler scheduler(int maxLoaded, long maxMemory) {
        return new ModelScheduler((m, o) -> {
            CountDownLatch gate = gates.get(m.name());
            if (gate != null) {
                gate.await();
            }
            if (m.name().startsWith("broken")) {
                throw new IllegalStateException("cannot load " + m.name());
            }
            loads.computeIfAbsent(m.name(), k -> new AtomicInteger()).incrementAndGet();
            ModelScheduler.Served s = mock(ModelScheduler.Served.class);
            when(s.contextLength()).thenReturn(o.numCtx());
            served.computeIfAbsent(m.name(), k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(s);
            return s;
        }, (m, o) -> sizes.getOrDefault(m.name(), 10L), maxLoaded, maxMemory, executor, timers);
    }

    private static CatalogModel model(String name) {
        return CatalogModel.ofFile(name, Path.of("/models/" + name + ".gguf"), "", 10, Instant.EPOCH,
                new ModelDetails("", "gguf", "llama", List.of("llama"), "1M", "F16"));
    }

    private static ModelScheduler.Lease lease(CompletableFuture<ModelScheduler.Lease> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    private ModelScheduler.Served only(String name) {
        List<ModelScheduler.Served> list = served.get(name);
        assertEquals(1, list.size(), name + " loads");
        return list.getFirst();
    }

    @Test
    void concurrentRequestsForALoadingModelShareOneLoad() throws Exception {
        ModelScheduler s = scheduler(3, 1000);
        gates.put("a", new CountDownLatch(1));
        CompletableFuture<ModelScheduler.Lease> first = s.acquire(model("a"), CTX_256, FIVE_MINUTES);
        CompletableFuture<ModelScheduler.Lease> second = s.acquire(model("a"), CTX_256, FIVE_MINUTES);
        Thread.sleep(50);
        assertFalse(first.isDone());
        assertFalse(second.isDone());
        gates.get("a").countDown();
        ModelScheduler.Lease l1 = lease(first);
        ModelScheduler.Lease l2 = lease(second);
        assertEquals(1, loads.get("a").get());
        assertTrue(l2.loadNanos() > 0, "the waiting request reports its wait as load_duration");
        assertEquals(2, s.running().getFirst().leases());
        l1.release();
        l2.release();
        ModelScheduler.Lease l3 = lease(s.acquire(model("a"), CTX_256, FIVE_MINUTES));
        assertEquals(0, l3.loadNanos(), "an already loaded model costs no load time");
        assertEquals(1, loads.get("a").get());
    }

    @Test
    void loadingOneModelDoesNotHoldUpAnother() throws Exception {
        ModelScheduler s = scheduler(3, 1000);
        gates.put("slow", new CountDownLatch(1));
        CompletableFuture<ModelScheduler.Lease> slow = s.acquire(model("slow"), CTX_256, FIVE_MINUTES);
        ModelScheduler.Lease fast = lease(s.acquire(model("fast"), CTX_256, FIVE_MINUTES));
        assertEquals("fast", fast.model().name());
        assertFalse(slow.isDone());
        gates.get("slow").countDown();
        assertEquals("slow", lease(slow).model().name());
    }

    @Test
    void keepAliveExpiryUnloadsAnIdleModel() throws Exception {
        ModelScheduler s = scheduler(3, 1000);
        ModelScheduler.Lease l = lease(s.acquire(model("a"), CTX_256, Duration.ofMillis(300)));
        Instant before = Instant.now();
        l.release();
        ModelScheduler.Running r = s.running().getFirst();
        assertTrue(!r.expiresAt().isBefore(before.plusMillis(250)) && r.expiresAt().isBefore(before.plusSeconds(2)),
                r.expiresAt() + " should be about 300 ms after " + before);
        assertEquals(256, r.contextLength());
        verify(only("a"), timeout(5000)).close();
        assertEquals(List.of(), s.running());
    }

    @Test
    void aLeasedModelIsNotUnloadedAndTheLastRequestsKeepAliveWins() throws Exception {
        ModelScheduler s = scheduler(3, 1000);
        ModelScheduler.Lease first = lease(s.acquire(model("a"), CTX_256, Duration.ofMillis(50)));
        ModelScheduler.Lease second = lease(s.acquire(model("a"), CTX_256, Durations.FOREVER));
        first.release();
        Thread.sleep(200);
        verify(only("a"), never()).close();
        second.release();
        Thread.sleep(200);
        verify(only("a"), never()).close();
        assertTrue(s.running().getFirst().expiresAt().isAfter(Instant.now().plus(Duration.ofDays(365 * 100))));
    }

    @Test
    void keepAliveZeroUnloadsWhenTheRequestEnds() throws Exception {
        ModelScheduler s = scheduler(3, 1000);
        ModelScheduler.Lease l = lease(s.acquire(model("a"), CTX_256, Duration.ZERO));
        verify(only("a"), never()).close();
        l.release();
        l.release(); // a second release is a no-op
        verify(only("a"), timeout(5000)).close();
    }

    @Test
    void explicitUnloadWaitsForNothingWhenIdle() throws Exception {
        ModelScheduler s = scheduler(3, 1000);
        lease(s.acquire(model("a"), CTX_256, FIVE_MINUTES)).release();
        s.unload("a").get(5, TimeUnit.SECONDS);
        verify(only("a")).close();
        assertEquals(List.of(), s.running());
        s.unload("never-loaded").get(1, TimeUnit.SECONDS);
    }

    @Test
    void theLeastRecentlyUsedIdleModelIsEvictedAtTheModelLimit() throws Exception {
        ModelScheduler s = scheduler(2, 1000);
        lease(s.acquire(model("a"), CTX_256, FIVE_MINUTES)).release();
        Thread.sleep(5);
        lease(s.acquire(model("b"), CTX_256, FIVE_MINUTES)).release();
        lease(s.acquire(model("c"), CTX_256, FIVE_MINUTES)).release();
        verify(only("a"), timeout(5000)).close();
        verify(only("b"), never()).close();
        assertEquals(List.of("c", "b"), s.running().stream().map(r -> r.model().name()).toList());
    }

    @Test
    void whenEveryLoadedModelIsBusyTheRequestIsRefusedWithRetry() throws Exception {
        ModelScheduler s = scheduler(1, 1000);
        ModelScheduler.Lease busy = lease(s.acquire(model("a"), CTX_256, FIVE_MINUTES));
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> lease(s.acquire(model("b"), CTX_256, FIVE_MINUTES)));
        ApiException api = assertInstanceOf(ApiException.class, e.getCause());
        assertEquals(503, api.status());
        assertEquals(5, api.retryAfterSeconds());
        assertEquals("server busy: cannot load 'b' now: PUNA_MAX_LOADED_MODELS (1) models are loaded and busy; "
                + "retry later", api.getMessage());
        busy.release();
        assertEquals("b", lease(s.acquire(model("b"), CTX_256, FIVE_MINUTES)).model().name());
    }

    @Test
    void memoryEstimatesEvictIdleModelsOrRefuse() throws Exception {
        ModelScheduler s = scheduler(5, 100);
        sizes.put("a", 60L);
        sizes.put("b", 60L);
        sizes.put("huge", 101L);
        lease(s.acquire(model("a"), CTX_256, FIVE_MINUTES)).release();
        ModelScheduler.Lease b = lease(s.acquire(model("b"), CTX_256, FIVE_MINUTES));
        verify(only("a"), timeout(5000)).close();
        ExecutionException busy = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> lease(s.acquire(model("a"), CTX_256, FIVE_MINUTES)));
        assertEquals(503, ((ApiException) busy.getCause()).status());
        b.release();
        ExecutionException huge = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> lease(s.acquire(model("huge"), CTX_256, FIVE_MINUTES)));
        ApiException api = (ApiException) huge.getCause();
        assertEquals(500, api.status());
        assertEquals("model 'huge' needs about 101 bytes of memory (weights and KV cache for num_ctx 256), more "
                + "than the 100 bytes available (PUNA_MAX_MEMORY); lower num_ctx or PUNA_NUM_PARALLEL", api.getMessage());
    }

    /** A scheduler whose estimator plans {@code vram} bytes of GPU memory per model name within {@code budget}. */
    private ModelScheduler gpuScheduler(long budget, Map<String, Long> vram) {
        ModelScheduler.Estimator estimator = new ModelScheduler.Estimator() {
            @Override
            public long estimate(CatalogModel m, LoadOptions o) {
                return sizes.getOrDefault(m.name(), 10L);
            }

            @Override
            public ModelScheduler.Estimate estimateWithVram(CatalogModel m, LoadOptions o) {
                return new ModelScheduler.Estimate(estimate(m, o), vram.getOrDefault(m.name(), 0L));
            }

            @Override
            public long vramBudget() {
                return budget;
            }
        };
        return new ModelScheduler((m, o) -> {
            loads.computeIfAbsent(m.name(), k -> new AtomicInteger()).incrementAndGet();
            ModelScheduler.Served s = mock(ModelScheduler.Served.class);
            when(s.contextLength()).thenReturn(o.numCtx());
            served.computeIfAbsent(m.name(), k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(s);
            return s;
        }, estimator, 5, 1_000_000, executor, timers);
    }

    @Test
    void aModelThatDoesNotFitBesideTheLoadedOnesInVramEvictsTheIdleLeastRecentlyUsed() throws Exception {
        // 24 GiB of VRAM as the planner saw it; host RAM is plentiful (1 MB budget, 10 bytes a model)
        long gib = 1L << 30;
        ModelScheduler s = gpuScheduler(24 * gib, Map.of("a", 10 * gib, "b", 10 * gib, "c", 10 * gib, "cpu", 0L));
        lease(s.acquire(model("a"), CTX_256, FIVE_MINUTES)).release();
        Thread.sleep(5); // b is used later than a
        lease(s.acquire(model("b"), CTX_256, FIVE_MINUTES)).release();
        // a CPU-only model needs no VRAM and evicts nothing
        ModelScheduler.Lease cpu = lease(s.acquire(model("cpu"), CTX_256, FIVE_MINUTES));
        assertEquals(3, s.running().size());
        // c needs 10 GiB beside a's and b's 20: a, the least recently used idle one, goes
        ModelScheduler.Lease c = lease(s.acquire(model("c"), CTX_256, FIVE_MINUTES));
        verify(only("a"), timeout(5000)).close();
        verify(only("b"), never()).close();
        assertEquals(List.of("b", "c", "cpu"), s.running().stream().map(r -> r.model().name()).sorted().toList());
        ModelScheduler.Running rc = s.running().stream().filter(r -> r.model().name().equals("c")).findFirst()
                .orElseThrow();
        assertEquals(10 * gib, rc.vramBytes()); // /api/ps size_vram
        assertEquals(10 + 10 * gib, rc.sizeBytes()); // size: host and GPU together
        assertEquals(0, s.running().stream().filter(r -> r.model().name().equals("cpu")).findFirst().orElseThrow()
                .vramBytes());
        // with b held by a request and c busy, a needs room that only busy models hold: 503, retry later; the idle
        // CPU-only model is not evicted for it, since that frees no VRAM
        cpu.release();
        ModelScheduler.Lease b = lease(s.acquire(model("b"), CTX_256, FIVE_MINUTES));
        ExecutionException busy = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> lease(s.acquire(model("a"), CTX_256, FIVE_MINUTES)));
        ApiException api = (ApiException) busy.getCause();
        assertEquals(503, api.status());
        assertEquals("server busy: cannot load 'a' now: not enough GPU memory: it needs about 10.00 GiB and loaded "
                + "models in use take 20.00 GiB of 24.00 GiB; retry later", api.getMessage());
        verify(only("cpu"), never()).close();
        b.release();
        c.release();
    }

    @Test
    void differentLoadOptionsReloadOnceTheOldInstanceIsFree() throws Exception {
        ModelScheduler s = scheduler(3, 1000);
        ModelScheduler.Lease old = lease(s.acquire(model("a"), CTX_256, FIVE_MINUTES));
        CompletableFuture<ModelScheduler.Lease> bigger = s.acquire(model("a"), CTX_512, FIVE_MINUTES);
        Thread.sleep(100);
        assertFalse(bigger.isDone(), "the reload waits for the request still using the old instance");
        assertEquals(1, loads.get("a").get());
        old.release();
        ModelScheduler.Lease fresh = lease(bigger);
        assertEquals(2, loads.get("a").get());
        verify(served.get("a").getFirst()).close();
        assertEquals(512, s.running().getFirst().contextLength());
        fresh.release();
    }

    @Test
    void aFailedLoadFailsItsRequestsAndIsForgotten() throws Exception {
        ModelScheduler s = scheduler(1, 1000);
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> lease(s.acquire(model("broken"), CTX_256, FIVE_MINUTES)));
        assertEquals("cannot load broken", e.getCause().getMessage());
        assertEquals(List.of(), s.running());
        // The failed load holds no slot of PUNA_MAX_LOADED_MODELS.
        assertEquals("a", lease(s.acquire(model("a"), CTX_256, FIVE_MINUTES)).model().name());
    }

    @Test
    void closeUnloadsEverythingEvenWithLeasesOut() throws Exception {
        ModelScheduler s = scheduler(3, 1000);
        lease(s.acquire(model("a"), CTX_256, FIVE_MINUTES));
        lease(s.acquire(model("b"), CTX_256, FIVE_MINUTES)).release();
        s.close(Duration.ofSeconds(5));
        verify(only("a")).close();
        verify(only("b")).close();
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> lease(s.acquire(model("c"), CTX_256, FIVE_MINUTES)));
        assertEquals("server is shutting down", e.getCause().getMessage());
    }

    @Test
    void theVocabularyRoutesBorrowALoadedModelWithoutALease() throws Exception {
        ModelScheduler s = scheduler(3, 1000);
        assertEquals(null, s.loadedModel(model("a")), "nothing loaded");
        ModelScheduler.Lease l = lease(s.acquire(model("a"), CTX_256, FIVE_MINUTES));
        dev.puna.runtime.Engine engine = mock(dev.puna.runtime.Engine.class);
        dev.puna.runtime.Model runtimeModel = mock(dev.puna.runtime.Model.class);
        when(engine.model()).thenReturn(runtimeModel);
        when(only("a").engine()).thenReturn(engine);
        l.release();
        Instant expires = s.running().getFirst().expiresAt();
        assertEquals(runtimeModel, s.loadedModel(model("a")));
        assertEquals(0, s.running().getFirst().leases());
        assertEquals(expires, s.running().getFirst().expiresAt(), "the keep-alive does not move");
        CatalogModel sameNameOtherFile = CatalogModel.ofFile("a", Path.of("/models/other.gguf"), "", 10,
                Instant.EPOCH, new ModelDetails("", "gguf", "llama", List.of("llama"), "1M", "F16"));
        assertEquals(null, s.loadedModel(sameNameOtherFile), "another file under the name");
        when(engine.isClosed()).thenReturn(true);
        assertEquals(null, s.loadedModel(model("a")), "its engine stopped");
        when(engine.isClosed()).thenReturn(false);
        s.unload("a").get(5, TimeUnit.SECONDS);
        assertEquals(null, s.loadedModel(model("a")), "unloaded");
    }
}
