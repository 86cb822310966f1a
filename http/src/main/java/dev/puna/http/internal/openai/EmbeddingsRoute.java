package dev.puna.http.internal.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.CatalogModel;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.Errors;
import dev.puna.http.internal.Guard;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.ModelNames;
import dev.puna.http.internal.ModelScheduler;
import dev.puna.http.internal.RequestLog;
import dev.puna.http.internal.RequestOptions;
import dev.puna.http.internal.Responses;
import dev.puna.http.internal.ServerContext;
import dev.puna.runtime.Model;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * {@code POST /v1/embeddings}: {@code input} as a string, an array of strings, an array of token ids or an array
 * of token-id arrays (embedded exactly as given); L2-normalised vectors as float arrays or, with
 * {@code encoding_format: "base64"}, as base64 of little-endian float32 as OpenAI sends them; {@code dimensions}
 * keeps the first dimensions and normalises again. Inputs longer than the context are refused (OpenAI does not
 * truncate). The engine's embedding call blocks, so it runs on a worker thread.
 */
final class EmbeddingsRoute implements Handler<RoutingContext> {
    private final ServerContext sc;

    EmbeddingsRoute(ServerContext sc) {
        this.sc = sc;
    }

    /** Inputs: texts, or token-id sequences (exactly one of the two lists is used). */
    private record Request(String model, List<String> texts, List<int[]> tokens, boolean base64, Integer dimensions,
                           ObjectNode options, Integer numCtx) {
        int size() {
            return texts != null ? texts.size() : tokens.size();
        }
    }

    @Override
    public void handle(RoutingContext rc) {
        Request req = read(sc.requestBody(rc.body().buffer()));
        RequestLog.model(rc, req.model);
        sc.findModel(req.model).onSuccess(model -> Guard.run(rc, () -> embed(rc, req, model))).onFailure(rc::fail);
    }

    private static Request read(JsonBody body) {
        String model = body.string("model");
        JsonNode input = body.raw("input");
        String encoding = body.string("encoding_format");
        Integer dimensions = body.integer("dimensions");
        body.string("user");
        ObjectNode options = body.object("options");
        Integer numCtx = body.integer("num_ctx");
        ModelNames.require(model);
        if (encoding != null && !encoding.equals("float") && !encoding.equals("base64")) {
            throw ApiException.badParameter("encoding_format", "invalid value for \"encoding_format\": expected "
                    + "\"float\" or \"base64\", got \"" + encoding + "\"");
        }
        if (dimensions != null && dimensions < 1) {
            throw ApiException.badParameter("dimensions", "\"dimensions\" must be at least 1, got " + dimensions);
        }
        List<String> texts = null;
        List<int[]> tokens = null;
        if (input == null) {
            throw ApiException.badParameter("input", "\"input\" is required");
        } else if (input.isTextual()) {
            texts = List.of(nonEmpty(input.textValue(), "input"));
        } else if (input.isArray() && !input.isEmpty()) {
            JsonNode first = input.get(0);
            if (first.isNumber()) {
                tokens = List.of(tokenIds(input, "input"));
            } else if (first.isTextual()) {
                texts = new ArrayList<>();
                for (int i = 0; i < input.size(); i++) {
                    if (!input.get(i).isTextual()) {
                        throw wrongInput(input);
                    }
                    texts.add(nonEmpty(input.get(i).textValue(), "input[" + i + "]"));
                }
            } else if (first.isArray()) {
                tokens = new ArrayList<>();
                for (int i = 0; i < input.size(); i++) {
                    if (!input.get(i).isArray()) {
                        throw wrongInput(input);
                    }
                    tokens.add(tokenIds(input.get(i), "input[" + i + "]"));
                }
            } else {
                throw wrongInput(input);
            }
        } else if (input.isArray()) {
            throw ApiException.badParameter("input", "\"input\" must not be an empty array");
        } else {
            throw wrongInput(input);
        }
        return new Request(model, texts, tokens, "base64".equals(encoding), dimensions, options, numCtx);
    }

    private static String nonEmpty(String s, String path) {
        if (s.isEmpty()) {
            throw ApiException.badParameter("input", "\"" + path + "\" must not be empty");
        }
        return s;
    }

