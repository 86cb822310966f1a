package dev.puna.runtime;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.puna.bindings.Callbacks;
import dev.puna.bindings.Llama;
import dev.puna.bindings.Native;
import dev.puna.runtime.internal.NativeBatch;
import dev.puna.runtime.internal.ResourceGuard;
import dev.puna.runtime.internal.SlidingWindow;
import dev.puna.runtime.internal.SamplerChain;
import dev.puna.runtime.internal.AbortSwitch;
import dev.puna.runtime.internal.CompletionState;
import dev.puna.runtime.internal.Logprobs;
import dev.puna.runtime.internal.PromptCache;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One llama.cpp context on a {@link Model}: a KV cache of {@code contextSize} tokens and the state to
 * generate text or compute embeddings.
 *
 * <p><b>Prompt cache.</b> The session remembers which tokens its KV cache holds. A new prompt that starts with
 * the same tokens (the next turn of a chat, say) reuses them and evaluates only the rest;
 * {@link GenerationResult#cachedPromptTokens()} reports how many were reused. For a model whose memory cannot be cut
 * back to a prefix (window-sized sliding-window caches, recurrent layers) the session also keeps checkpoints in
 * host RAM, within {@link SessionParams#checkpointBytes()}, as the engine does ({@link PrefixLoader}): a prompt that
 * leaves the cached tokens before their end continues from the latest checkpoint before it.
 *
 * <p><b>Threads.</b> One call at a time: a second concurrent {@code generate}/{@code embed} fails fast with
 * {@link IllegalStateException} (llama.cpp contexts are single-threaded). Different sessions run in parallel.
 *
 * <p><b>Closing.</b> {@link #close()} may be called from any thread, also while a generation runs: that
 * generation stops within one decode step and its caller gets a {@link ResourceClosedException}; the context is
 * freed when the generation has left native code, never under it. The session's reference to the model is
 * released at the same moment.
 */
public final class Session implements AutoCloseable {
    /** The one kind of state a session's checkpoints are of (see {@link PromptCache#saveCheckpoint}). */
    private static final Object KIND = "session";

    private final Model model;
    private final SessionParams params;
    private final Arena arena;
    private final MemorySegment ctx;
    private final MemorySegment memory;
    private final MemorySegment abortFlag;
    private final AbortSwitch abortSwitch;
    private final NativeBatch batch;
    private final ResourceGuard guard;
    private final ReentrantLock busy = new ReentrantLock();
    private final int contextSize;
    private final int pooling;
    private final SlidingWindow window;
    /** Checkpoints of sequence 0 (a session has no adapters: one kind), or null when the model needs none. */
    private final PromptCache checkpoints;
    /** Tokens held in the KV cache for sequence 0, in position order. */
    private int[] cached = new int[0];

    Session(Model model, SessionParams params) {
        this.model = Objects.requireNonNull(model, "model");
        this.params = Objects.requireNonNull(params, "params");
        model.acquire();
        Arena a = Arena.ofShared();
        MemorySegment context = MemorySegment.NULL;
        try {
            this.abortFlag = Callbacks.newAbortFlag(a);
            this.pooling = params.embeddings() ? resolvePooling(model, params.pooling()) : -1;
            context = NativeContext.create(model, params, params.contextSize(), 1, false, pooling);
            this.ctx = context;
            this.abortSwitch = new AbortSwitch(context, abortFlag);
            this.memory = Llama.llama_get_memory(context);
            this.contextSize = Llama.llama_n_ctx(context);
            this.batch = new NativeBatch(a, Llama.llama_n_batch(context), 1);
            this.window = SlidingWindow.of(model.handle(), context, params.swaFull());
            boolean recurrent = Llama.llama_model_is_recurrent(model.handle())
                    || Llama.llama_model_is_hybrid(model.handle());
            this.checkpoints = !params.embeddings() && params.checkpointBytes() > 0
                    && (window.window() > 0 || recurrent) ? new PromptCache(params.checkpointBytes()) : null;
        } catch (RuntimeException | Error e) {
            if (!context.equals(MemorySegment.NULL)) {
                NativeContext.free(context);
            }
            a.close();
            model.release();
            throw e;
        }
        this.arena = a;
        this.guard = new ResourceGuard("session on " + model.info().path(), this::free);
    }

    /** A pooling choice the context can honour: the model's declared type, else mean. */
    static int resolvePooling(Model model, Pooling requested) {
        if (requested != Pooling.MODEL_DEFAULT) {
            return requested.llamaValue();
        }
        long declared = model.gguf().getLong(model.info().architecture() + ".pooling_type").orElse(0);
        return declared >= 1 && declared <= 3 ? (int) declared : Pooling.MEAN.llamaValue();
    }

    private void free() {
        if (checkpoints != null) {
            checkpoints.close();
        }
        batch.close();
        NativeContext.free(ctx);
        arena.close();
        model.release();
    }

    /** The model this session runs. */
    public Model model() {
        return model;
    }

    /** The settings this session was created with. */
    public SessionParams params() {
        return params;
    }

    /** The context window actually allocated by llama.cpp, in tokens. */
    public int contextSize() {
        return contextSize;
    }

    /** The tokens currently held in the KV cache (what the next prompt can reuse). */
    public int[] cachedTokens() {
        return cached.clone();
    }

    /** Generates without listening to the token stream. */
    public GenerationResult generate(GenerateRequest request) {
        return generate(request, GenerationListener.NONE);
    }

    /**
     * Generates a completion for {@code request}, delivering each step to {@code listener} on this thread.
     *
     * @throws ContextOverflowException if the prompt does not fit in the context with room for one token
     * @throws InvalidParameterException for a prompt with invalid token ids, an empty prompt or a bad grammar
     * @throws ResourceClosedException if the session is (or gets) closed
     * @throws IllegalStateException if another call is running on this session, or it is an embedding session
     */
    public GenerationResult generate(GenerateRequest request, GenerationListener listener) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(listener, "listener");
        if (params.embeddings()) {
            throw new IllegalStateException("this session computes embeddings; open one without embeddings(true) to generate");
        }
        guard.acquire();
        try {
            if (!busy.tryLock()) {
                throw new IllegalStateException("session is busy: one generation at a time per session");
            }
            try {
                resetAbortFlag();
                try (AutoCloseable unregister = request.cancellation().onCancel(
                        () -> Callbacks.setAbortFlag(abortFlag, true))) {
                    return run(request, listener);
                } catch (RuntimeException | Error e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            } finally {
                busy.unlock();
            }
        } finally {
            guard.release();
        }
    }

    /** Clears a previous call's abort, unless a close has raised it. */
    private synchronized void resetAbortFlag() {
        Callbacks.setAbortFlag(abortFlag, guard.isClosed());
    }

    private GenerationResult run(GenerateRequest request, GenerationListener listener) {
        int[] prompt = promptTokens(request);
        if (prompt.length == 0) {
            throw new InvalidParameterException("prompt", "the prompt is empty (no tokens to evaluate)");
        }
        if (prompt.length >= contextSize) {
            throw new ContextOverflowException(prompt.length, contextSize);
        }
        CancellationToken cancel = request.cancellation();
        int reused = reusePrefix(prompt);
        long t0 = System.nanoTime();
        try (SamplerChain sampler = SamplerChain.create(request.sampling(), model.vocab(), model.vocabSize(), contextSize)) {
            sampler.acceptPrompt(prompt);
            boolean aborted = false;
            int from = reused;
            int[] starts = request.userMessageStarts();
            for (int at = checkpointAt(prompt.length, from, starts); at > 0 && !aborted;
                    at = checkpointAt(prompt.length, at, starts)) {
                aborted = !decode(prompt, from, at, false);
                if (!aborted) {
                    checkpoints.saveCheckpoint(ctx, 0, cached, KIND);
                }
                from = at;
            }
            aborted = aborted || !decode(prompt, from, prompt.length, true);
            long t1 = System.nanoTime();
            checkOpen();

            CompletionState completion = new CompletionState(request.stop(), request.maxTokens(),
                    t -> model.pieceUnchecked(t, false));
            FinishReason reason = aborted ? FinishReason.CANCELLED
                    : completion.limitReached() ? FinishReason.LENGTH : null;
            while (reason == null) {
                if (cancel.isCancelled() || guard.isClosed()) {
                    reason = FinishReason.CANCELLED;
                    break;
                }
                int token = sampler.sample(ctx, -1);
                TokenLogprob logprob = request.logprobs()
                        ? Logprobs.of(ctx, -1, model.vocabSize(), token, request.topLogprobs(),
                                t -> model.pieceUnchecked(t, false))
                        : null;
                if (Llama.llama_vocab_is_eog(model.vocab(), token)) {
                    reason = FinishReason.EOS;
                    break;
                }
                reason = completion.accept(token, logprob, listener);
                if (reason == null) {
                    if (cached.length >= contextSize) {
                        reason = FinishReason.CONTEXT_FULL;
                    } else if (!decode(new int[] {token}, 0, 1, true)) {
                        reason = FinishReason.CANCELLED;
                    }
                }
            }
            checkOpen();
            reason = completion.finish(reason, listener);
            long t2 = System.nanoTime();
            int n = completion.count();
            Timings timings = new Timings(0, t1 - t0, t2 - t1, prompt.length - reused, n);
            return new GenerationResult(completion.text(), completion.tokens(), reason, prompt.length, reused, n,
                    timings);
        }
    }

    private void checkOpen() {
        if (guard.isClosed()) {
            throw new ResourceClosedException("session was closed during generation");
        }
    }

    private int[] promptTokens(GenerateRequest request) {
        int[] tokens = request.promptTokens();
        if (tokens != null) {
            for (int t : tokens) {
                model.checkToken(t, "prompt");
            }
            return tokens;
        }
        return model.tokenizeUnchecked(request.prompt(), request.addSpecial(), request.parseSpecial());
    }

    /**
     * Keeps the longest common prefix of the cache and {@code prompt} and drops the rest from the KV cache. At
     * least the last prompt token is always re-evaluated, because its logits are needed to sample. Where the memory
     * cannot be cut back there (a window-sized sliding-window cache that cannot continue the prefix, see
     * {@link SlidingWindow}, or a recurrent state), the latest checkpoint within the prefix is put back, or nothing
     * is kept.
     */
    private int reusePrefix(int[] prompt) {
        int keep = 0;
        int limit = Math.min(cached.length, prompt.length - 1);
        while (keep < limit && cached[keep] == prompt[keep]) {
            keep++;
        }
        boolean continues = window.canContinue(0, keep);
        if (keep < cached.length || !continues) {
            keep = PrefixLoader.cutBack(memory, 0, keep, continues, k -> fromCheckpoint(prompt, k));
            cached = Arrays.copyOf(cached, keep);
        }
        if (checkpoints != null && PrefixLoader.wantsCheckpointWhereReuseEnds(keep, prompt.length)) {
            checkpoints.saveCheckpoint(ctx, 0, cached, KIND);
        }
        return keep;
    }

    /** Restores the latest checkpoint within the first {@code limit} tokens of {@code prompt}; its tokens, or 0. */
    private int fromCheckpoint(int[] prompt, int limit) {
        PromptCache.Match m = checkpoints == null ? null : checkpoints.bestCheckpoint(prompt, limit, KIND);
        return m != null && checkpoints.restoreCheckpoint(ctx, m, 0) ? m.common() : 0;
    }

    /**
     * Where a prompt of {@code length} tokens, of which the cache holds the first {@code after}, pauses next for a
     * checkpoint ({@link PrefixLoader#nextCheckpoint}, {@code starts} where its user messages start); 0 for none (a
     * model that needs none, or too short a prompt).
     */
    private int checkpointAt(int length, int after, int[] starts) {
        return checkpoints == null ? 0
                : PrefixLoader.nextCheckpoint(length, after, Llama.llama_n_ubatch(ctx), starts);
    }

    /**
     * Decodes {@code tokens[from, to)} at the positions following the cache, in chunks of the batch size,
     * requesting logits for the last token when {@code outputLast}.
     *
     * @return false if the decode was aborted (cancellation or close); the cache then holds what completed
     */
    private boolean decode(int[] tokens, int from, int to, boolean outputLast) {
        int pos = cached.length;
        for (int start = from; start < to; start += batch.capacity()) {
            int end = Math.min(to, start + batch.capacity());
            batch.clear();
            batch.addRun(tokens, start, end - start, pos, 0, outputLast && end == to);
            abortSwitch.arm(end - start > 1);
            int rc = batch.decode(ctx);
            if (rc != 0) {
                // Part of the batch may be in the KV cache now; drop this chunk so cache and memory agree.
                Llama.llama_memory_seq_rm(memory, 0, pos, -1);
                if (rc == 2) {
                    return false;
                }
                throw new NativeException("llama_decode failed with status " + rc
                        + (rc == 1 ? " (no KV cache slot for the batch)" : ""));
            }
            int[] grown = Arrays.copyOf(cached, cached.length + (end - start));
            System.arraycopy(tokens, start, grown, cached.length, end - start);
            cached = grown;
            pos += end - start;
        }
        return true;
    }

    /**
     * Computes one L2-normalised embedding per input (pooling as configured). Requires a session opened with
     * {@code embeddings(true)}. Each input must fit in one batch ({@code ubatchSize} tokens). With
     * {@link Pooling#RANK} each result is instead the model's classifier outputs as they are ({@code n_cls_out}
     * floats, not normalised).
     *
     * @throws ContextOverflowException if an input is longer than the batch or the context
     */
    public float[][] embed(List<String> inputs) {
        Objects.requireNonNull(inputs, "inputs");
        return embedAll(inputs.size(), i -> model.tokenizeUnchecked(Objects.requireNonNull(inputs.get(i), "input"),
                true, false));
    }

    /**
     * Computes one L2-normalised embedding per token sequence, taken exactly as given (no BOS is added): for
     * clients that tokenize themselves (OpenAI's {@code input} as token ids). Same requirements as
     * {@link #embed(List)}.
     *
     * @throws InvalidParameterException (parameter {@code input}) for an empty sequence or a token id outside
     *     the vocabulary
     * @throws ContextOverflowException if a sequence is longer than the batch or the context
     */
    public float[][] embedTokens(List<int[]> inputs) {
        Objects.requireNonNull(inputs, "inputs");
        for (int[] tokens : inputs) {
            for (int t : Objects.requireNonNull(tokens, "input")) {
                model.checkToken(t, "input");
            }
        }
        return embedAll(inputs.size(), i -> inputs.get(i).clone());
    }

    private float[][] embedAll(int count, java.util.function.IntFunction<int[]> tokensOf) {
        if (!params.embeddings()) {
            throw new IllegalStateException("this session generates text; open one with embeddings(true) to embed");
        }
        guard.acquire();
        try {
            if (!busy.tryLock()) {
                throw new IllegalStateException("session is busy: one call at a time per session");
            }
            try {
                resetAbortFlag();
                float[][] result = new float[count][];
                int limit = Math.min(contextSize, Llama.llama_n_ubatch(ctx));
                for (int i = 0; i < count; i++) {
                    int[] tokens = tokensOf.apply(i);
                    if (tokens.length == 0) {
                        throw new InvalidParameterException("input", "input " + i + " is empty");
                    }
                    if (tokens.length > limit) {
                        throw new ContextOverflowException(tokens.length, limit);
                    }
                    result[i] = embedOne(tokens);
                }
                return result;
            } finally {
                busy.unlock();
            }
        } finally {
            guard.release();
        }
    }

    private float[] embedOne(int[] tokens) {
        if (!memory.equals(MemorySegment.NULL)) {
            Llama.llama_memory_clear(memory, true);
        }
        cached = new int[0];
        batch.clear();
        for (int i = 0; i < tokens.length; i++) {
            batch.add(tokens[i], i, 0, true);
        }
        abortSwitch.arm(true);
        int rc = batch.decode(ctx);
        checkOpen();
        if (rc != 0) {
            throw new NativeException("llama_decode failed with status " + rc + " while embedding");
        }
        boolean rank = pooling == Pooling.RANK.llamaValue();
        int dim = rank ? Llama.llama_model_n_cls_out(model.handle()) : Llama.llama_model_n_embd(model.handle());
        MemorySegment e = Native.view(Llama.llama_get_embeddings_seq(ctx, 0), 4L * dim);
        float[] v = e.toArray(JAVA_FLOAT);
        if (rank) {
            return v; // classifier scores: their scale is the model's, not a direction to normalise
        }
        double norm = 0;
        for (float x : v) {
            norm += (double) x * x;
        }
        norm = Math.sqrt(norm);
        if (norm > 0) {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (v[i] / norm);
            }
        }
        return v;
    }

    /** Forgets the KV cache contents and checkpoints (the next prompt is evaluated from scratch). */
    public void clearCache() {
        guard.acquire();
        try {
            if (!busy.tryLock()) {
                throw new IllegalStateException("session is busy");
            }
            try {
                if (!memory.equals(MemorySegment.NULL)) {
                    Llama.llama_memory_clear(memory, true);
                }
                cached = new int[0];
                if (checkpoints != null) {
                    checkpoints.spillAll(); // no disk tier: frees them
                }
            } finally {
                busy.unlock();
            }
        } finally {
            guard.release();
        }
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return guard.isClosed();
    }

    /**
     * Closes the session from any thread. A generation in progress is aborted within one decode step; the
     * context is freed once it has left native code. Idempotent.
     */
    @Override
    public void close() {
        // Raise the abort flag before closing the guard: until then nothing can free the flag's memory, and the
        // monitor orders this against a generation clearing the flag as it starts.
        synchronized (this) {
            if (guard.isClosed()) {
                return;
            }
            Callbacks.setAbortFlag(abortFlag, true);
            guard.close();
        }
    }

    @Override
    public String toString() {
        return "Session[" + model.info().path() + ", n_ctx=" + contextSize + "]";
    }
}
