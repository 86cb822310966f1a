package dev.puna.runtime;

import dev.puna.bindings.Callbacks;
import dev.puna.bindings.Llama;
import dev.puna.runtime.cache.DiskCache;
import dev.puna.runtime.internal.AbortSwitch;
import dev.puna.runtime.internal.DecodeThreads;
import dev.puna.runtime.internal.DiskTier;
import dev.puna.runtime.internal.Futures;
import dev.puna.runtime.internal.NativeBatch;
import dev.puna.runtime.internal.PromptCache;
import dev.puna.runtime.internal.SlidingWindow;
import dev.puna.runtime.internal.StateSnapshots;
import java.lang.foreign.Arena;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Serves many generations on one {@link Model} at once with continuous batching: the serving counterpart of
 * {@link Session}.
 *
 * <p>An engine owns one llama.cpp context with {@code parallel} sequences (slots) and a decode thread of its
 * own. Every step of that thread builds one batch holding the next token of every running sequence plus chunks
 * of newly admitted prompts, so requests join between steps and a long prompt is evaluated in chunks alongside
 * the running streams instead of stalling them. Requests beyond the slots wait in a bounded queue.
 *
 * <p><b>Prompt cache.</b> A finished request's tokens stay in its slot's KV cache. A new request goes to the
 * free slot whose cache shares the longest prefix with its prompt and evaluates only the rest, so the second
 * turn of a chat costs only its new tokens ({@link GenerationResult#cachedPromptTokens()}). A conversation pushed out
 * of its slot is kept in host RAM, and, with {@link EngineParams.Builder#diskCache}, pushed out of RAM to disk, where
 * each slot's conversation also goes when the engine closes: an engine started later on the same directory, model key,
 * llama.cpp build and context settings resumes it.
 *
 * <p><b>Threads.</b> {@link #submit} and {@link #embed} may be called from any thread; submit tokenizes the
 * prompt on the calling thread and never waits for the decoder. Listeners run on the engine's decode thread,
 * one event at a time per generation and in order; they must not block (hand the event to another thread), as
 * every sequence waits for them. Everything the engine computes in llama.cpp, the warm-up and embeddings included,
 * runs on the decode thread, and {@link #onDecodeThread} puts other work for the same model there (a reranker's).
 * The reason is llama.cpp's CPU backend built with OpenMP: each OS thread that computes a graph keeps a team of
 * worker threads of its own, and once the teams hold more threads than there are cores, libgomp makes every team's
 * workers sleep on a futex between two graphs instead of spinning: a fresh server whose warm-up ran on the thread
 * that loaded the model decoded 12-34% slower than one whose warm-up ran here (see {@code EngineComputeThreadTest}).
 * For the same reason an idle engine lets its decode thread, and the team, go after
 * {@link EngineParams#threadKeepAlive()}, or as soon as another engine of the process computes (see
 * {@code DecodeThreads}); the next request, task or {@link #close()} starts another.
 *
 * <p><b>Ownership.</b> The engine holds a reference to the model until it is closed. {@link #close()} cancels
 * what is queued or running (their results fail with {@link ResourceClosedException}), waits for the decode
 * thread to leave native code and frees the context.
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(Engine.class);
    /** A lone request after a spell of requests that came one at a time waits this share of the batch window. */
    private static final int LONE_WINDOW_DIVISOR = 5;
    /** Prompt tokens in one batch above which its decode can be aborted by {@link #close()}. */
    private static final int ABORTABLE_PREFILL = 64;

    private final Model model;
    private final EngineParams params;
    private final Arena arena;
    private final MemorySegment ctx;
    private final MemorySegment memory;
    private final MemorySegment abortFlag;
    private final AbortSwitch abortSwitch;
    private final NativeBatch batch;
    private final int slotContext;
    private final boolean canShift;
    private final EngineSlot[] slots;
    /** Touched only by the decode thread. */
    private final PromptCache promptCache;
    private final SequenceSampler sampler;
    /** Touched only by the decode thread. */
    private final PrefixLoader prefixes;
    /** Touched only by the decode thread. */
    private final ImageEvaluator images;
    private final long idleSaveDelayNanos;
    private final long batchWindowNanos;
    private final StepBudget stepBudget;
    /** When the last request was queued ({@link System#nanoTime()}); guarded by {@link #lock}. */
    private long lastSubmitNanos;
    /** Requests announced by {@link #expectArrival} and not yet submitted (or given up). */
    private final AtomicInteger arriving = new AtomicInteger();
    /** When the decode thread began waiting for a burst's requests, or 0; touched only by the decode thread. */
    private long batchWaitSince;
    /**
     * The most generations the slots held at once since the engine last had none (the current busy spell); touched
     * only by the decode thread.
     */
    private int busyPeak;
    /**
     * Whether the last busy spell served its requests one at a time, which shortens the next lone request's batch
     * window ({@link #batchWait}). True for a new engine: a model is most often loaded by the request that needed it,
     * and requests that waited for the load together are announced ({@link #expectArrival}) together. Touched only
     * by the decode thread.
     */
    private boolean oneAtATime = true;
    /** When the last decode step ended ({@link System#nanoTime()}); touched only by the decode thread. */
    private long lastStepNanos = System.nanoTime();
    /** The draft model's side of speculative decoding, or null without a draft model. */
    private final Speculator speculator;
    /**
     * With a draft model and a target with recurrent layers: each drafting slot's recurrent state before its
     * verification, put back when the target rejects part of the draft (the state cannot drop tokens), or null.
     */
    private final StateSnapshots beforeVerify;
    /** Slots whose rejected draft was rolled back this step, with the tokens to evaluate again ({@link #replay}). */
    private final List<Replay> replays = new ArrayList<>();
    /** Touched only by the decode thread. */
    private final AdapterScheduler adapterScheduler = new AdapterScheduler();
    /** The adapter set last applied to {@link #ctx}; touched only by the decode thread. */
    private AdapterSet appliedAdapters = AdapterSet.NONE;
    /**
     * The decode thread, or null while none runs: an idle engine lets it go after
     * {@link EngineParams#threadKeepAlive()}, and the next work starts another ({@link #signalWork}). Written under
     * {@link #lock}.
     */
    private volatile Thread thread;
    private final long threadKeepAliveNanos;
    private final long firstTokenPauseNanos;
    /** The jobs a step may give their first token ({@link #pauseAfterFirstTokens}); decode thread only. */
    private final EngineJob[] beforeFirstToken;
    /** Asks this engine's idle decode thread to go when another engine computes ({@link DecodeThreads}). */
    private final DecodeThreads.Idler idler = this::leaveIfIdle;
    /** Set by {@link #leaveIfIdle}, read by {@link #awaitIdle}; guarded by {@link #lock}. */
    private boolean leaveNow;
    /**
     * Whether another engine computed while this one waited to save an idle slot: the thread goes once it saved,
     * unless work comes first. Guarded by {@link #lock}.
     */
    private boolean leaveAfterSave;
    /** Whether the decode thread idled (or just started) since it last computed; touched by the decode thread only. */
    private boolean idled;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    /** Guarded by {@link #lock}. */
    private final ArrayDeque<EngineJob> queue = new ArrayDeque<>();
    /** Work for the decode thread between two steps ({@link #onDecodeThread}); guarded by {@link #lock}. */
    private final ArrayDeque<DecodeThreadTask<?>> tasks = new ArrayDeque<>();
    /** The task the decode thread runs now, or null; failed by {@link #lose} so that its caller does not hang. */
    private volatile DecodeThreadTask<?> runningTask;
    /** Counted down once the decode thread has warmed up (or found nothing to warm up). */
    private final CountDownLatch warmedUp = new CountDownLatch(1);
    /** Guarded by {@link #lock}. */
    private boolean closing;
    /** Set when an RPC worker holding the model's layers was lost: the decode thread is stuck in llama.cpp. */
    private volatile RpcWorkerException lost;
    /** Guarded by {@link #lock}: set when the decode thread must look at its slots again. */
    private boolean signalled;
    private volatile int activeSlots;
    private volatile long kvTokensUsed;
    private volatile long promptCacheBytes;
    private volatile long promptCacheRestores;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();

    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong promptTokensEvaluated = new AtomicLong();
    private final AtomicLong promptTokensCached = new AtomicLong();
    private final AtomicLong tokensGenerated = new AtomicLong();
    private final AtomicLong decodeCalls = new AtomicLong();
    private final AtomicLong draftTokens = new AtomicLong();
    private final AtomicLong draftAccepted = new AtomicLong();

    private final ReentrantLock embedLock = new ReentrantLock();
    /** Guarded by {@link #embedLock}; opened on first use. */
    private Session embedSession;

    private Engine(Model model, EngineParams params) {
        this.model = model;
        this.params = params;
        SessionParams sp = params.session();
        int parallel = params.parallel();
        model.acquire();
        Arena a = Arena.ofShared();
        MemorySegment context = MemorySegment.NULL;
        NativeBatch b = null;
        try {
            this.abortFlag = Callbacks.newAbortFlag(a);
            long total = (long) sp.contextSize() * parallel;
            InvalidParameterException.require(total <= 1 << 24, "num_ctx",
                    "num_ctx × num_parallel = " + total + " tokens is more than a context can hold");
            context = NativeContext.create(model, sp, (int) total, parallel, params.unifiedKv(), -1);
            b = new NativeBatch(a, Llama.llama_n_batch(context), 1);
        } catch (RuntimeException | Error e) {
            if (!context.equals(MemorySegment.NULL)) {
                NativeContext.free(context);
            }
            a.close();
            model.release();
            throw e;
        }
        this.arena = a;
        this.ctx = context;
        this.batch = b;
        this.abortSwitch = new AbortSwitch(context, abortFlag);
        this.memory = Llama.llama_get_memory(context);
        this.canShift = Llama.llama_memory_can_shift(memory);
        this.slotContext = params.unifiedKv() ? Llama.llama_n_ctx(context) / parallel : Llama.llama_n_ctx_seq(context);
        this.promptCache = new PromptCache(params.promptCacheBytes(), diskTier(model, params, context));
        this.slots = new EngineSlot[parallel];
        for (int i = 0; i < parallel; i++) {
            slots[i] = new EngineSlot(i);
        }
        this.sampler = new SequenceSampler(model, slotContext, tokensGenerated);
        this.idleSaveDelayNanos = params.idleSaveDelay().toNanos();
        this.batchWindowNanos = params.batchWindow().toNanos();
        this.stepBudget = new StepBudget(params.stepTarget());
        this.prefixes = new PrefixLoader(context, promptCache, slots, params.promptCacheBytes() > 0,
                SlidingWindow.of(model.handle(), context, params.session().swaFull()),
                Llama.llama_model_is_recurrent(model.handle()) || Llama.llama_model_is_hybrid(model.handle()));
        this.images = new ImageEvaluator(context);
        Speculator spec = null;
        if (params.draftModel() != null) {
            try {
                spec = Speculator.open(model, params.draftModel(), params.draft(), sp, parallel, slotContext);
            } catch (RuntimeException | Error e) {
                batch.close();
                NativeContext.free(ctx);
                arena.close();
                model.release();
                throw e;
            }
        }
        this.speculator = spec;
        this.beforeVerify = spec != null && (Llama.llama_model_is_recurrent(model.handle())
                || Llama.llama_model_is_hybrid(model.handle())) ? new StateSnapshots(parallel) : null;
        // Not for embedding or rerank models (a declared pooling type): they serve no generations, and some have
        // no output layer to sample from.
        boolean pooled = model.gguf().getLong(model.info().architecture() + ".pooling_type").isPresent();
        boolean warm = spec == null && !pooled && params.warmupTokens() > 0;
        this.threadKeepAliveNanos = params.threadKeepAlive().toNanos();
        this.firstTokenPauseNanos = params.firstTokenPause().toNanos();
        this.beforeFirstToken = new EngineJob[slots.length];
        lock.lock();
        try {
            startThread(warm);
        } finally {
            lock.unlock();
        }
        awaitWarmUp();
        if (model.rpcLink() != null) {
            model.rpcLink().onLost(this::lose);
        }
    }

    /**
     * The disk cache's adapter scales, in the order given (the order of their files in the model key), or nothing
     * without adapters: a cache written without adapters keeps its identity.
     */
    private static String loraIdentity(List<LoraScale> adapters) {
        if (AdapterSet.of(adapters).isEmpty()) {
            return "";
        }
        StringBuilder s = new StringBuilder(";lora=");
        for (int i = 0; i < adapters.size(); i++) {
            s.append(i == 0 ? "" : ",").append(adapters.get(i).scale());
        }
        return s.toString();
    }

    /** The disk tier {@code params} ask for, or null; a directory that cannot be opened leaves the cache in RAM. */
    private static DiskTier diskTier(Model model, EngineParams params, MemorySegment context) {
        if (params.diskCacheDir() == null) {
            return null;
        }
        SessionParams sp = params.session();
        // Everything KV state depends on: a file written under any other value is never loaded.
        String identity = "model=" + params.diskCacheModelKey()
                + ";llama.cpp=" + LlamaCpp.release() + "+" + LlamaCpp.buildId()
                + ";kv=" + sp.kvCacheType() + ";flash_attn=" + sp.effectiveFlashAttention()
                + ";n_ctx=" + Llama.llama_n_ctx(context) + ";n_seq=" + params.parallel()
                + ";unified_kv=" + params.unifiedKv() + loraIdentity(params.diskCacheAdapters())
                // Only for models with sliding-window layers, so that other models' files keep their identity.
                + (Llama.llama_model_n_swa(model.handle()) > 0 ? ";swa_full=" + sp.swaFull() : "");
        try {
            DiskCache disk = DiskCache.open(params.diskCacheDir(), params.diskCacheBytes(), identity);
            LOG.debug("prompt cache for {} on disk in {}: {} sequences, {} bytes", model.info().name(),
                    disk.directory(), disk.size(), disk.bytes());
            // Writes waiting for the disk may hold as much host memory again as the RAM tier (at least 256 MiB).
            return new DiskTier(disk, AdapterSet.of(params.diskCacheAdapters()),
                    Math.max(params.promptCacheBytes(), 256L << 20));
        } catch (IOException | RuntimeException e) {
            LOG.warn("prompt cache for {} stays in RAM: cannot use {} ({})", model.info().name(),
                    params.diskCacheDir(), e.toString());
            return null;
        }
    }

    /**
     * Starts an engine on {@code model}: creates the context, warms it up ({@link EngineParams#warmupTokens()}) and
     * starts the decode thread. The warm-up runs before this method returns and leaves no trace: no tokens in
     * any slot's KV cache or the prompt cache, and {@link #stats()} all zero.
     *
     * @throws NativeException if llama.cpp cannot create the context (not enough memory, say)
     * @throws ResourceClosedException if the model is closed
     */
    public static Engine start(Model model, EngineParams params) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(params, "params");
        if (model.vocabOnly()) {
            throw new IllegalStateException("model " + model.info().path() + " was loaded with vocabOnly: it cannot run");
        }
        if (model.rpcLink() != null) {
            model.rpcLink().requireAlive();
        }
        return new Engine(model, params);
    }

    /** Starts a decode thread, the first one warming up the engine; under {@link #lock}. */
    private void startThread(boolean warm) {
        Thread t = Thread.ofPlatform().name("puna-engine-" + model.info().name()).daemon().unstarted(() -> run(warm));
        thread = t;
        t.start();
    }

    /**
     * Tells the decode thread to look at its work again, and starts one if none runs (the last one let go while the
     * engine idled; see {@link EngineParams#threadKeepAlive()}). Under {@link #lock}.
     */
    private void signalWork() {
        signalled = true;
        if (thread == null && !terminated.isDone()) {
            startThread(false);
        } else {
            work.signal();
        }
    }

    /** Waits, uninterruptibly, until the decode thread has finished its warm-up (it counts down even if it fails). */
    private void awaitWarmUp() {
        boolean interrupted = false;
        while (true) {
            try {
                warmedUp.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Generates {@code tokens} tokens from a short prompt in slot 0, through the very steps a request takes, on the
     * decode thread before it serves anything (the thread whose OpenMP team every later decode uses; see the class
     * comment's Threads), while {@link #start} waits, so the first request does not pay what only a first decode
     * costs: the weights' pages read in (mmap), llama.cpp's compute buffers and graph set up, the first JIT
     * compilations of the prefill, decode and sampling paths. Then forgets it: slot 0's KV cells are removed and
     * every counter reset, so no request can reuse it and no figure counts it. A failure here costs only the
     * warm-up (the first request meets the same failure and reports it). Not done with a draft model, whose context
     * would need clearing as well, nor for a model with a pooling type (embeddings, rerank).
     */
    private void warmUp(int tokens) {
        long start = System.nanoTime();
        EngineSlot s = slots[0];
        try {
            int[] prompt = model.tokenizeUnchecked("Warm up the engine", true, false);
            if (prompt.length == 0) {
                prompt = new int[] {0};
            }
            // The default sampler chain (not greedy) is what most requests run; a fixed seed keeps it repeatable.
            GenerateRequest request = GenerateRequest.builder().promptTokens(prompt).maxTokens(tokens)
                    .sampling(SamplingParams.builder().seed(42).build()).build();
            s.job = new EngineJob(request, GenerationListener.NONE, prompt, () -> { });
            for (int i = 0; s.job != null && i < prompt.length + tokens + 4; i++) {
                step();
            }
            if (s.job != null) {
                fail(s, new IllegalStateException("warm-up did not finish"));
            }
        } catch (RuntimeException e) {
            LOG.debug("warm-up of {} failed", model.info().path(), e);
            if (s.job != null) {
                fail(s, e);
            }
        }
        Llama.llama_memory_seq_rm(memory, s.seq, -1, -1);
        s.cached = new int[0];
        s.saved = null;
        s.cachedWith = AdapterSet.NONE;
        for (AtomicLong counter : List.of(requests, promptTokensEvaluated, promptTokensCached, tokensGenerated,
                decodeCalls, draftTokens, draftAccepted)) {
            counter.set(0);
        }
        busyPeak = 0; // not a request
        publishSlots();
        LOG.debug("warmed up {} in {} ms", model.info().name(), (System.nanoTime() - start) / 1_000_000);
    }

    /** The model this engine runs. */
    public Model model() {
        return model;
    }

    /** The settings this engine was started with. */
    public EngineParams params() {
        return params;
    }

    /**
     * Whether prompts pause for checkpoints: a model with sliding-window or recurrent layers and a host-RAM cache
     * to keep them in. Only then does {@link GenerateRequest.Builder#userMessageStarts} change anything, so a
     * server works them out only then.
     */
    public boolean keepsCheckpoints() {
        return prefixes.keepsCheckpoints();
    }

    /** Tokens each slot's context holds (llama.cpp rounds {@code num_ctx} up to a multiple of 256). */
    public int slotContextSize() {
        return slotContext;
    }

    /**
     * Announces a request on its way to {@link #submit}, e.g. one whose prompt a server is still rendering and
     * tokenizing: until the arrival is closed, an engine with nothing to decode holds its first step for it (at most
     * {@link EngineParams#BATCH_WINDOW_CAP} batch windows in all, as it holds it for requests that came a moment ago;
     * see {@link EngineParams#batchWindow()}). A burst whose requests reach the engine further apart than one window,
     * as they do when a few cores prepare dozens of them, is evaluated together instead of one request's prompt
     * alone first. Close it once the request is submitted or given up; closing again does nothing. Thread-safe.
     */
    public Arrival expectArrival() {
        arriving.incrementAndGet();
        return new Arrival();
    }

    /** Announced requests not yet submitted or given up: 0 whenever no request is on its way. */
    public int arrivingRequests() {
        return arriving.get();
    }

    /** A request announced by {@link #expectArrival}; {@link #close} when it is submitted or will not be. */
    public final class Arrival implements AutoCloseable {
        private final AtomicBoolean closed = new AtomicBoolean();

        private Arrival() {
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                arriving.decrementAndGet();
                wake();
            }
        }
    }

    /**
     * Queues a generation. Returns at once; the listener receives the events on the decode thread and the
     * handle's result completes when the generation ends.
     *
     * @throws InvalidParameterException for an empty prompt or invalid token ids
     * @throws ContextOverflowException if the prompt does not fit a slot's context and truncation is off
     * @throws QueueFullException if {@code maxQueue} requests are already waiting
     * @throws ResourceClosedException if the engine is closed
     */
    public GenerationHandle submit(GenerateRequest request, GenerationListener listener) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(listener, "listener");
        ImagePrompt images = request.visionPrompt() == null ? null : ImagePrompt.of(request.visionPrompt(), model);
        int[] prompt;
        int[] starts = new int[0];
        if (images != null) {
            prompt = images.tokens();
            if (prompt.length >= slotContext) {
                // Truncating would cut images apart: a prompt with images must fit as it is.
                throw new ContextOverflowException(prompt.length, slotContext);
            }
        } else {
            int[] tokens = promptTokens(request);
            prompt = fit(tokens, request);
            starts = startsAfterFit(request.userMessageStarts(), tokens.length, prompt.length, request.numKeep());
        }
        AdapterSet adapters = adapters(request);
        adapters.acquire();
        EngineJob job = new EngineJob(request, listener, prompt, this::wake, adapters);
        job.images = images;
        job.userMessageStarts = starts;
        lock.lock();
        try {
            if (lost != null) {
                throw new RpcWorkerException(lost.getMessage());
            }
            if (closing) {
                throw new ResourceClosedException("engine for " + model.info().path() + " is closed");
            }
            if (queue.size() >= params.maxQueue()) {
                throw new QueueFullException(params.maxQueue());
            }
            job.cancelRegistration = request.cancellation().onCancel(this::wake);
            queue.addLast(job);
            lastSubmitNanos = System.nanoTime();
            signalWork();
        } catch (RuntimeException e) {
            job.release();
            throw e;
        } finally {
            lock.unlock();
        }
        return job.handle;
    }

    private AdapterSet adapters(GenerateRequest request) {
        for (LoraScale s : request.adapters()) {
            if (s.adapter().model() != model) {
                throw new InvalidParameterException("lora", "adapter " + s.adapter().path()
                        + " was loaded for another model, not " + model.info().path());
            }
        }
        return AdapterSet.of(request.adapters());
    }

    private int[] promptTokens(GenerateRequest request) {
        int[] tokens = request.promptTokens();
        if (tokens != null) {
            for (int t : tokens) {
                model.checkToken(t, "prompt");
            }
        } else {
            tokens = model.tokenizeUnchecked(request.prompt(), request.addSpecial(), request.parseSpecial());
        }
        if (tokens.length == 0) {
            throw new InvalidParameterException("prompt", "the prompt is empty (no tokens to evaluate)");
        }
        return tokens;
    }

    /**
     * The prompt as it will be evaluated: unchanged if it leaves room for one generated token, else, with
     * truncation on, its first {@code numKeep} tokens and as many of its last tokens as fill three quarters of
     * the context (the rest is room to generate), as Ollama keeps {@code num_keep} and drops the oldest history.
     */
    private int[] fit(int[] prompt, GenerateRequest request) {
        if (prompt.length < slotContext) {
            return prompt;
        }
        if (!request.truncate()) {
            throw new ContextOverflowException(prompt.length, slotContext);
        }
        int target = Math.max(1, slotContext * 3 / 4);
        int keep = Math.min(request.numKeep(), target / 2);
        int[] out = new int[target];
        System.arraycopy(prompt, 0, out, 0, keep);
        System.arraycopy(prompt, prompt.length - (target - keep), out, keep, target - keep);
        return out;
    }

    /**
     * Where user messages start in a prompt of {@code original} tokens that {@link #fit} cut to {@code fitted}: those
     * in the kept head stay, those in the kept tail move with it, those in the dropped middle go.
     */
    static int[] startsAfterFit(int[] starts, int original, int fitted, int numKeep) {
        if (fitted == original) {
            return starts;
        }
        int keep = Math.min(numKeep, fitted / 2);
        int dropped = original - fitted;
        return Arrays.stream(starts)
                .map(s -> s < keep ? s : s >= keep + dropped ? s - dropped : -1)
                .filter(s -> s >= 0).toArray();
    }

    private void wake() {
        lock.lock();
        try {
            signalWork();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Computes one L2-normalised embedding per input on the engine's embedding context (opened on first use
     * with the model's pooling, else mean). Computed on the decode thread between two steps, the caller waiting
     * (see {@link #onDecodeThread}).
     *
     * @throws ContextOverflowException if an input does not fit in one batch
     * @throws ResourceClosedException if the engine is closed
     */
    public float[][] embed(List<String> inputs) {
        Objects.requireNonNull(inputs, "inputs");
        return onDecodeThread(() -> onEmbedSession(session -> session.embed(inputs)));
    }

    /**
     * Like {@link #embed(List)} for token sequences taken exactly as given (no BOS added); see
     * {@link Session#embedTokens(List)}.
     *
     * @throws InvalidParameterException for an empty sequence or a token id outside the vocabulary
     * @throws ContextOverflowException if a sequence does not fit in one batch
     * @throws ResourceClosedException if the engine is closed
     */
    public float[][] embedTokens(List<int[]> inputs) {
        Objects.requireNonNull(inputs, "inputs");
        return onDecodeThread(() -> onEmbedSession(session -> session.embedTokens(inputs)));
    }

    /**
     * Runs {@code action} on the engine's decode thread between two decode steps, and returns what it returns (or
     * throws what it throws, unchecked). For native work on the engine's model outside the engine's own context,
     * such as scoring with a {@link Reranker}: llama.cpp computes on the calling thread, and a thread other than the
     * decode thread would start an OpenMP team of its own (see the class comment's Threads). The running
     * generations wait while it runs. Called on the decode thread (from a listener), it runs at once.
     *
     * @throws ResourceClosedException if the engine is closed, or closes before {@code action} started
     */
    public <T> T onDecodeThread(Supplier<T> action) {
        Objects.requireNonNull(action, "action");
        if (Thread.currentThread() == thread) {
            return action.get();
        }
        DecodeThreadTask<T> task = new DecodeThreadTask<>(action);
        lock.lock();
        try {
            if (closing) {
                throw lost != null ? lost : new ResourceClosedException("engine for " + model.info().path()
                        + " is closed");
            }
            tasks.add(task);
            signalWork();
        } finally {
            lock.unlock();
        }
        return Futures.joinUnwrapped(task.result);
    }

    /** Work handed to the decode thread by {@link #onDecodeThread}, and its caller's result. */
    private static final class DecodeThreadTask<T> {
        final Supplier<T> action;
        final CompletableFuture<T> result = new CompletableFuture<>();

        DecodeThreadTask(Supplier<T> action) {
            this.action = action;
        }

        void run() {
            try {
                result.complete(action.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }
    }

    /** Runs the tasks queued by {@link #onDecodeThread}, oldest first, until none is left. */
    private void runTasks() {
        while (true) {
            DecodeThreadTask<?> task;
            lock.lock();
            try {
                task = tasks.poll();
            } finally {
                lock.unlock();
            }
            if (task == null) {
                return;
            }
            runningTask = task;
            try {
                task.run();
            } finally {
                runningTask = null;
            }
        }
    }

    private float[][] onEmbedSession(java.util.function.Function<Session, float[][]> work) {
        embedLock.lock();
        try {
            if (isClosed()) {
                throw new ResourceClosedException("engine for " + model.info().path() + " is closed");
            }
            if (embedSession == null) {
                SessionParams sp = params.session();
                embedSession = new Session(model, sp.toBuilder().embeddings(true)
                        .batchSize(Math.max(sp.batchSize(), sp.contextSize()))
                        .ubatchSize(Math.max(sp.batchSize(), sp.contextSize())).build());
            }
            return work.apply(embedSession);
        } finally {
            embedLock.unlock();
        }
    }

    /** A snapshot of the engine's state and counters. */
    public EngineStats stats() {
        int queued;
        lock.lock();
        try {
            queued = queue.size();
        } finally {
            lock.unlock();
        }
        return new EngineStats(slots.length, activeSlots, queued, kvTokensUsed, (long) slotContext * slots.length,
                requests.get(), promptTokensEvaluated.get(), promptTokensCached.get(), tokensGenerated.get(),
                decodeCalls.get(), promptCacheBytes, promptCacheRestores, draftTokens.get(), draftAccepted.get(),
                speculator == null ? 0 : speculator.evaluated());
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        lock.lock();
        try {
            return closing;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Cancels every queued and running generation (their results fail with {@link ResourceClosedException}),
     * stops the decode thread within one decode step and frees the context. Idempotent; safe from any thread,
     * a listener included (then the context is freed after the listener returns).
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (!closing) {
                closing = true;
                Callbacks.setAbortFlag(abortFlag, true);
                signalWork(); // with no thread running, a new one frees the context
            }
        } finally {
            lock.unlock();
        }
        embedLock.lock();
        try {
            if (embedSession != null) {
                embedSession.close();
            }
        } finally {
            embedLock.unlock();
        }
        if (Thread.currentThread() != thread) {
            terminated.join();
        }
    }

    // ---- decode thread ----

    /** What the decode thread does next. */
    private enum Next { STEP, TASK, SAVE_IDLE, RETIRE, STOP }

    private void run(boolean warm) {
        Throwable failure = null;
        boolean retired = false;
        idled = true;
        try {
            try {
                if (warm) {
                    computing();
                    warmUp(params.warmupTokens());
                }
            } finally {
                warmedUp.countDown();
            }
            for (Next next; !retired && (next = awaitWork()) != Next.STOP; ) {
                switch (next) {
                    case SAVE_IDLE -> saveIdleSlot();
                    case TASK -> {
                        computing();
                        runTasks();
                    }
                    case RETIRE -> retired = true;
                    default -> {
                        computing();
                        step();
                    }
                }
            }
        } catch (Throwable t) {
            failure = t;
            retired = false;
            LOG.error("engine for {} stopped on an unexpected error", model.info().path(), t);
        } finally {
            DecodeThreads.gone(idler);
            if (!retired) {
                shutDown(failure);
            }
        }
    }

    /**
     * Before the decode thread computes after idling: asks the other engines' idle decode threads to go, so that
     * their OpenMP teams do not make this one's sleep between graphs ({@link DecodeThreads}). Holds no lock.
     */
    private void computing() {
        if (idled) {
            idled = false;
            DecodeThreads.computing(idler);
        }
    }

    /** Another engine is about to compute: if this one idles, its decode thread goes now ({@link #awaitIdle}). */
    private void leaveIfIdle() {
        lock.lock();
        try {
            leaveNow = true;
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Admits queued jobs into free slots and waits until some slot has work, or, when there is none, until an idle
     * slot's conversation is to be saved to host RAM ({@link #saveIdleSlot}).
     */
    private Next awaitWork() throws InterruptedException {
        List<EngineJob> cancelled = new ArrayList<>();
        try {
            lock.lock();
            try {
                while (true) {
                    if (closing) {
                        return Next.STOP;
                    }
                    if (!tasks.isEmpty()) {
                        leaveAfterSave = false;
                        return Next.TASK;
                    }
                    signalled = false;
                    queue.removeIf(job -> job.cancelled() && cancelled.add(job));
                    admit();
                    if (runnable() || !cancelled.isEmpty()) {
                        long wait = cancelled.isEmpty() ? batchWait() : 0;
                        if (wait > 0) {
                            awaitUnlessSignalled(wait);
                            continue;
                        }
                        batchWaitSince = 0;
                        leaveAfterSave = false;
                        return Next.STEP;
                    }
                    if (prefixes.unsavedIdle() != null) {
                        // Not right away: the conversation's next turn may be on its way (see idleSaveDelay). At
                        // once when another engine computes, so that this thread can go after it (awaitIdle).
                        long wait = idleSaveDelayNanos - (System.nanoTime() - lastStepNanos);
                        if (wait <= 0) {
                            return Next.SAVE_IDLE;
                        }
                        if (awaitUnlessOthersCompute(wait)) {
                            leaveAfterSave = true;
                            return Next.SAVE_IDLE;
                        }
                        continue;
                    }
                    if (awaitIdle()) {
                        thread = null; // with the lock held: the next signalWork starts another
                        return Next.RETIRE;
                    }
                }
            } finally {
                lock.unlock();
            }
        } finally {
            for (EngineJob job : cancelled) {
                complete(job, emptyResult(job, FinishReason.CANCELLED));
            }
        }
    }

    /**
     * How much longer to wait for more of a burst's requests before the first step (see
     * {@link EngineParams#batchWindow()}), or 0 to step now: when nothing is being decoded yet, a slot is still free,
     * and the last request came less than a window ago (a fifth of one for a lone request after a spell of requests
     * that came one at a time) or an announced one ({@link #expectArrival}) is still on its way, within
     * {@link EngineParams#BATCH_WINDOW_CAP} windows of the first. Called with {@link #lock} held.
     */
    private long batchWait() {
        if (batchWindowNanos == 0) {
            return 0;
        }
        // Checked on every step: the usual answer (already decoding) comes first, from the lowest busy slot.
        int waiting = 0;
        for (EngineSlot s : slots) {
            if (s.job != null) {
                if (s.job.sampler != null) {
                    return 0; // already decoding: a newcomer joins the next step, which is short
                }
                waiting++;
            }
        }
        if (SlotSelector.freeSlot(slots) == null) {
            return 0;
        }
        long now = System.nanoTime();
        if (batchWaitSince == 0) {
            batchWaitSince = now;
            // No slot has stepped its generation yet, so the busy spell before has ended: was it one at a time?
            if (busyPeak > 0) {
                oneAtATime = busyPeak == 1;
                busyPeak = 0;
            }
        }
        // After requests that came one at a time, a lone request most likely stays alone (a conversation's next turn,
        // an agent's next call): waiting the whole window for company would only add it to its first token. A fifth
        // of it still catches requests submitted together; a second one arriving restores the whole window.
        long window = oneAtATime && waiting == 1 ? batchWindowNanos / LONE_WINDOW_DIVISOR
                : batchWindowNanos;
        long quiet = lastSubmitNanos + window - now;
        long cap = batchWaitSince + EngineParams.BATCH_WINDOW_CAP * batchWindowNanos - now;
        // announced requests still being prepared count as arriving, however long since the last one came
        return Math.max(0, arriving.get() > 0 ? cap : Math.min(quiet, cap));
    }

    /**
     * Waits for a signal while the engine has nothing to do, and returns true if the thread should go instead: no
     * signal came for {@link EngineParams#threadKeepAlive()}, or another engine is about to compute
     * ({@link #leaveIfIdle}; not with a keep-alive of 0, which keeps the thread for good), and no slot holds a
     * generation. Under {@link #lock}.
     */
    private boolean awaitIdle() throws InterruptedException {
        idled = true;
        if (threadKeepAliveNanos == 0) {
            DecodeThreads.waiting(idler, false);
            while (!signalled) {
                work.await();
            }
            return false;
        }
        long left = threadKeepAliveNanos;
        leaveNow = DecodeThreads.waiting(idler, true) || leaveAfterSave;
        leaveAfterSave = false;
        try {
            while (!signalled) {
                if (left <= 0 || leaveNow) {
                    if (queue.isEmpty() && tasks.isEmpty() && Arrays.stream(slots).allMatch(s -> s.job == null)) {
                        return true;
                    }
                    if (left <= 0) {
                        return false;
                    }
                    leaveNow = false; // a slot holds a generation (paused for a slow reader): the thread stays
                }
                left = work.awaitNanos(left);
            }
            return false;
        } finally {
            DecodeThreads.stopWaiting(idler);
        }
    }

    /**
     * Waits, as idle, for a signal or {@code nanos}, whichever comes first, and returns true if another engine
     * computes meanwhile ({@link #leaveIfIdle}; never with a keep-alive of 0). Under {@link #lock}.
     */
    private boolean awaitUnlessOthersCompute(long nanos) throws InterruptedException {
        idled = true;
        leaveNow = DecodeThreads.waiting(idler, threadKeepAliveNanos != 0);
        try {
            if (!leaveNow) {
                awaitUnlessSignalled(nanos);
            }
            return leaveNow;
        } finally {
            DecodeThreads.stopWaiting(idler);
        }
    }

    /** Waits for a signal or {@code nanos}, whichever comes first; not at all when a signal came already. */
    private void awaitUnlessSignalled(long nanos) throws InterruptedException {
        if (!signalled) {
            work.awaitNanos(nanos);
        }
    }

    /** Moves queued jobs into free slots, chosen by {@link SlotSelector#slotFor}. */
    private void admit() {
        EngineSlot s;
        while (!queue.isEmpty()
                && (s = SlotSelector.slotFor(slots, queue.peekFirst().prompt, queue.peekFirst().adapters)) != null) {
            s.job = queue.pollFirst();
        }
    }

    /** Saves one idle slot's conversation to host RAM ({@link PrefixLoader#saveIdle}). */
    private void saveIdleSlot() {
        if (prefixes.saveIdle()) {
            publishSlots();
        }
    }

    private boolean runnable() {
        for (EngineSlot s : slots) {
            EngineJob job = s.job;
            if (job != null && (job.sampler == null || job.prefilling() || !job.handle.isPaused() || job.cancelled())) {
                return true;
            }
        }
        return false;
    }

    /** One decode step over every slot that has work. */
    private void step() {
        int busy = 0;
        int awaiting = 0;
        for (EngineSlot s : slots) {
            if (s.job == null) {
                continue;
            }
            busy++;
            // a listener that is NONE (the warm-up's) hands nothing off
            if (firstTokenPauseNanos > 0 && s.job.firstTokenNanos == 0 && s.job.listener != GenerationListener.NONE) {
                beforeFirstToken[awaiting++] = s.job;
            }
        }
        busyPeak = Math.max(busyPeak, busy);
        try {
            decodeStep();
        } finally {
            lastStepNanos = System.nanoTime();
            publishSlots();
        }
        pauseAfterFirstTokens(awaiting);
    }

    /**
     * Sleeps {@link EngineParams#firstTokenPause()} if one of the first {@code awaiting} jobs of
     * {@link #beforeFirstToken} got its first token in the step just taken: the listener's hand-off then finds a
     * core to run on before the next step takes them all.
     */
    private void pauseAfterFirstTokens(int awaiting) {
        boolean firstToken = false;
        for (int i = 0; i < awaiting; i++) {
            firstToken |= beforeFirstToken[i].firstTokenNanos != 0;
            beforeFirstToken[i] = null;
        }
        if (!firstToken) {
            return;
        }
        long until = System.nanoTime() + firstTokenPauseNanos;
        for (long left = firstTokenPauseNanos; left > 0 && !Thread.currentThread().isInterrupted();
                left = until - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    /** Updates the figures {@link #stats()} reads; also before a result completes, so callers see its slot free. */
    private void publishSlots() {
        int active = 0;
        long used = 0;
        for (EngineSlot s : slots) {
            active += s.job == null ? 0 : 1;
            used += s.cached.length;
        }
        activeSlots = active;
        kvTokensUsed = used;
        promptCacheBytes = promptCache.bytes();
        promptCacheRestores = promptCache.restores();
    }

    private void decodeStep() {
        for (EngineSlot s : slots) {
            if (s.job != null && s.job.sampler == null) {
                start(s);
            }
            if (s.job != null && s.job.cancelled()) {
                finish(s, FinishReason.CANCELLED);
            }
        }

        AdapterSet adapters = adapterScheduler.choose(slots);
        if (!evaluateImages(adapters)) {
            return;
        }
        if (speculator != null) {
            // Half the batch at most for drafts, so that prompts being evaluated keep moving.
            speculator.draft(slots, adapters, (batch.capacity() - slots.length) / 2);
            snapshotBeforeVerify();
        }
        BatchBuilder.Built built = BatchBuilder.fill(batch, slots, adapters, stepBudget.tokens(batch.capacity()));
        if (batch.size() == 0) {
            return;
        }
        if (!apply(adapters, built.slots())) {
            return;
        }
        // Only a batch with a long prompt chunk is worth aborting when the engine closes (see AbortSwitch).
        abortSwitch.arm(built.promptTokens() > ABORTABLE_PREFILL);
        long stepStart = System.nanoTime();
        int rc = batch.decode(ctx);
        decodeCalls.incrementAndGet();
        if (rc != 0) {
            decodeFailed(rc, built.slots());
            return;
        }
        // On a GPU the decode may return before the work is done; the shorter time only makes the budget larger.
        stepBudget.record(batch.size(), System.nanoTime() - stepStart);
        for (EngineSlot s : built.slots()) {
            EngineJob job = s.job;
            int n = built.promptTokens(s);
            if (n > 0) {
                s.cached = append(s.cached, job.prompt, job.prefilled, n);
                job.prefilled += n;
                promptTokensEvaluated.addAndGet(n);
                if (job.prefilled == job.checkpointAt) {
                    prefixes.checkpoint(s);
                    job.checkpointAt = prefixes.checkpointAt(job, job.prefilled);
                }
            }
        }
        for (EngineSlot s : built.slots()) {
            if (s.job.outIndex >= 0) {
                if (built.promptTokens(s) > 0) {
                    sample(s);
                } else {
                    decoded(s);
                }
            }
        }
        replay();
    }

    /**
     * With a recurrent target, the state of every slot that verifies a draft this step, for {@link #rollBack}; a slot
     * whose state cannot be taken decodes its pending token without its draft.
     */
    private void snapshotBeforeVerify() {
        if (beforeVerify == null) {
            return;
        }
        for (EngineSlot s : slots) {
            if (s.job != null && s.job.drafted.length > 0 && !beforeVerify.save(ctx, s.seq, s.cached)) {
                s.job.drafted = Speculator.NO_DRAFT;
            }
        }
    }

    /** A slot put back to its state before a verification, and the accepted tokens it evaluates again. */
    private record Replay(EngineSlot slot, int[] tokens) {
    }

    /**
     * Evaluates again, in one decode, what the slots whose draft was partly rejected accepted (their pending token
     * and the accepted drafted ones), after {@link #decoded} put their recurrent state back to before the
     * verification: llama-server's way with such models. Runs after every slot has sampled from the step's logits,
     * which this decode replaces.
     */
    private void replay() {
        if (replays.isEmpty()) {
            return;
        }
        batch.clear();
        for (Replay r : replays) {
            batch.addRun(r.tokens(), 0, r.tokens().length, r.slot().cached.length, r.slot().seq, false);
        }
        abortSwitch.arm(false);
        int rc = batch.decode(ctx);
        decodeCalls.incrementAndGet();
        for (Replay r : replays) {
            EngineSlot s = r.slot();
            if (rc == 0) {
                s.cached = append(s.cached, r.tokens(), 0, r.tokens().length);
            } else {
                // What the slot holds is unknown now: nothing is kept, and a generation going on cannot.
                Llama.llama_memory_seq_rm(memory, s.seq, -1, -1);
                s.cached = new int[0];
                if (s.job != null) {
                    fail(s, new NativeException("llama_decode failed with status " + rc
                            + " evaluating the accepted draft tokens again"));
                }
            }
        }
        replays.clear();
    }

    /**
     * Makes {@code adapters} the context's LoRA set, failing {@code users} (the slots about to decode with it) when
     * llama.cpp refuses. False if it failed.
     */
    private boolean apply(AdapterSet adapters, List<EngineSlot> users) {
        if (adapters.equals(appliedAdapters)) {
            return true;
        }
        try {
            adapters.applyTo(ctx);
        } catch (RuntimeException e) {
            for (EngineSlot s : users) {
                s.job.outIndex = -1;
                fail(s, e);
            }
            return false;
        }
        appliedAdapters = adapters;
        return true;
    }

    /**
     * Evaluates, through the projector, every image a prefilling sequence of this step's adapter set has reached:
     * its embeddings go straight into the sequence's KV cells (llama.cpp decodes them in batches of their own, as
     * llama-server does), and its text after it joins the batches as usual. Other sequences wait for the image,
     * as they wait for any decode. False if the step should end here (the adapters could not be applied).
     */
    private boolean evaluateImages(AdapterSet adapters) {
        List<EngineSlot> reached = new ArrayList<>();
        for (EngineSlot s : slots) {
            if (ImageEvaluator.reached(s) && s.job.adapters.equals(adapters)) {
                reached.add(s);
            }
        }
        if (reached.isEmpty()) {
            return true;
        }
        if (!apply(adapters, reached)) {
            return false;
        }
        for (EngineSlot s : reached) {
            ImageEvaluator.Evaluated done = images.evaluate(s, this::fail);
            decodeCalls.addAndGet(done.decodes());
            promptTokensEvaluated.addAndGet(done.cells());
            if (done.aborted()) {
                return true;
            }
        }
        return true;
    }

    /**
     * After a decode of a running sequence's pending token and its draft: samples as far as the target agrees with
     * the draft ({@link SequenceSampler#verify}) and drops the rejected drafted tokens from the KV cache.
     */
    private void decoded(EngineSlot s) {
        EngineJob job = s.job;
        int index = job.outIndex;
        job.outIndex = -1;
        int[] drafted = job.drafted;
        job.drafted = Speculator.NO_DRAFT;
        int before = s.cached.length;
        s.cached = append(append(s.cached, new int[] {job.pending}, 0, 1), drafted, 0, drafted.length);
        try {
            SequenceSampler.Verified v = sampler.verify(ctx, job, index, drafted);
            if (drafted.length > 0) {
                job.draftTokens += drafted.length;
                job.draftAccepted += v.accepted();
                draftTokens.addAndGet(drafted.length);
                draftAccepted.addAndGet(v.accepted());
                int keep = before + 1 + v.accepted();
                if (keep < s.cached.length && beforeVerify != null) {
                    rollBack(s, before, keep);
                } else if (keep < s.cached.length) {
                    Llama.llama_memory_seq_rm(memory, s.seq, keep, -1);
                    s.cached = Arrays.copyOf(s.cached, keep);
                }
            }
            endOrGoOn(s, v.reason());
        } catch (RuntimeException | Error e) {
            fail(s, e);
        }
    }

    /**
     * A recurrent state cannot drop the rejected tokens: puts back the one from before the verification and drops
     * everything after {@code before} (attention caches of a hybrid), so that {@link #replay} evaluates the accepted
     * tokens again; the slot's tokens stay those of the first {@code keep}, which it holds again after the replay.
     *
     * @throws NativeException if llama.cpp refuses the snapshot
     */
    private void rollBack(EngineSlot s, int before, int keep) {
        if (!beforeVerify.restore(ctx, s.seq) || !Llama.llama_memory_seq_rm(memory, s.seq, before, -1)) {
            Llama.llama_memory_seq_rm(memory, s.seq, -1, -1);
            s.cached = new int[0];
            throw new NativeException("could not put back the state before a rejected draft");
        }
        int[] accepted = Arrays.copyOfRange(s.cached, before, keep);
        s.cached = Arrays.copyOf(s.cached, before);
        replays.add(new Replay(s, accepted));
    }

    /** Finishes the job for {@code reason}, or, when it goes on in a full slot, shifts the context or ends it. */
    private void endOrGoOn(EngineSlot s, FinishReason reason) {
        if (reason == null && s.cached.length >= slotContext && !shift(s)) {
            reason = FinishReason.CONTEXT_FULL;
        }
        if (reason != null) {
            finish(s, reason);
        }
    }

    /**
     * Prepares a newly admitted job: its slot gets the longest cached prefix of the prompt ({@link PrefixLoader}) and
     * the job its sampler.
     */
    private void start(EngineSlot s) {
        EngineJob job = s.job;
        if (job.cancelled()) {
            finish(s, FinishReason.CANCELLED);
            return;
        }
        int keep = prefixes.load(s, job);
        job.reused = keep;
        job.prefilled = keep;
        job.checkpointAt = prefixes.checkpointAt(job, keep);
        promptTokensCached.addAndGet(keep);
        try {
            sampler.prepare(job);
        } catch (RuntimeException e) {
            fail(s, e);
        }
    }

    private void sample(EngineSlot s) {
        EngineJob job = s.job;
        int index = job.outIndex;
        job.outIndex = -1;
        try {
            endOrGoOn(s, sampler.next(ctx, job, index));
        } catch (RuntimeException | Error e) {
            fail(s, e);
        }
    }

    /** Ollama's context shift for a full slot, when the request allows it ({@link PrefixLoader#shift}). */
    private boolean shift(EngineSlot s) {
        return s.job.request.shift() && canShift && prefixes.shift(s, s.job.request.numKeep());
    }

    private void decodeFailed(int rc, List<EngineSlot> inBatch) {
        for (EngineSlot s : inBatch) {
            // Part of the batch may be in the KV cache now; drop what the slot does not account for.
            Llama.llama_memory_seq_rm(memory, s.seq, s.cached.length, -1);
            s.job.outIndex = -1;
        }
        if (rc == 2 && isClosed()) {
            return;
        }
        NativeException e = new NativeException("llama_decode failed with status " + rc
                + (rc == 1 ? " (no KV cache slot for the batch)" : ""));
        for (EngineSlot s : inBatch) {
            fail(s, e);
        }
    }

    private void finish(EngineSlot s, FinishReason reason) {
        EngineJob job = s.job;
        GenerationResult result;
        try {
            FinishReason finalReason = job.completion == null ? reason : job.completion.finish(reason, job.listener);
            result = result(job, finalReason);
        } catch (RuntimeException | Error e) {
            fail(s, e);
            return;
        }
        s.job = null;
        publishSlots();
        complete(job, result);
    }

    private GenerationResult result(EngineJob job, FinishReason reason) {
        long end = System.nanoTime();
        long promptStart = job.promptStartNanos == 0 ? end : job.promptStartNanos;
        long firstToken = job.firstTokenNanos == 0 ? end : job.firstTokenNanos;
        int n = job.completion == null ? 0 : job.completion.count();
        Timings timings = new Timings(0, firstToken - promptStart, end - firstToken, job.prefilled - job.reused, n);
        return new GenerationResult(job.completion == null ? "" : job.completion.text(),
                job.completion == null ? new int[0] : job.completion.tokens(), reason, job.prompt.length, job.reused,
                n, timings, new GenerationResult.Drafts(job.draftTokens, job.draftAccepted));
    }

    private static GenerationResult emptyResult(EngineJob job, FinishReason reason) {
        return new GenerationResult("", new int[0], reason, job.prompt.length, 0, 0, new Timings(0, 0, 0, 0, 0));
    }

    private void fail(EngineSlot s, Throwable e) {
        EngineJob job = s.job;
        s.job = null;
        publishSlots();
        job.release();
        requests.incrementAndGet();
        job.result.completeExceptionally(e);
    }

    private void complete(EngineJob job, GenerationResult result) {
        job.release();
        requests.incrementAndGet();
        job.result.complete(result);
    }

    private static int[] append(int[] cached, int[] tokens, int from, int n) {
        int[] grown = Arrays.copyOf(cached, cached.length + n);
        System.arraycopy(tokens, from, grown, cached.length, n);
        return grown;
    }

    /**
     * An RPC worker holding the model's layers was lost (called from the thread ggml-rpc aborted on). The decode
     * thread waits inside llama.cpp for an answer that will not come, so this fails every queued and running
     * generation itself, with {@code e}, and lets {@link #close()} return without waiting for the decode thread;
     * the context is left allocated (see RpcWorkers).
     */
    private void lose(RpcWorkerException e) {
        // Its decode thread is parked for good inside ggml: it computes nothing any more, and must not keep the
        // other engines' idle threads from staying (DecodeThreads).
        DecodeThreads.gone(idler);
        List<EngineJob> left = new ArrayList<>();
        lock.lock();
        try {
            if (terminated.isDone()) {
                return;
            }
            lost = e;
            closing = true;
            signalled = true;
            work.signal();
            left.addAll(queue);
            queue.clear();
            failTasks(e);
        } finally {
            lock.unlock();
        }
        DecodeThreadTask<?> running = runningTask;
        if (running != null) {
            running.result.completeExceptionally(e);
        }
        for (EngineSlot s : slots) {
            EngineJob job = s.job;
            if (job != null) {
                left.add(job);
            }
        }
        LOG.error("engine for {} lost its RPC worker; failing {} request(s)", model.info().path(), left.size());
        for (EngineJob job : left) {
            job.result.completeExceptionally(e);
        }
        terminated.complete(null);
    }

    /** Fails the tasks still queued for the decode thread; under {@link #lock}. */
    private void failTasks(RuntimeException e) {
        for (DecodeThreadTask<?> task; (task = tasks.poll()) != null; ) {
            task.result.completeExceptionally(e);
        }
    }

    /** Fails whatever is left, frees the native context and drops the model reference. */
    private void shutDown(Throwable failure) {
        List<EngineJob> left = new ArrayList<>();
        RuntimeException closed = lost != null ? lost : new ResourceClosedException(
                "engine for " + model.info().path() + (failure == null ? " was closed" : " failed: " + failure));
        lock.lock();
        try {
            closing = true;
            left.addAll(queue);
            queue.clear();
            failTasks(closed);
        } finally {
            lock.unlock();
        }
        for (EngineSlot s : slots) {
            if (s.job != null) {
                left.add(s.job);
                s.job = null;
            }
        }
        activeSlots = 0;
        for (EngineJob job : left) {
            job.release();
            job.result.completeExceptionally(closed);
        }
        try {
            // The slots' conversations go to disk (copied to host memory here, written by the disk tier's thread,
            // which close() waits for) before the context they live in is freed.
            // A slot saved while it idled is in the host-RAM cache, which spillAll hands over; after an unexpected
            // failure the KV cache is not trusted.
            promptCache.spillAll();
            for (EngineSlot s : slots) {
                if (failure == null && s.saved != s.cached) {
                    promptCache.persist(ctx, s.seq, s.cached, s.cachedWith);
                }
            }
            promptCache.close();
            if (lost == null) {
                if (speculator != null) {
                    speculator.close();
                }
                if (beforeVerify != null) {
                    beforeVerify.close();
                }
                batch.close();
                NativeContext.free(ctx);
                arena.close();
            }
            model.release();
        } finally {
            terminated.complete(null);
        }
    }

    @Override
    public String toString() {
        return "Engine[" + model.info().path() + ", slots=" + slots.length + ", n_ctx/slot=" + slotContext + "]";
    }
}
