package dev.puna.runtime;

import dev.puna.bindings.Llama;
import dev.puna.runtime.internal.CompletionState;
import dev.puna.runtime.internal.Logprobs;
import dev.puna.runtime.internal.SamplerChain;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Per-sequence sampling for an {@link Engine}: builds a job's sampler chain and text state when it starts, and
 * after each decode turns the job's output row into its next token, or the reason it ends. What happens to the
 * KV cache (context shift, freeing the slot) stays with the engine.
 */
final class SequenceSampler {
    private final Model model;
    private final int slotContext;
    private final IntFunction<byte[]> pieces;
    private final AtomicLong sampled;

    /** {@code sampled} counts every token sampled, end-of-generation tokens included. */
    SequenceSampler(Model model, int slotContext, AtomicLong sampled) {
        this.model = model;
        this.slotContext = slotContext;
        this.sampled = sampled;
        this.pieces = t -> model.pieceUnchecked(t, false);
    }

    /**
     * Gives a newly started job its sampler (fed the prompt, for repetition penalties) and its text state.
     *
     * @throws RuntimeException if the sampling settings cannot be built (a grammar llama.cpp rejects, say)
     */
    void prepare(EngineJob job) {
        job.sampler = SamplerChain.create(job.request.sampling(), model.vocab(), model.vocabSize(), slotContext);
        job.sampler.acceptPrompt(job.images == null ? job.prompt : job.images.textTokens());
        job.completion = new CompletionState(job.request.stop(), job.request.maxTokens(), pieces);
    }

    /**
     * Samples the job's next token from row {@code index} of the last decode's logits and hands it to the
     * listener. Returns null when the job goes on ({@code job.pending} holds the token to decode next), else why
     * it ends: {@link FinishReason#LENGTH} before sampling when nothing more may be generated, {@link FinishReason#EOS}
     * on an end-of-generation token (never shown), or what the stop sequences and token budget decide.
     */
    FinishReason next(MemorySegment ctx, EngineJob job, int index) {
        if (job.firstTokenNanos == 0) {
            job.firstTokenNanos = System.nanoTime();
        }
        if (job.completion.limitReached()) {
            return FinishReason.LENGTH; // num_predict 0: the prompt is evaluated, nothing generated
        }
        int token = job.sampler.sample(ctx, index);
        sampled.incrementAndGet();
        TokenLogprob logprob = job.request.logprobs()
                ? Logprobs.of(ctx, index, model.vocabSize(), token, job.request.topLogprobs(), pieces)
                : null;
        if (Llama.llama_vocab_is_eog(model.vocab(), token)) {
            return FinishReason.EOS;
        }
        FinishReason reason = job.completion.accept(token, logprob, job.listener);
        if (reason == null) {
            job.pending = token;
        }
        return reason;
    }

    /** What verifying a draft gave: how many drafted tokens the target agreed with, and why the job ends (or null). */
    record Verified(int accepted, FinishReason reason) {
    }

    /**
     * Samples the target's logits at rows {@code index, index + 1, ...}, one per position of the job's pending token
     * and its draft, as long as each sampled token equals the drafted one that follows: every token the listener
     * gets is the target's own sample, so a draft changes the speed, never the text. Ends at the first mismatch
     * (that sample is kept as the next pending token), after the last row, or when the job ends.
     */
    Verified verify(MemorySegment ctx, EngineJob job, int index, int[] drafted) {
        for (int i = 0; ; i++) {
            FinishReason reason = next(ctx, job, index + i);
            if (reason != null) {
                return new Verified(i, reason);
            }
            if (i == drafted.length || job.pending != drafted[i]) {
                return new Verified(i, null);
            }
        }
    }
}
