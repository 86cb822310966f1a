package dev.puna.runtime;

import dev.puna.runtime.internal.CompletionState;
import dev.puna.runtime.internal.SamplerChain;
import java.util.concurrent.CompletableFuture;

/**
 * One request inside an {@link Engine}: what was asked, and, once it holds a slot, its sampling and text state.
 * Everything but the fields marked otherwise is touched only by the engine's decode thread.
 */
final class EngineJob {
    final GenerateRequest request;
    final GenerationListener listener;
    /** The prompt as it will be evaluated (tokenized, validated, truncated); image cells hold placeholders. */
    final int[] prompt;
    /** Where the prompt's images are, or null for a text prompt. */
    ImagePrompt images;
    /** Where the prompt's user messages start, as evaluated (after truncation); ascending, empty for none. */
    int[] userMessageStarts = new int[0];
    final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
    final GenerationHandle handle;
    /** The LoRA adapters this job runs with; held (acquired) from submission until {@link #release()}. */
    final AdapterSet adapters;
    private boolean released;
    final long submittedNanos = System.nanoTime();
    /** Set by the submitting thread before the job is queued; closed when the job ends. */
    AutoCloseable cancelRegistration = () -> { };

    SamplerChain sampler;
    CompletionState completion;
    /** Prompt tokens found in the slot's KV cache. */
    int reused;
    /** Prompt tokens in the KV cache so far (reused ones included). */
    int prefilled;
    /**
     * Where the prompt's evaluation stops next for a checkpoint ({@link PrefixLoader#checkpointAt}), or 0 for
     * none: the step that reaches it ends there.
     */
    int checkpointAt;
    /** The last sampled token, to be decoded in the next step; -1 while the prompt is being evaluated. */
    int pending = -1;
    /** Tokens the draft model proposes after {@code pending} this step (see {@link Speculator}); empty for none. */
    int[] drafted = Speculator.NO_DRAFT;
    /** Drafted tokens verified for this job so far, and how many of them the target accepted. */
    int draftTokens;
    int draftAccepted;
    /** This job's output row in the batch being decoded, or -1 (with a draft, the first of its consecutive rows). */
    int outIndex = -1;
    long promptStartNanos;
    long firstTokenNanos;

    EngineJob(GenerateRequest request, GenerationListener listener, int[] prompt, Runnable wake) {
        this(request, listener, prompt, wake, AdapterSet.NONE);
    }

    EngineJob(GenerateRequest request, GenerationListener listener, int[] prompt, Runnable wake,
              AdapterSet adapters) {
        this.request = request;
        this.adapters = adapters;
        this.listener = listener;
        this.prompt = prompt;
        this.handle = new GenerationHandle(request.cancellation(), result, prompt.length, wake);
    }

    boolean prefilling() {
        return pending < 0;
    }

    boolean cancelled() {
        return request.cancellation().isCancelled();
    }

    /** Frees the native sampler, lets go of the adapters and stops listening for cancellation. Idempotent. */
    void release() {
        if (!released) {
            released = true;
            adapters.release();
        }
        if (sampler != null) {
            sampler.close();
            sampler = null;
        }
        try {
            cancelRegistration.close();
        } catch (Exception ignored) {
            // removing a listener from a CancellationToken cannot fail
        }
    }
}
