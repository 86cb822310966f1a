package dev.puna.http.internal.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.CatalogModel;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.OptionsParser;
import dev.puna.http.internal.RequestLimits;
import dev.puna.http.internal.RequestOptions;
import dev.puna.http.internal.lora.LoraField;
import dev.puna.runtime.InvalidParameterException;
import dev.puna.runtime.SamplingParams;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The generation fields {@code /v1/chat/completions} and {@code /v1/completions} share, read strictly with OpenAI's
 * types and ranges (a 400 naming the field), then handed to the same {@link OptionsParser} the Ollama routes use as
 * Ollama options: {@code temperature}, {@code top_p}, {@code frequency_penalty}, {@code presence_penalty},
 * {@code seed}, {@code stop} (≤ 4), {@code max_tokens}/{@code max_completion_tokens} ({@code num_predict}),
 * {@code logit_bias}, {@code n}, {@code stream} and {@code stream_options}, {@code user}.
 *
 * <p>Puna's extension: {@code options} takes any Ollama option ({@code {"options": {"num_ctx": 8192}}}) and a
 * top-level {@code num_ctx} sets the context length; OpenAI's own fields take precedence over {@code options}.
 * Fields this server does not act on and that cannot change the output ({@code user}, {@code store},
 * {@code metadata}, ...) are accepted as OpenAI accepts them.
 *
 * @param options the Ollama options the fields amount to, for {@link OptionsParser#parse}
 * @param logitBias token id to bias
 * @param n choices per prompt
 * @param stream whether to stream server-sent events
 * @param includeUsage {@code stream_options.include_usage}: a final chunk with {@code usage}
 * @param seed the request's seed, or {@code null}
 * @param lora llama-server's per-request LoRA list ({@code lora: [{id, scale}]}), or {@code null} for the model's
 *     global scales
 */
record SamplingFields(ObjectNode options, Map<Integer, Float> logitBias, int n, boolean stream, boolean includeUsage,
                      Long seed, Map<Integer, Float> lora) {
    /** OpenAI's sampling defaults, under the model's Modelfile parameters and the request. */
    private static final Map<String, Object> OPENAI_DEFAULTS = Map.of("temperature", 1.0, "top_p", 1.0);
    /** The most stop sequences OpenAI accepts. */
    static final int MAX_STOP = 4;
    /** Reads the fields with the default ceilings ({@link RequestLimits#DEFAULTS}). */
    static SamplingFields read(JsonBody body) {
        return read(body, RequestLimits.DEFAULTS);
    }

    /** Reads the fields, refusing {@code n}, token limits and stop lists beyond {@code limits}. */
    static SamplingFields read(JsonBody body, RequestLimits limits) {
        ObjectNode extension = body.object("options");
        ObjectNode options = extension == null ? JsonBody.MAPPER.createObjectNode() : extension.deepCopy();
        Double temperature = range(body, "temperature", 0, 2);
        Double topP = range(body, "top_p", 0, 1);
        Double frequencyPenalty = range(body, "frequency_penalty", -2, 2);
        Double presencePenalty = range(body, "presence_penalty", -2, 2);
        Long seed = seed(body);
        Integer maxTokens = positive(body, "max_tokens");
        Integer maxCompletionTokens = positive(body, "max_completion_tokens");
        if (maxTokens != null) {
            limits.checkNumPredict("max_tokens", maxTokens);
        }
        if (maxCompletionTokens != null) {
            limits.checkNumPredict("max_completion_tokens", maxCompletionTokens);
        }
        List<String> stop = stop(body);
        if (stop != null) {
            limits.checkStop("stop", stop.size());
        }
        Map<Integer, Float> logitBias = logitBias(body);
        Integer n = body.integer("n");
        if (n != null && (n < 1 || n > limits.maxChoices())) {
            throw ApiException.badParameter("n", "\"n\" must be between 1 and " + limits.maxChoices()
                    + " (PUNA_MAX_CHOICES), got " + n);
        }
        Boolean stream = body.bool("stream");
        ObjectNode streamOptions = body.object("stream_options");
        boolean includeUsage = false;
        if (streamOptions != null) {
            if (stream == null || !stream) {
                throw ApiException.badParameter("stream_options",
                        "\"stream_options\" is only allowed when \"stream\" is true");
            }
            Boolean usage = JsonBody.of(streamOptions, "stream_options").bool("include_usage");
            includeUsage = usage != null && usage;
        }
        body.string("user");
        Integer numCtx = body.integer("num_ctx");
        Map<Integer, Float> lora = LoraField.read(body.raw("lora"), "lora");

        put(options, "temperature", temperature);
        put(options, "top_p", topP);
        put(options, "frequency_penalty", frequencyPenalty);
        put(options, "presence_penalty", presencePenalty);
        if (seed != null) {
            options.put("seed", seed);
        }
        Integer limit = maxCompletionTokens != null ? maxCompletionTokens : maxTokens;
        if (limit != null) {
            options.put("num_predict", limit);
        }
        if (stop != null) {
            options.set("stop", JsonBody.tree(stop));
        }
        if (numCtx != null) {
            options.put("num_ctx", numCtx);
        }
        return new SamplingFields(options, logitBias, n == null ? 1 : n, stream != null && stream, includeUsage,
                seed != null ? seed : seedOption(options), lora);
    }

    /**
     * The request's options over the model's Modelfile parameters over OpenAI's defaults.
     *
     * @throws ApiException 400 naming the first bad option
     */
    RequestOptions resolve(OptionsParser parser, CatalogModel model) {
        Map<String, Object> base = new LinkedHashMap<>(OPENAI_DEFAULTS);
        base.putAll(model.parameters());
        RequestOptions parsed = parser.parse(base, options);
        if (logitBias.isEmpty()) {
            return parsed;
        }
        SamplingParams sampling;
        try {
            sampling = parsed.sampling().toBuilder().logitBias(logitBias).build();
        } catch (InvalidParameterException e) {
            throw ApiException.badParameter("logit_bias", e.getMessage());
        }
        return new RequestOptions(sampling, parsed.numPredict(), parsed.stop(), parsed.numKeep(), parsed.load());
    }

    /**
     * The sampling settings of choice {@code index} of {@code n}: with a seed, choice {@code i} draws with
     * {@code seed + i}, so that the choices differ yet the response is reproducible.
     */
    SamplingParams forChoice(SamplingParams sampling, int index) {
        if (seed == null || index == 0) {
            return sampling;
        }
        return sampling.toBuilder().seed(seed + index == -1 ? seed + index + 1 : seed + index).build();
    }

    private static Long seedOption(ObjectNode options) {
        JsonNode v = options.get("seed");
        return v != null && v.isIntegralNumber() && v.canConvertToLong() && v.longValue() != -1 ? v.longValue() : null;
    }

    private static void put(ObjectNode options, String key, Double value) {
        if (value != null) {
            options.put(key, value);
        }
    }

    private static Double range(JsonBody body, String field, double min, double max) {
        Double v = body.number(field);
        if (v != null && !(v >= min && v <= max)) {
            throw ApiException.badParameter(field, "\"" + field + "\" must be between " + format(min) + " and "
                    + format(max) + ", got " + format(v));
        }
        return v;
    }

    private static String format(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private static Integer positive(JsonBody body, String field) {
        Integer v = body.integer(field);
        if (v != null && v < 1) {
            throw ApiException.badParameter(field, "\"" + field + "\" must be at least 1, got " + v);
        }
        return v;
    }

    private static Long seed(JsonBody body) {
        JsonNode v = body.raw("seed");
        if (v == null) {
            return null;
        }
        boolean whole = v.isIntegralNumber() ? v.canConvertToLong()
                : v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue()) && Math.abs(v.doubleValue()) < 9e18;
        if (!whole) {
            throw ApiException.badParameter("seed", "invalid value for \"seed\": expected an integer, got "
                    + JsonBody.describe(v));
        }
        return v.longValue();
    }

    private static List<String> stop(JsonBody body) {
        JsonNode v = body.raw("stop");
        if (v == null) {
            return null;
        }
        if (v.isTextual()) {
            return v.textValue().isEmpty() ? List.of() : List.of(v.textValue());
        }
        if (!v.isArray()) {
            throw ApiException.badParameter("stop", "invalid value for \"stop\": expected a string or an array of "
                    + "strings, got " + JsonBody.describe(v));
        }
        List<String> out = body.strings("stop");
        if (out.size() > MAX_STOP) {
            throw ApiException.badParameter("stop", "\"stop\" takes at most " + MAX_STOP + " sequences, got "
                    + out.size());
        }
        return out.stream().filter(s -> !s.isEmpty()).toList();
    }

    private static Map<Integer, Float> logitBias(JsonBody body) {
        ObjectNode bias = body.object("logit_bias");
        Map<Integer, Float> out = new TreeMap<>();
        if (bias == null) {
            return out;
        }
        for (Map.Entry<String, JsonNode> e : bias.properties()) {
            String key = e.getKey();
            int token;
            try {
                token = Integer.parseInt(key);
            } catch (NumberFormatException ex) {
                token = -1;
            }
            if (token < 0) {
                throw ApiException.badParameter("logit_bias", "invalid key in \"logit_bias\": expected a token id, "
                        + "got \"" + key + "\"");
            }
            JsonNode v = e.getValue();
            if (!v.isNumber()) {
                throw ApiException.badParameter("logit_bias", "invalid value for \"logit_bias." + key
                        + "\": expected a number, got " + JsonBody.describe(v));
            }
            double d = v.doubleValue();
            if (!(d >= -100 && d <= 100)) {
                throw ApiException.badParameter("logit_bias", "\"logit_bias." + key + "\" must be between -100 and "
                        + "100, got " + format(d));
            }
            out.put(token, (float) d);
        }
        return out;
    }
}
