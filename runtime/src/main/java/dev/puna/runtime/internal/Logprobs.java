package dev.puna.runtime.internal;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.puna.bindings.Llama;
import dev.puna.bindings.Native;
import dev.puna.runtime.TokenLogprob;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Log-probabilities from a decoded output's raw logits (before any sampler stage), as OpenAI's {@code logprobs}
 * and Ollama's {@code logprobs} report them: log-softmax over the whole vocabulary.
 */
public final class Logprobs {
    private Logprobs() {
    }

    /**
     * The log-probability of {@code token} and the {@code top} most likely alternatives at output {@code index}
     * of the last decode ({@code -1} for the last output). Call before the next decode overwrites the logits.
     */
    public static TokenLogprob of(MemorySegment ctx, int index, int vocab, int token, int top,
                                  IntFunction<byte[]> pieces) {
        float[] logits = Native.view(Llama.llama_get_logits_ith(ctx, index), 4L * vocab).toArray(JAVA_FLOAT);
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        double lse = max + Math.log(sum);
        List<TokenLogprob> alternatives = new ArrayList<>(top);
        if (top > 0) {
            int[] best = new int[Math.min(top, vocab)];
            Arrays.fill(best, -1);
            for (int i = 0; i < vocab; i++) {
                for (int k = 0; k < best.length; k++) {
                    if (best[k] < 0 || logits[i] > logits[best[k]]) {
                        System.arraycopy(best, k, best, k + 1, best.length - k - 1);
                        best[k] = i;
                        break;
                    }
                }
            }
            for (int id : best) {
                alternatives.add(entry(id, logits[id] - lse, List.of(), pieces));
            }
        }
        return entry(token, logits[token] - lse, alternatives, pieces);
    }

    private static TokenLogprob entry(int token, double logprob, List<TokenLogprob> top, IntFunction<byte[]> pieces) {
        byte[] bytes = pieces.apply(token).clone();
        return new TokenLogprob(token, new String(bytes, StandardCharsets.UTF_8), bytes, logprob, top);
    }
}
