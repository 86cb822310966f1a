package dev.puna.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.ServerConfig;
import dev.puna.runtime.InvalidParameterException;
import dev.puna.runtime.SamplingParams;
import dev.puna.runtime.rpc.RpcEndpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Reads Ollama's {@code options} object: every per-request and load-time key of Ollama's {@code api.Options},
 * with Ollama's defaults, strict types (a string where a number belongs is a 400 naming the option) and ranges
 * checked by the runtime's builders. Unknown keys (and Ollama's legacy ones that have no effect here, such as
 * {@code penalize_newline}) are ignored with a log line, as Ollama does.
 */
public final class OptionsParser {
    private static final Logger LOG = LogManager.getLogger(OptionsParser.class);

    private static final Set<String> FLOATS = Set.of("temperature", "top_p", "min_p", "typical_p", "repeat_penalty",
            "presence_penalty", "frequency_penalty", "mirostat_tau", "mirostat_eta", "draft_p_min");
    private static final Set<String> INTS = Set.of("top_k", "repeat_last_n", "mirostat", "num_predict", "num_keep",
            "num_ctx", "num_batch", "num_thread", "num_gpu", "main_gpu", "draft_max", "draft_min", "n_cpu_moe");
    private static final Set<String> BOOLS = Set.of("use_mmap", "use_mlock");

    private final int defaultContextLength;
    private final RequestLimits limits;
    private final List<RpcEndpoint> rpcWorkers;
    private final int defaultCpuMoeLayers;

    /**
     * @param defaultContextLength {@code num_ctx} when neither the request nor the model sets it
     *     ({@code PUNA_CONTEXT_LENGTH})
     */
    public OptionsParser(int defaultContextLength) {
        this(defaultContextLength, RequestLimits.DEFAULTS);
    }

    /** With the ceilings of {@code limits} on {@code num_ctx}, {@code num_predict} and {@code stop}. */
    public OptionsParser(int defaultContextLength, RequestLimits limits) {
        this(defaultContextLength, limits, List.of());
    }

    /** And the RPC workers {@code rpc_servers} may name ({@code PUNA_RPC_SERVERS}). */
    public OptionsParser(int defaultContextLength, RequestLimits limits, List<RpcEndpoint> rpcWorkers) {
        this(defaultContextLength, limits, rpcWorkers, -1);
    }

    /** And {@code n_cpu_moe} when neither the request nor the model sets it ({@code PUNA_N_CPU_MOE}; -1: auto). */
    public OptionsParser(int defaultContextLength, RequestLimits limits, List<RpcEndpoint> rpcWorkers,
                         int defaultCpuMoeLayers) {
        this.defaultContextLength = defaultContextLength;
        this.limits = limits;
        this.rpcWorkers = List.copyOf(rpcWorkers);
        this.defaultCpuMoeLayers = defaultCpuMoeLayers;
    }

    /**
     * The parser a server with {@code config} uses: its default {@code num_ctx} and {@code n_cpu_moe}, its request
     * limits and its RPC workers.
     */
    public static OptionsParser forServer(ServerConfig config) {
        return new OptionsParser(config.contextLength(), RequestLimits.of(config), config.rpcServers(),
                config.cpuMoeLayers());
    }

    /** The ceilings this parser applies. */
    public RequestLimits limits() {
        return limits;
    }

