package dev.puna.http.internal;

import dev.puna.http.CatalogModel;
import dev.puna.http.internal.lora.LoraScales;
import dev.puna.runtime.Engine;
import dev.puna.runtime.GenerateRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Which models are loaded, with Ollama's scheduling semantics.
 *
 * <ul>
 *   <li>A model is loaded on first use, on the loader executor (never an event loop). Requests for a model that
 *       is loading wait for that same load; loading one model never holds up requests to another.</li>
 *   <li>Each request holds a {@link Lease}; a model with leases out is never unloaded under them. When the last
 *       lease is released, the model's keep-alive starts: the last request's {@code keep_alive} (0 unloads at
 *       once, negative never expires).</li>
 *   <li>At most {@code maxLoaded} models, whose estimated memory (weights plus KV cache) stays within
 *       {@code maxMemory}. To make room, idle models are evicted, least recently used first; when every loaded
 *       model is busy the request is refused with 503 (retry later); a model that could never fit is a clear
 *       error.</li>
 *   <li>GPU memory is budgeted the same way: each model's planned VRAM ({@link Estimate#vramBytes()}) is placed
 *       beside the loaded models' within {@link Estimator#vramBudget()}; a model that does not fit beside them
 *       evicts idle ones, least recently used first (503 when all are busy).</li>
 *   <li>A request whose load options ({@code num_ctx}, {@code num_batch}, ...) differ from the loaded instance's
 *       gets a fresh instance once the old one's requests have finished.</li>
 * </ul>
 *
 * <p>Thread-safe: state is guarded by this object's monitor, and no I/O or native call happens under it.
 * {@link #acquire} may read a GGUF header (the memory estimate) on the calling thread, so call it off the event
 * loop.
 */
public final class ModelScheduler implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(ModelScheduler.class);
    /** What Ollama shows as {@code expires_at} for a model kept forever: now plus Go's largest duration. */
    private static final Duration GO_MAX_DURATION = Duration.ofNanos(Long.MAX_VALUE);

    /** Loads a model for serving. */
    public interface Loader {
        Served load(CatalogModel model, LoadOptions options) throws Exception;
    }

    /** Estimates the memory a model will take when loaded with {@code options}, in bytes. */
    public interface Estimator {
        /** Host memory the model takes, in bytes. */
        long estimate(CatalogModel model, LoadOptions options) throws Exception;

        /** Host and GPU memory the model takes; by default all of it in host memory. */
        default Estimate estimateWithVram(CatalogModel model, LoadOptions options) throws Exception {
            return new Estimate(estimate(model, options), 0);
        }

        /**
         * GPU memory the loaded models may take together (all GPUs' free memory when the server started, less the
         * reserve); only asked once a model plans to use some. Unlimited by default.
         */
        default long vramBudget() {
            return Long.MAX_VALUE;
        }
    }

    /** A model's planned memory: {@code hostBytes} in RAM, {@code vramBytes} on GPUs. */
    public record Estimate(long hostBytes, long vramBytes) {
    }

    /** A loaded model: the engine requests run on, and how to unload it. */
    public interface Served extends AutoCloseable {
        Engine engine();

        /** The context length of each slot, for {@code /api/ps}. */
        int contextLength();

        /** The model's image projector, or null for a model that takes no images. */
        default dev.puna.runtime.vision.Projector projector() {
            return null;
        }

        /** The model's LoRA adapters (Modelfile {@code ADAPTER}) and their scales; none by default. */
        default LoraScales lora() {
            return NO_ADAPTERS;
        }

        /**
         * The model's reranker ({@link dev.puna.runtime.Reranker}, opened on first use), for a model that is one.
         *
         * @throws UnsupportedOperationException when this loader serves no rerankers
         */
        default dev.puna.runtime.Reranker reranker() {
            throw new UnsupportedOperationException("this model is served without a reranker");
        }

        /** Frees the engine and the model; cancels whatever still runs on them. */
        @Override
        void close();
    }

    /**
     * A loaded model as {@code /api/ps} shows it: {@code sizeBytes} in all (host and GPU), {@code vramBytes} of it
     * on GPUs (Ollama's {@code size} and {@code size_vram}).
     */
    public record Running(CatalogModel model, long sizeBytes, Instant expiresAt, int contextLength, int leases,
                          long vramBytes) {
    }

    private static final LoraScales NO_ADAPTERS = new LoraScales(List.of());

    private final Loader loader;
    private final Estimator estimator;
    private final int maxLoaded;
    private final long maxMemory;
    private final Executor executor;
    private final ScheduledExecutorService timers;

    /** Guarded by this: the current instance of each model by name (loading or loaded). */
    private final Map<String, Runner> active = new HashMap<>();
    /** Guarded by this: instances no longer handed out, waiting for their leases or being unloaded. */
    private final Set<Runner> retiring = new HashSet<>();
    private boolean closed;

    /**
     * @param executor runs loads and unloads (blocking native work)
     * @param timers fires keep-alive expiries
     */
    public ModelScheduler(Loader loader, Estimator estimator, int maxLoaded, long maxMemory, Executor executor,
                          ScheduledExecutorService timers) {
        this.loader = loader;
        this.estimator = estimator;
        this.maxLoaded = maxLoaded;
        this.maxMemory = maxMemory;
        this.executor = executor;
        this.timers = timers;
    }

    private final class Runner {
        final CatalogModel model;
        final LoadOptions options;
        final long size;
        final long vram;
        final CompletableFuture<Served> ready = new CompletableFuture<>();
        final CompletableFuture<Void> unloaded = new CompletableFuture<>();
        int refs;
        Duration keepAlive;
        Instant expiresAt;
        ScheduledFuture<?> timer;
        /** Bumped whenever the keep-alive timer is set or cancelled, so a stale timer does nothing. */
        long timerGeneration;
        long lastUsedNanos = System.nanoTime();
        boolean retired;
        boolean unloading;

        Runner(CatalogModel model, LoadOptions options, long size, long vram) {
            this.model = model;
            this.options = options;
            this.size = size;
            this.vram = vram;
        }

        boolean serves(CatalogModel m, LoadOptions o) {
            return !retired && !engineGone() && options.equals(o) && model.path().equals(m.path());
        }

        /** Its engine stopped on its own (an RPC worker was lost): the next request loads the model again. */
        boolean engineGone() {
            if (!ready.isDone() || ready.isCompletedExceptionally()) {
                return false;
            }
            Served s = ready.join();
            return s != null && s.engine() != null && s.engine().isClosed();
        }

        boolean idle() {
            return refs == 0 && ready.isDone() && !ready.isCompletedExceptionally();
        }
    }

    /** A request's hold on a loaded model; release it exactly once when the request ends (further calls are no-ops). */
    public final class Lease {
        private final Runner runner;
        private final Served served;
        private final long loadNanos;
        private boolean released;

        private Lease(Runner runner, Served served, long loadNanos) {
            this.runner = runner;
            this.served = served;
            this.loadNanos = loadNanos;
        }

        public Engine engine() {
            return served.engine();
        }

        /** The model's reranker; see {@link Served#reranker()}. */
        public dev.puna.runtime.Reranker reranker() {
            return served.reranker();
        }

        public CatalogModel model() {
            return runner.model;
        }

        /** The loaded model's image projector, or null when it takes no images. */
        public dev.puna.runtime.vision.Projector projector() {
            return served.projector();
        }

        /** The loaded model's LoRA adapters and their global scales. */
        public LoraScales lora() {
            return served.lora();
        }

        /**
         * {@code request} with the LoRA adapters it runs with: the model's global scales, or {@code requested}
         * (llama-server's {@code lora} list, null when the request has none).
         *
         * @throws ApiException 400 for an adapter id the model does not have
         */
        public GenerateRequest withAdapters(GenerateRequest request, Map<Integer, Float> requested) {
            if (served.lora().adapters().isEmpty() && (requested == null || requested.isEmpty())) {
                return request;
            }
            return request.toBuilder().adapters(served.lora().forRequest(requested)).build();
        }

        /** How long this request waited for the model to load (0 when it was loaded already). */
        public long loadNanos() {
            return loadNanos;
        }

        /** Ends the hold; the model's keep-alive starts when no lease is left. */
        public void release() {
            synchronized (ModelScheduler.this) {
                if (released) {
                    return;
                }
                released = true;
                ModelScheduler.this.released(runner);
            }
        }
    }

    /**
     * A lease on {@code model} loaded with {@code options}, loading it (or a fresh instance) if needed.
     *
     * @param keepAlive how long the model stays loaded after this request: zero unloads it, negative keeps it
     * @return completes with the lease when the model is ready, or fails with the load's error or an
     *     {@link ApiException} (503 when no room can be made now, 500 when the model can never fit)
     */
    public CompletableFuture<Lease> acquire(CatalogModel model, LoadOptions options, Duration keepAlive) {
        try {
            return tryAcquire(model, options, keepAlive);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletableFuture<Lease> tryAcquire(CatalogModel model, LoadOptions options, Duration keepAlive) {
        long requested = System.nanoTime();
        synchronized (this) {
            checkOpen();
            Runner r = active.get(model.name());
            if (r != null && r.serves(model, options)) {
                return join(r, keepAlive, requested);
            }
        }
        long size;
        long vram;
        try {
            Estimate estimate = estimator.estimateWithVram(model, options);
            size = estimate.hostBytes();
            vram = estimate.vramBytes();
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
        synchronized (this) {
            checkOpen();
            Runner r = active.get(model.name());
            if (r != null && r.serves(model, options)) {
                return join(r, keepAlive, requested); // another request started the same load meanwhile
            }
            if (size > maxMemory) {
                throw ApiException.internal("model '" + model.name() + "' needs about " + gib(size)
                        + " of memory (weights and KV cache for num_ctx " + options.numCtx() + "), more than the "
                        + gib(maxMemory) + " available (PUNA_MAX_MEMORY); lower num_ctx or PUNA_NUM_PARALLEL", null);
            }
            List<CompletableFuture<Void>> evicted = new ArrayList<>();
            if (r != null) {
                LOG.info("reloading {}: load options changed from {} to {}", model.name(), r.options, options);
                retire(r);
                evicted.add(r.unloaded);
            }
            while (active.size() >= maxLoaded) {
                evicted.add(evictIdle(model, "PUNA_MAX_LOADED_MODELS (" + maxLoaded + ") models are loaded and busy"));
            }
            while (used() + size > maxMemory) {
                evicted.add(evictIdle(model, "not enough memory: it needs about " + gib(size) + " and loaded models "
                        + "in use take " + gib(used()) + " of " + gib(maxMemory)));
            }
            if (vram > 0) {
                long budget = estimator.vramBudget();
                // Only other models are evicted: one planned past the budget on its own (num_gpu set by hand) is
                // loaded as asked, and llama.cpp reports if the GPU cannot hold it.
                while (usedVram() > 0 && usedVram() + vram > budget) {
                    evicted.add(evictIdle(model, "not enough GPU memory: it needs about " + gib(vram)
                            + " and loaded models in use take " + gib(usedVram()) + " of " + gib(budget), true));
                }
            }
            Runner n = new Runner(model, options, size, vram);
            n.refs = 1;
            n.keepAlive = keepAlive;
            active.put(model.name(), n);
            CompletableFuture.allOf(evicted.toArray(CompletableFuture[]::new))
                    .thenRunAsync(() -> load(n), executor);
            return n.ready.thenApply(served -> new Lease(n, served, System.nanoTime() - requested));
        }
    }

    /**
     * A lease on {@code model} when it is loaded and ready with {@code options}, else null (then use
     * {@link #acquire}). Never waits or does I/O, so event loops may call it.
     */
    public synchronized Lease leaseIfReady(CatalogModel model, LoadOptions options, Duration keepAlive) {
        Runner r = active.get(model.name());
        if (closed || r == null || !r.serves(model, options) || !r.ready.isDone() || r.ready.isCompletedExceptionally()) {
            return null;
        }
        r.refs++;
        r.keepAlive = keepAlive;
        cancelTimer(r);
        return new Lease(r, r.ready.join(), 0);
    }

    /**
     * The runtime model of a loaded, ready instance of {@code model} (the same file, under any load options), or
     * null: for work on its vocabulary alone ({@link Vocabularies}), which then reads nothing from disk. Takes no
     * lease: it neither holds the model nor moves its keep-alive, so the model may close under the caller, whose
     * next call on it then fails with {@link dev.puna.runtime.ResourceClosedException} (never a crash: the model's
     * own guard keeps the native object alive through a call). Never waits or does I/O.
     */
    public synchronized dev.puna.runtime.Model loadedModel(CatalogModel model) {
        Runner r = active.get(model.name());
        if (closed || r == null || r.retired || !r.model.path().equals(model.path()) || !r.ready.isDone()
                || r.ready.isCompletedExceptionally()) {
            return null;
        }
        Served s = r.ready.join();
        Engine e = s == null ? null : s.engine();
        return e == null || e.isClosed() ? null : e.model();
    }

    private CompletableFuture<Lease> join(Runner r, Duration keepAlive, long requested) {
        r.refs++;
        r.keepAlive = keepAlive;
        cancelTimer(r);
        boolean loaded = r.ready.isDone();
        return r.ready.thenApply(served -> new Lease(r, served, loaded ? 0 : System.nanoTime() - requested));
    }

    private void load(Runner n) {
        long start = System.nanoTime();
        Served served;
        try {
            served = loader.load(n.model, n.options);
        } catch (Throwable e) {
            synchronized (this) {
                active.remove(n.model.name(), n);
                n.unloaded.complete(null);
            }
            LOG.warn("loading {} failed: {}", n.model.name(), e.toString());
            n.ready.completeExceptionally(e);
            return;
        }
        LOG.info("loaded {} in {} ms ({} estimated, {})", n.model.name(), (System.nanoTime() - start) / 1_000_000,
                gib(n.size), n.options);
        boolean closeNow;
        synchronized (this) {
            closeNow = closed;
        }
        n.ready.complete(served);
        if (closeNow) {
            synchronized (this) {
                retire(n);
            }
        }
    }

    /** Retires the least recently used idle model, or throws 503 with {@code why}. Returns its unload future. */
    private CompletableFuture<Void> evictIdle(CatalogModel wanted, String why) {
        return evictIdle(wanted, why, false);
    }

    /** As above; with {@code onGpu} only a model holding VRAM qualifies (evicting a CPU-only one frees none). */
    private CompletableFuture<Void> evictIdle(CatalogModel wanted, String why, boolean onGpu) {
        Runner victim = null;
        for (Runner r : active.values()) {
            if (r.idle() && (!onGpu || r.vram > 0) && (victim == null || r.lastUsedNanos < victim.lastUsedNanos)) {
                victim = r;
            }
        }
        if (victim == null) {
            throw ApiException.unavailable("server busy: cannot load '" + wanted.name() + "' now: " + why
                    + "; retry later", 5);
        }
        LOG.info("unloading idle {} to make room for {}", victim.model.name(), wanted.name());
        retire(victim);
        return victim.unloaded;
    }

    private long used() {
        long sum = 0;
        for (Runner r : active.values()) {
            sum += r.size;
        }
        return sum;
    }

    private long usedVram() {
        long sum = 0;
        for (Runner r : active.values()) {
            sum += r.vram;
        }
        return sum;
    }

    private void released(Runner r) {
        r.refs--;
        r.lastUsedNanos = System.nanoTime();
        if (r.refs > 0) {
            return;
        }
        if (r.retired || closed) {
            startUnload(r);
        } else if (r.keepAlive.isZero()) {
            retire(r);
        } else if (Durations.isForever(r.keepAlive)) {
            r.expiresAt = farFuture();
        } else {
            r.expiresAt = Instant.now().plus(r.keepAlive);
            long generation = ++r.timerGeneration;
            r.timer = timers.schedule(() -> expire(r, generation), r.keepAlive.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private synchronized void expire(Runner r, long generation) {
        if (r.timerGeneration == generation && r.refs == 0 && !r.retired) {
            LOG.info("keep-alive of {} expired", r.model.name());
            retire(r);
        }
    }

    private void cancelTimer(Runner r) {
        r.timerGeneration++;
        if (r.timer != null) {
            r.timer.cancel(false);
            r.timer = null;
        }
        r.expiresAt = null;
    }

    /** Stops handing {@code r} out; unloads it now if idle, else when its last lease is released. */
    private void retire(Runner r) {
        cancelTimer(r);
        r.retired = true;
        active.remove(r.model.name(), r);
        retiring.add(r);
        if (r.refs == 0) {
            startUnload(r);
        }
    }

    private void startUnload(Runner r) {
        if (r.unloading) {
            return;
        }
        r.unloading = true;
        retiring.add(r);
        r.ready.whenCompleteAsync((served, error) -> {
            try {
                if (served != null) {
                    served.close();
                    LOG.info("unloaded {}", r.model.name());
                }
            } catch (RuntimeException e) {
                LOG.warn("unloading {} failed", r.model.name(), e);
            } finally {
                synchronized (this) {
                    retiring.remove(r);
                }
                r.unloaded.complete(null);
            }
        }, executor);
    }

    /**
     * Unloads {@code name} now if no request uses it, else once the requests using it end (Ollama's
     * {@code keep_alive: 0} with an empty prompt).
     *
     * @return completes when the model is unloaded, or at once when it is busy or not loaded
     */
    public synchronized CompletableFuture<Void> unload(String name) {
        Runner r = active.get(name);
        if (r == null) {
            return CompletableFuture.completedFuture(null);
        }
        r.keepAlive = Duration.ZERO;
        if (r.idle()) {
            retire(r);
            return r.unloaded;
        }
        return CompletableFuture.completedFuture(null);
    }

    /** The loaded models, most recently used first. */
    public synchronized List<Running> running() {
        List<Runner> ready = new ArrayList<>();
        for (Runner r : active.values()) {
            if (r.ready.isDone() && !r.ready.isCompletedExceptionally()) {
                ready.add(r);
            }
        }
        ready.sort((a, b) -> Long.compare(b.lastUsedNanos, a.lastUsedNanos));
        List<Running> out = new ArrayList<>();
        for (Runner r : ready) {
            Instant expires = r.expiresAt != null ? r.expiresAt
                    : Durations.isForever(r.keepAlive) ? farFuture() : Instant.now().plus(r.keepAlive);
            out.add(new Running(r.model, r.size + r.vram, expires, r.ready.join().contextLength(), r.refs, r.vram));
        }
        return out;
    }

    /**
     * One model instance as {@code /health} shows it.
     *
     * @param state {@code loading}, {@code loaded} or {@code unloading}
     * @param stats the engine's statistics once loaded, else null
     * @param expiresAt when the keep-alive runs out, or null while in use or not loaded
     */
    public record ModelState(String name, String state, int leases, int contextLength,
                             dev.puna.runtime.EngineStats stats, Instant expiresAt) {
    }

    /** Every model instance, loading ones included, by name. */
    public synchronized List<ModelState> states() {
        List<ModelState> out = new ArrayList<>();
        for (Runner r : active.values()) {
            boolean loaded = r.ready.isDone() && !r.ready.isCompletedExceptionally();
            if (r.ready.isCompletedExceptionally()) {
                continue; // a failed load is gone; its requests got the error
            }
            String state = r.unloading ? "unloading" : loaded ? "loaded" : "loading";
            Served served = loaded ? r.ready.join() : null;
            out.add(new ModelState(r.model.name(), state, r.refs, served == null ? 0 : served.contextLength(),
                    served == null || served.engine() == null ? null : served.engine().stats(), loaded && r.refs == 0 ? r.expiresAt : null));
        }
        out.sort(java.util.Comparator.comparing(ModelState::name));
        return out;
    }

    /** The engine statistics of every loaded model, by model name (for metrics). */
    public synchronized java.util.Map<String, dev.puna.runtime.EngineStats> engineStats() {
        java.util.Map<String, dev.puna.runtime.EngineStats> out = new java.util.TreeMap<>();
        for (Runner r : active.values()) {
            if (r.ready.isDone() && !r.ready.isCompletedExceptionally()) {
                out.put(ModelNames.canonical(r.model.name()), r.ready.join().engine().stats());
            }
        }
        return out;
    }

    private static Instant farFuture() {
        return Instant.now().plus(GO_MAX_DURATION);
    }

    private void checkOpen() {
        if (closed) {
            throw ApiException.unavailable("server is shutting down", 5);
        }
    }

    /**
     * Unloads every model, cancelling what still runs on them, and waits (up to {@code timeout}) for the unloads.
     * Call off the event loop.
     */
    public void close(Duration timeout) {
        List<CompletableFuture<Void>> unloads = new ArrayList<>();
        synchronized (this) {
            closed = true;
            for (Runner r : new ArrayList<>(active.values())) {
                retire(r);
            }
            for (Runner r : new ArrayList<>(retiring)) {
                startUnload(r); // even with leases out: the server is stopping
                unloads.add(r.unloaded);
            }
        }
        try {
            CompletableFuture.allOf(unloads.toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("models still unloading after {}", timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.warn("unloading failed", e);
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    private static String gib(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(java.util.Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        }
        return bytes + " bytes";
    }
}
