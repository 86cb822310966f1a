package dev.puna.http.internal.openai;

import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.RequestOptions;
import dev.puna.runtime.GenerateRequest;
import dev.puna.runtime.Model;
import dev.puna.runtime.SamplingParams;

/** Steps the generation routes share once the model is loaded (on a worker thread). */
final class Prompts {
    private Prompts() {
    }

    /**
     * The engine request for one choice. Like Ollama's OpenAI layer, a prompt longer than the context keeps its
     * first {@code num_keep} tokens and loses the oldest of the rest, and a full context shifts instead of ending
     * the answer.
     */
    static GenerateRequest request(int[] promptTokens, RequestOptions options, SamplingParams sampling,
                                   boolean logprobs, int topLogprobs) {
        return GenerateRequest.builder().promptTokens(promptTokens).sampling(sampling)
                .maxTokens(options.numPredict()).stop(options.stop()).numKeep(options.numKeep())
                .truncate(true).shift(true).logprobs(logprobs).topLogprobs(topLogprobs).build();
    }

    /** {@code logit_bias} keys must be token ids of this model's vocabulary. */
    static void checkLogitBias(Model model, SamplingParams sampling) {
        for (int token : sampling.logitBias().keySet()) {
            if (token >= model.vocabSize()) {
                throw ApiException.badParameter("logit_bias", "invalid key in \"logit_bias\": token id " + token
                        + " is outside the model's vocabulary (0.." + (model.vocabSize() - 1) + ")");
            }
        }
    }
}