    /**
     * Merges {@code request} over {@code modelParameters} and reads the result.
     *
     * @param modelParameters the model's Modelfile parameters (JSON-like values); may be empty
     * @param request the request's {@code options} object, or {@code null}
     * @throws ApiException 400 naming the first option of the wrong type or out of range
     */
    public RequestOptions parse(Map<String, Object> modelParameters, ObjectNode request) {
        ObjectNode merged = JsonBody.MAPPER.createObjectNode();
        if (!modelParameters.isEmpty()) {
            merged.setAll((ObjectNode) JsonBody.tree(modelParameters));
        }
        if (request != null) {
            merged.setAll(request);
        }
        SamplingParams.Builder sampling = SamplingParams.builder();
        int numPredict = -1;
        int numKeep = 4;
        List<String> stop = List.of();
        int numCtx = defaultContextLength;
        int numBatch = 512;
        int numThread = 0;
        int numGpu = -1;
        int mainGpu = -1;
        int cpuMoe = defaultCpuMoeLayers;
        boolean useMmap = true;
        boolean useMlock = false;
        String draftModel = null;
        String rpcServers = null;
        int draftMax = LoadOptions.Draft.DEFAULT.max();
        int draftMin = LoadOptions.Draft.DEFAULT.min();
        float draftPMin = LoadOptions.Draft.DEFAULT.pMin();
        for (Map.Entry<String, JsonNode> e : merged.properties()) {
            String key = e.getKey();
            JsonNode v = e.getValue();
            if (v.isNull()) {
                continue; // Go leaves a null at the default
            }
            if (FLOATS.contains(key)) {
                double d = number(key, v);
                switch (key) {
                    case "temperature" -> sampling.temperature(d);
                    case "top_p" -> sampling.topP(d);
                    case "min_p" -> sampling.minP(d);
                    case "typical_p" -> sampling.typicalP(d);
                    case "repeat_penalty" -> sampling.repeatPenalty(d);
                    case "presence_penalty" -> sampling.presencePenalty(d);
                    case "frequency_penalty" -> sampling.frequencyPenalty(d);
                    case "mirostat_tau" -> sampling.mirostatTau(d);
                    case "mirostat_eta" -> sampling.mirostatEta(d);
                    case "draft_p_min" -> draftPMin = (float) require(key, d, d >= 0 && d <= 1, "must be between 0 and 1");
                    default -> throw new IllegalStateException(key);
                }
            } else if (INTS.contains(key)) {
                int n = JsonBody.toInt("options." + key, v);
                switch (key) {
                    case "top_k" -> sampling.topK(n);
                    case "repeat_last_n" -> sampling.repeatLastN(n);
                    case "mirostat" -> sampling.mirostat(n);
                    case "num_predict" -> numPredict = require(key, n, n >= -2 && n <= limits.maxNumPredict(),
                            n < -2 ? "must be >= -1 (-1 = no limit)"
                                    : "must be at most " + limits.maxNumPredict() + " (PUNA_MAX_NUM_PREDICT)");
                    case "num_keep" -> numKeep = require(key, n, n >= -1, "must be >= 0");
                    case "num_ctx" -> numCtx = require(key, n, n >= 1 && n <= limits.maxNumCtx(),
                            "must be between 1 and " + limits.maxNumCtx() + " (PUNA_MAX_NUM_CTX)");
                    case "num_batch" -> numBatch = require(key, n, n >= 1 && n <= 1 << 20,
                            "must be between 1 and 1048576");
                    case "num_thread" -> numThread = require(key, n, n >= 0 && n <= 1024,
                            "must be between 0 (default) and 1024");
                    case "num_gpu" -> numGpu = require(key, n, n >= -1, "must be >= -1 (-1 = auto: as many layers as fit on the GPUs)");
                    case "main_gpu" -> mainGpu = require(key, n, n >= 0, "must be >= 0");
                    case "n_cpu_moe" -> cpuMoe = require(key, n, n >= -1,
                            "must be >= -1 (-1 = auto: experts in host memory only where the model does not fit)");
                    case "draft_max" -> draftMax = require(key, n, n >= 1 && n <= 64, "must be between 1 and 64");
                    case "draft_min" -> draftMin = require(key, n, n >= 0 && n <= 64, "must be between 0 and 64");
                    default -> throw new IllegalStateException(key);
                }
            } else if (key.equals("seed")) {
                if (!v.isNumber() || (!v.isIntegralNumber() && v.doubleValue() != Math.rint(v.doubleValue()))) {
                    throw wrongType(key, "an integer", v);
                }
                sampling.seed(v.longValue());
            } else if (BOOLS.contains(key)) {
                if (!v.isBoolean()) {
                    throw wrongType(key, "a boolean", v);
                }
                if (key.equals("use_mmap")) {
                    useMmap = v.booleanValue();
                } else {
                    useMlock = v.booleanValue();
                }
            } else if (key.equals("draft_model")) {
                if (!v.isTextual()) {
                    throw wrongType(key, "a model name", v);
                }
                draftModel = v.textValue();
                if (!draftModel.isEmpty()) {
                    ModelNames.require(draftModel);
                }
            } else if (key.equals("rpc_servers")) {
                if (!v.isTextual()) {
                    throw wrongType(key, "a string (host:port,...)", v);
                }
                rpcServers = rpcServers(v.textValue());
            } else if (key.equals("stop")) {
                stop = stops(v);
                if (request != null && request.get("stop") == v) {
                    limits.checkStop("stop", stop.size()); // the request's own list; a Modelfile's is trusted
                }
            } else {
                LOG.warn("ignoring unknown option '{}'", key);
            }
        }
        try {
            // Ollama treats num_predict -2 as "fill the context"; generating until the context is full is what
            // -1 does here, since the engine stops there.
            return new RequestOptions(sampling.build(), Math.max(numPredict, -1), stop, Math.max(numKeep, 0),
                    new LoadOptions(numCtx, numBatch, numThread, numGpu, mainGpu, useMmap, useMlock,
                            draft(draftModel, draftMax, draftMin, draftPMin), rpcServers, cpuMoe));
        } catch (InvalidParameterException e) {
            throw ApiException.badParameter(e.parameter(), "invalid option " + e.getMessage());
        }
    }