    private static int[] tokenIds(JsonNode array, String path) {
        if (array.isEmpty()) {
            throw ApiException.badParameter("input", "\"" + path + "\" must not be empty");
        }
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode t = array.get(i);
            if (!t.isIntegralNumber() || !t.canConvertToInt() || t.intValue() < 0) {
                throw ApiException.badParameter("input", "invalid value for \"" + path + "[" + i + "]\": expected a "
                        + "token id, got " + JsonBody.describe(t));
            }
            out[i] = t.intValue();
        }
        return out;
    }

    private static ApiException wrongInput(JsonNode v) {
        return ApiException.badParameter("input", "invalid value for \"input\": expected a string, an array of "
                + "strings, an array of token ids or an array of token-id arrays");
    }

    private void embed(RoutingContext rc, Request req, CatalogModel entry) {
        ObjectNode options = req.options == null ? JsonBody.MAPPER.createObjectNode() : req.options.deepCopy();
        if (req.numCtx != null) {
            options.put("num_ctx", req.numCtx);
        }
        RequestOptions parsed = sc.options().parse(entry.parameters(), options);
        sc.lease(entry, parsed.load(), sc.keepAlive(null)).onComplete(leased -> {
            if (leased.failed()) {
                rc.fail(leased.cause());
                return;
            }
            ModelScheduler.Lease lease = leased.result();
            sc.blocking(() -> {
                try {
                    return compute(lease, req, parsed.load().numCtx(), rc);
                } finally {
                    lease.release();
                }
            }).onSuccess(response -> Responses.json(rc, 200, OpenAiJson.write(response)))
                    .onFailure(e -> rc.fail(Errors.toApi(e)));
        });
    }

    /** Runs on a worker thread. */
    private static ObjectNode compute(ModelScheduler.Lease lease, Request req, int numCtx, RoutingContext rc) {
        Model model = lease.engine().model();
        List<int[]> sequences = new ArrayList<>(req.size());
        for (int i = 0; i < req.size(); i++) {
            int[] tokens = req.texts != null ? model.tokenize(req.texts.get(i), true, false) : req.tokens.get(i);
            for (int t : tokens) {
                if (t >= model.vocabSize()) {
                    throw ApiException.badParameter("input", "invalid token id " + t + " in \"input\": outside the "
                            + "model's vocabulary (0.." + (model.vocabSize() - 1) + ")");
                }
            }
            if (tokens.length > numCtx) {
                throw ApiException.badParameter("input", "input " + i + " is " + tokens.length + " tokens, more than "
                        + "the context length of " + numCtx + " (num_ctx); shorten it or raise num_ctx");
            }
            sequences.add(tokens);
        }
        int promptTokens = sequences.stream().mapToInt(s -> s.length).sum();
        RequestLog.tokens(rc, promptTokens, 0);
        float[][] vectors = lease.engine().embedTokens(sequences);
        ObjectNode o = OpenAiJson.object();
        o.put("object", "list");
        ArrayNode data = o.putArray("data");
        for (int i = 0; i < vectors.length; i++) {
            float[] v = req.dimensions == null ? vectors[i] : shorten(vectors[i], req.dimensions);
            ObjectNode e = data.addObject();
            e.put("object", "embedding");
            e.put("index", i);
            if (req.base64) {
                e.put("embedding", base64(v));
            } else {
                ArrayNode values = e.putArray("embedding");
                for (float f : v) {
                    values.add(f);
                }
            }
        }
        o.put("model", req.model);
        ObjectNode usage = o.putObject("usage");
        usage.put("prompt_tokens", promptTokens);
        usage.put("total_tokens", promptTokens);
        return o;
    }

    /** The first {@code n} dimensions, normalised again (Matryoshka truncation). */
    static float[] shorten(float[] v, int n) {
        if (n > v.length) {
            throw ApiException.badParameter("dimensions", "\"dimensions\" " + n + " is more than the model's "
                    + "embedding length of " + v.length);
        }
        float[] out = Arrays.copyOf(v, n);
        double sum = 0;
        for (float f : out) {
            sum += (double) f * f;
        }
        double norm = Math.sqrt(sum);
        if (norm > 0) {
            for (int i = 0; i < n; i++) {
                out[i] = (float) (out[i] / norm);
            }
        }
        return out;
    }

    /** Base64 of the vector as little-endian float32, OpenAI's {@code encoding_format: "base64"}. */
    static String base64(float[] v) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            bytes.putFloat(f);
        }
        return Base64.getEncoder().encodeToString(bytes.array());
    }
}
