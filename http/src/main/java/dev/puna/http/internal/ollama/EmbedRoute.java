package dev.puna.http.internal.ollama;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code POST /api/embed} ({@code input}: a string or strings; {@code truncate}, default true; {@code dimensions})
 * and the legacy {@code POST /api/embeddings} ({@code prompt} → {@code embedding}). Vectors are L2-normalised;
 * the engine's embedding call blocks, so it runs on a worker thread.
 */
final class EmbedRoute implements Handler<RoutingContext> {
    private final ServerContext sc;
    private final boolean legacy;

    /** @param legacy serve {@code /api/embeddings} instead of {@code /api/embed} */
    EmbedRoute(ServerContext sc, boolean legacy) {
        this.sc = sc;
        this.legacy = legacy;
    }

    private record Request(String model, List<String> inputs, boolean truncate, Integer dimensions,
                           Duration keepAlive, ObjectNode options) {
    }

    @Override
    public void handle(RoutingContext rc) {
        Request req = read(sc.requestBody(rc.body().buffer()));
        RequestLog.model(rc, req.model);
        sc.findModel(req.model).onSuccess(model -> Guard.run(rc, () -> embed(rc, req, model))).onFailure(rc::fail);
    }

    private Request read(JsonBody body) {
        String model = body.string("model");
        List<String> inputs;
        if (legacy) {
            String prompt = body.string("prompt");
            inputs = prompt == null || prompt.isEmpty() ? List.of() : List.of(prompt);
        } else {
            inputs = inputs(body.raw("input"));
        }
        Boolean truncate = legacy ? null : body.bool("truncate");
        Integer dimensions = legacy ? null : body.integer("dimensions");
        Duration keepAlive = OllamaFields.keepAlive(body);
        ObjectNode options = body.object("options");
        ModelNames.require(model);
        if (dimensions != null && dimensions < 1) {
            throw ApiException.badParameter("dimensions", "dimensions must be a positive number, got " + dimensions);
        }
        return new Request(model, inputs, truncate == null || truncate, dimensions, keepAlive, options);
    }

    private static List<String> inputs(JsonNode v) {
        if (v == null) {
            return List.of();
        }
        if (v.isTextual()) {
            return v.textValue().isEmpty() ? List.of() : List.of(v.textValue());
        }
        if (v.isArray()) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < v.size(); i++) {
                if (!v.get(i).isTextual()) {
                    throw ApiException.badParameter("input", "invalid value for \"input[" + i
                            + "]\": expected a string, got " + JsonBody.describe(v.get(i)));
                }
                out.add(v.get(i).textValue());
            }
            return out;
        }
        throw ApiException.badParameter("input", "invalid value for \"input\": expected a string or an array of "
                + "strings, got " + JsonBody.describe(v));
    }

    private void embed(RoutingContext rc, Request req, CatalogModel model) {
        RequestOptions options = sc.options().parse(model.parameters(), req.options);
        if (req.keepAlive != null && req.keepAlive.isZero() && req.inputs.isEmpty()) {
            sc.scheduler().unload(model.name());
            Responses.json(rc, 200, OllamaJson.write(empty(req)));
            return;
        }
        sc.lease(model, options.load(), sc.keepAlive(req.keepAlive)).onComplete(leased -> {
            if (leased.failed()) {
                rc.fail(leased.cause());
                return;
            }
            ModelScheduler.Lease lease = leased.result();
            sc.blocking(() -> {
                try {
                    return compute(lease, req, options.load().numCtx(), RequestLog.startNanos(rc));
                } finally {
                    lease.release();
                }
            }).onSuccess(response -> Responses.json(rc, 200, OllamaJson.write(response)))
                    .onFailure(e -> rc.fail(Errors.toApi(e)));
        });
    }

    private ObjectNode empty(Request req) {
        ObjectNode o = OllamaJson.object();
        if (legacy) {
            o.putArray("embedding");
        } else {
            o.put("model", req.model);
            o.putArray("embeddings");
        }
        return o;
    }

    /** Runs on a worker thread. */
    private ObjectNode compute(ModelScheduler.Lease lease, Request req, int numCtx, long start) {
        if (req.inputs.isEmpty()) {
            ObjectNode o = empty(req);
            if (!legacy) {
                o.put("total_duration", System.nanoTime() - start);
                o.put("load_duration", lease.loadNanos());
                o.put("prompt_eval_count", 0);
            }
            return o;
        }
        Model model = lease.engine().model();
        List<String> fitted = new ArrayList<>(req.inputs.size());
        int promptTokens = 0;
        for (int i = 0; i < req.inputs.size(); i++) {
            String input = req.inputs.get(i);
            int[] tokens = model.tokenize(input, true, false);
            if (tokens.length > numCtx) {
                if (!req.truncate) {
                    throw ApiException.badParameter("input", "input " + (legacy ? "" : i + " ") + "is " + tokens.length
                            + " tokens, which exceeds the context length of " + numCtx
                            + " (num_ctx); set truncate to true or raise num_ctx");
                }
                // Keep the first num_ctx tokens (one left for the BOS the embedding call adds back).
                int[] kept = Arrays.copyOfRange(tokens, 0, numCtx - 1);
                input = model.detokenize(kept, true, false);
                tokens = model.tokenize(input, true, false);
            }
            promptTokens += tokens.length;
            fitted.add(input);
        }
        float[][] vectors = lease.engine().embed(fitted);
        ObjectNode o = OllamaJson.object();
        if (legacy) {
            ArrayNode e = o.putArray("embedding");
            for (float f : vectors[0]) {
                e.add(f);
            }
            return o;
        }
        o.put("model", req.model);
        ArrayNode all = o.putArray("embeddings");
        for (float[] v : vectors) {
            float[] shaped = req.dimensions == null ? v : shorten(v, req.dimensions);
            ArrayNode e = all.addArray();
            for (float f : shaped) {
                e.add(f);
            }
        }
        o.put("total_duration", System.nanoTime() - start);
        o.put("load_duration", lease.loadNanos());
        o.put("prompt_eval_count", promptTokens);
        return o;
    }

    /** The first {@code n} dimensions, normalised again (Matryoshka truncation, as Ollama does). */
    private static float[] shorten(float[] v, int n) {
        if (n > v.length) {
            throw ApiException.badParameter("dimensions", "dimensions " + n + " is more than the model's embedding "
                    + "length of " + v.length);
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
}
