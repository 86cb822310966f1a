package dev.puna.http.internal;

import dev.puna.runtime.SamplingParams;
import java.util.List;

/**
 * A request's {@code options} after merging them over the model's Modelfile parameters and Ollama's defaults.
 *
 * @param sampling the sampler settings
 * @param numPredict most tokens to generate, -1 for no limit ({@code num_predict})
 * @param stop stop strings
 * @param numKeep tokens at the start that truncation and context shift keep ({@code num_keep})
 * @param load how the model must be loaded to serve this request
 */
public record RequestOptions(SamplingParams sampling, int numPredict, List<String> stop, int numKeep,
                             LoadOptions load) {
    public RequestOptions {
        stop = List.copyOf(stop);
    }
}