    /**
     * The workers {@code rpc_servers} names, each one of the server's ({@code PUNA_RPC_SERVERS}): a client picks
     * among the operator's workers and never makes the server connect anywhere else.
     */
    private String rpcServers(String value) {
        List<RpcEndpoint> named;
        try {
            named = RpcEndpoint.parseList(value);
        } catch (InvalidParameterException e) {
            throw ApiException.badParameter("rpc_servers", "invalid option " + e.getMessage());
        }
        for (RpcEndpoint e : named) {
            if (!rpcWorkers.contains(e)) {
                throw ApiException.badParameter("rpc_servers", "invalid option rpc_servers: " + e + " is not one of "
                        + "the server's RPC workers (PUNA_RPC_SERVERS: " + (rpcWorkers.isEmpty() ? "none"
                        : rpcWorkers.stream().map(RpcEndpoint::toString).collect(java.util.stream.Collectors.joining(",")))
                        + ")");
            }
        }
        return named.stream().map(RpcEndpoint::toString).collect(java.util.stream.Collectors.joining(","));
    }

    private static LoadOptions.Draft draft(String model, int max, int min, float pMin) {
        if (min > max) {
            throw ApiException.badParameter("draft_min", "invalid option draft_min: must be at most draft_max ("
                    + max + "), got " + min);
        }
        LoadOptions.Draft d = new LoadOptions.Draft(model, max, min, pMin);
        return d.equals(LoadOptions.Draft.DEFAULT) ? LoadOptions.Draft.DEFAULT : d;
    }

    private static double number(String key, JsonNode v) {
        if (!v.isNumber()) {
            throw wrongType(key, "a number", v);
        }
        return v.doubleValue();
    }

    private static List<String> stops(JsonNode v) {
        if (v.isTextual()) {
            return v.textValue().isEmpty() ? List.of() : List.of(v.textValue());
        }
        if (!v.isArray()) {
            throw wrongType("stop", "an array of strings", v);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode s : v) {
            if (!s.isTextual()) {
                throw wrongType("stop", "an array of strings", v);
            }
            if (!s.textValue().isEmpty()) {
                out.add(s.textValue());
            }
        }
        return out;
    }

    private static int require(String key, int n, boolean ok, String rule) {
        if (!ok) {
            throw ApiException.badParameter(key, "invalid option " + key + ": " + rule + ", got " + n);
        }
        return n;
    }

    private static double require(String key, double d, boolean ok, String rule) {
        if (!ok) {
            throw ApiException.badParameter(key, "invalid option " + key + ": " + rule + ", got " + d);
        }
        return d;
    }

    private static ApiException wrongType(String key, String expected, JsonNode v) {
        return ApiException.badParameter(key, "invalid value for \"options." + key + "\": expected " + expected
                + ", got " + JsonBody.describe(v));
    }
}
