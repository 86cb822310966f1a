package dev.puna.http.internal.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.runtime.GenerationResult;
import dev.puna.runtime.Timings;
import java.util.List;

/**
 * llama-server's per-response {@code timings} object, which its users' tools read (and which lets a benchmark tell
 * the server's prompt evaluation apart from everything else in a TTFT): {@code cache_n}, {@code prompt_n},
 * {@code prompt_ms}, {@code prompt_per_token_ms}, {@code prompt_per_second}, {@code predicted_n},
 * {@code predicted_ms}, {@code predicted_per_token_ms}, {@code predicted_per_second}, and with a draft model
 * {@code draft_n} and {@code draft_n_accepted}.
 *
 * <p>As in llama-server, the first generated token belongs to the prompt (it comes from the last prompt batch's
 * logits), so the per-token generation figures divide by {@code predicted_n - 1}. With several choices the prompt
 * figures are the first choice's (the choices share their prompt's cache) and the generation figures add up the
 * tokens over the longest generation time.
 */
final class ResponseTimings {
    private ResponseTimings() {
    }

    /** The timings of the choices' results, in index order; choices without a result are skipped. */
    static ObjectNode of(List<GenerationResult> results) {
        GenerationResult first = results.isEmpty() ? null : results.getFirst();
        long promptNanos = first == null ? 0 : first.timings().promptEvalNanos();
        int promptN = first == null ? 0 : first.timings().promptTokensEvaluated();
        int cacheN = first == null ? 0 : first.cachedPromptTokens();
        int predictedN = 0;
        int steps = 0;
        long predictedNanos = 0;
        int proposed = 0;
        int accepted = 0;
        for (GenerationResult r : results) {
            Timings t = r.timings();
            predictedN += t.tokensGenerated();
            steps += Math.max(0, t.tokensGenerated() - 1);
            predictedNanos = Math.max(predictedNanos, t.evalNanos());
            proposed += r.drafts().proposed();
            accepted += r.drafts().accepted();
        }
        double promptMs = promptNanos / 1e6;
        double predictedMs = predictedNanos / 1e6;
        ObjectNode o = OpenAiJson.object();
        o.put("cache_n", cacheN);
        o.put("prompt_n", promptN);
        o.put("prompt_ms", promptMs);
        o.put("prompt_per_token_ms", promptN > 0 ? promptMs / promptN : 0.0);
        o.put("prompt_per_second", promptMs > 0 ? promptN * 1e3 / promptMs : 0.0);
        o.put("predicted_n", predictedN);
        o.put("predicted_ms", predictedMs);
        o.put("predicted_per_token_ms", steps > 0 ? predictedMs / steps : 0.0);
        o.put("predicted_per_second", predictedMs > 0 ? steps * 1e3 / predictedMs : 0.0);
        if (proposed > 0) {
            o.put("draft_n", proposed);
            o.put("draft_n_accepted", accepted);
        }
        return o;
    }
}
