package dev.puna.runtime.internal;

import dev.puna.runtime.FinishReason;
import dev.puna.runtime.GenerationListener;
import dev.puna.runtime.TokenEvent;
import dev.puna.runtime.TokenLogprob;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The text side of one generation, shared by {@code Session} and the batching {@code Engine}: turns sampled
 * tokens into ordered {@link TokenEvent}s with UTF-8-safe text and stop strings held back, counts them against
 * {@code num_predict}, and flushes what is held back when the generation ends. Sampling and decoding stay with
 * the caller. Not thread-safe: one instance belongs to one generation, driven by one thread at a time.
 */
public final class CompletionState {
    private final Utf8Accumulator utf8 = new Utf8Accumulator();
    private final StopSequenceMatcher stops;
    private final StringBuilder text = new StringBuilder();
    private final IntFunction<byte[]> pieces;
    private final int maxTokens;
    private int[] tokens = new int[16];
    private int count;

    /**
     * @param stop stop strings
     * @param maxTokens most tokens to generate, -1 for no limit
     * @param pieces a token's bytes as the model renders it (special tokens not rendered)
     */
    public CompletionState(List<String> stop, int maxTokens, IntFunction<byte[]> pieces) {
        this.stops = new StopSequenceMatcher(stop);
        this.maxTokens = maxTokens;
        this.pieces = pieces;
    }

    /** Whether {@code num_predict} tokens have been generated (before any sampling when it is 0). */
    /** Tokens that may still be generated; {@link Integer#MAX_VALUE} without a limit. */
    public int remaining() {
        return maxTokens < 0 ? Integer.MAX_VALUE : Math.max(0, maxTokens - count);
    }

    public boolean limitReached() {
        return maxTokens >= 0 && count >= maxTokens;
    }

    /**
     * Takes one sampled token that is not end-of-generation and delivers its event.
     *
     * @return {@link FinishReason#STOP} or {@link FinishReason#LENGTH} when this token ends the generation, else
     *     {@code null}
     */
    public FinishReason accept(int token, TokenLogprob logprob, GenerationListener listener) {
        if (count == tokens.length) {
            tokens = Arrays.copyOf(tokens, count * 2);
        }
        tokens[count] = token;
        StopSequenceMatcher.Result r = stops.push(utf8.append(pieces.apply(token)));
        text.append(r.text());
        listener.onToken(new TokenEvent(count, token, r.text(), logprob));
        count++;
        if (r.stopped()) {
            return FinishReason.STOP;
        }
        return limitReached() ? FinishReason.LENGTH : null;
    }

    /**
     * Ends the generation: releases text still held back (an incomplete UTF-8 tail, a partial stop string) as a
     * final text-only event, unless a stop string was found. Returns the final finish reason, which becomes
     * {@link FinishReason#STOP} if the flushed tail completes a stop string.
     */
    public FinishReason finish(FinishReason reason, GenerationListener listener) {
        if (reason == FinishReason.STOP) {
            return reason;
        }
        StopSequenceMatcher.Result r = stops.push(utf8.flush());
        String tail = r.stopped() ? r.text() : r.text() + stops.flush();
        if (!tail.isEmpty()) {
            text.append(tail);
            listener.onToken(new TokenEvent(-1, TokenEvent.NO_TOKEN, tail, null));
        }
        return r.stopped() ? FinishReason.STOP : reason;
    }

    /** The text delivered so far. */
    public String text() {
        return text.toString();
    }

    /** The generated tokens so far. */
    public int[] tokens() {
        return Arrays.copyOf(tokens, count);
    }

    /** How many tokens were generated. */
    public int count() {
        return count;
    }
}
