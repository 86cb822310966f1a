package dev.puna.runtime;

import java.util.concurrent.CompletableFuture;

/**
 * A generation submitted to an {@link Engine}: its eventual result, and controls that work from any thread.
 *
 * <p>The result completes normally for every finish reason, {@link FinishReason#CANCELLED} included, and
 * exceptionally with a {@link PunaException} when the request fails (a bad grammar, the engine closing, a
 * native error) or with whatever the listener threw.
 */
public final class GenerationHandle {
    private final CancellationToken cancellation;
    private final CompletableFuture<GenerationResult> result;
    private final int promptTokens;
    private final Runnable wake;
    private volatile boolean paused;

    GenerationHandle(CancellationToken cancellation, CompletableFuture<GenerationResult> result, int promptTokens,
                     Runnable wake) {
        this.cancellation = cancellation;
        this.result = result;
        this.promptTokens = promptTokens;
        this.wake = wake;
    }

    /** Completes when the generation ends; see the class comment. Completing it yourself has no effect. */
    public CompletableFuture<GenerationResult> result() {
        return result.copy();
    }

    /** Stops the generation within one decode step (or before it starts); its slot is free at once. */
    public void cancel() {
        cancellation.cancel();
    }

    /**
     * Stops feeding this sequence to the decoder until {@link #resume()}, keeping its slot and KV cache: for a
     * client that reads slower than the model writes (HTTP backpressure). Other sequences go on.
     */
    public void pause() {
        paused = true;
    }

    /** Undoes {@link #pause()}. */
    public void resume() {
        paused = false;
        wake.run();
    }

    /** Whether the generation is paused. */
    public boolean isPaused() {
        return paused;
    }

    /** Tokens in the prompt as it will be evaluated (after truncation). */
    public int promptTokens() {
        return promptTokens;
    }
}
