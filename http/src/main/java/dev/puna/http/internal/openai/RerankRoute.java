package dev.puna.http.internal.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.CatalogModel;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.Errors;
import dev.puna.http.internal.GgufFacts;
import dev.puna.http.internal.Guard;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.ModelNames;
import dev.puna.http.internal.ModelScheduler;
import dev.puna.http.internal.RequestLog;
import dev.puna.http.internal.RequestOptions;
import dev.puna.http.internal.Responses;
import dev.puna.http.internal.ServerContext;
import dev.puna.runtime.Reranker;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code POST /v1/rerank} (also {@code /rerank}, {@code /v1/reranking}, {@code /reranking}, as llama-server
 * names it), in llama-server's Jina/Cohere shape: {@code model}, {@code query} (a string), {@code documents}
 * (strings, or objects with a {@code text} string as Jina and Cohere accept), {@code top_n} (default: all) and
 * {@code return_documents} (default false) → {@code {model, object: "list", results: [{index, relevance_score,
 * document?: {text}}], usage: {prompt_tokens, total_tokens}}}, results sorted by score, highest first (ties in
 * document order). A model without rank pooling is a 400 before anything is loaded. Each pair is scored on the
 * model's {@link Reranker}, on a worker thread.
 */
final class RerankRoute implements Handler<RoutingContext> {
    /** As Cohere caps a request: each document is one evaluation of the model. */
    static final int MAX_DOCUMENTS = 1000;

    private final ServerContext sc;

    RerankRoute(ServerContext sc) {
        this.sc = sc;
    }

    private record Request(String model, String query, List<String> documents, int topN, boolean returnDocuments) {
    }

    @Override
    public void handle(RoutingContext rc) {
        Request req = read(sc.requestBody(rc.body().buffer()));
        RequestLog.model(rc, req.model);
        sc.findModel(req.model).onSuccess(entry -> Guard.run(rc, () -> checkReranker(rc, req, entry)))
                .onFailure(rc::fail);
    }

    private static Request read(JsonBody body) {
        String model = body.string("model");
        JsonNode query = body.raw("query");
        ArrayNode documents = body.array("documents");
        Integer topN = body.integer("top_n");
        Boolean returnDocuments = body.bool("return_documents");
        ModelNames.require(model);
        if (query == null) {
            throw ApiException.badParameter("query", "\"query\" is required");
        }
        if (!query.isTextual()) {
            throw ApiException.badParameter("query", "invalid value for \"query\": expected a string, got "
                    + JsonBody.describe(query));
        }
        if (documents == null) {
            throw ApiException.badParameter("documents", "\"documents\" is required");
        }
        if (documents.isEmpty()) {
            throw ApiException.badParameter("documents", "\"documents\" must not be empty");
        }
        if (documents.size() > MAX_DOCUMENTS) {
            throw ApiException.badParameter("documents", "\"documents\" has " + documents.size() + " documents, more "
                    + "than the limit of " + MAX_DOCUMENTS);
        }
        List<String> texts = new ArrayList<>(documents.size());
        for (int i = 0; i < documents.size(); i++) {
            texts.add(document(documents.get(i), i));
        }
        if (topN != null && topN < 1) {
            throw ApiException.badParameter("top_n", "\"top_n\" must be at least 1, got " + topN);
        }
        return new Request(model, query.textValue(), texts, topN == null ? texts.size() : Math.min(topN, texts.size()),
                returnDocuments != null && returnDocuments);
    }

    private static String document(JsonNode d, int i) {
        if (d.isTextual()) {
            return d.textValue();
        }
        JsonNode text = d.isObject() ? d.get("text") : null;
        if (text != null && text.isTextual()) {
            return text.textValue();
        }
        throw ApiException.badParameter("documents", "invalid value for \"documents[" + i + "]\": expected a string "
                + "or an object with a \"text\" string, got " + JsonBody.describe(d));
    }

    /** Refuses a model that is not a reranker from its GGUF header, before it is loaded (a worker reads it). */
    private void checkReranker(RoutingContext rc, Request req, CatalogModel entry) {
        sc.blocking(() -> {
            try {
                return GgufFacts.read(entry.path()).isReranker();
            } catch (dev.puna.gguf.GgufFormatException e) {
                throw ApiException.badRequest("model '" + entry.name() + "' is not a valid GGUF file: " + e.problem());
            } catch (IOException e) {
                throw ApiException.internal("cannot read model '" + entry.name() + "': " + e.getMessage(), e);
            }
        }).onSuccess(reranker -> Guard.run(rc, () -> {
            if (!reranker) {
                throw ApiException.badParameter("model", "model '" + req.model + "' is not a reranker: its GGUF "
                        + "declares no rank pooling (pooling_type 4), which /v1/rerank needs; use a reranking model "
                        + "such as bge-reranker or Qwen3-Reranker");
            }
            rerank(rc, req, entry);
        })).onFailure(e -> rc.fail(Errors.toApi(e)));
    }

    private void rerank(RoutingContext rc, Request req, CatalogModel entry) {
        RequestOptions parsed = sc.options().parse(entry.parameters(), JsonBody.MAPPER.createObjectNode());
        sc.lease(entry, parsed.load(), sc.keepAlive(null)).onComplete(leased -> {
            if (leased.failed()) {
                rc.fail(leased.cause());
                return;
            }
            ModelScheduler.Lease lease = leased.result();
            sc.blocking(() -> {
                try {
                    return compute(lease, req, rc);
                } finally {
                    lease.release();
                }
            }).onSuccess(response -> Responses.json(rc, 200, OpenAiJson.write(response)))
                    .onFailure(e -> rc.fail(Errors.toApi(e)));
        });
    }

    /** Runs on a worker thread; the scoring itself on the engine's decode thread (see Engine#onDecodeThread). */
    private static ObjectNode compute(ModelScheduler.Lease lease, Request req, RoutingContext rc) {
        Reranker reranker = lease.reranker();
        List<int[]> pairs = new ArrayList<>(req.documents.size());
        int promptTokens = 0;
        for (int i = 0; i < req.documents.size(); i++) {
            int[] tokens = reranker.pairTokens(req.query, req.documents.get(i));
            if (tokens.length == 0) {
                throw ApiException.badParameter("documents", "the query and document " + i + " are empty: nothing to "
                        + "score");
            }
            if (tokens.length > reranker.maxPairTokens()) {
                throw ApiException.badParameter("documents", "the query with document " + i + " is " + tokens.length
                        + " tokens, more than the " + reranker.maxPairTokens() + " a pair may have (the smaller of "
                        + "num_ctx and num_batch, since a pair is scored in one batch); shorten them or raise both");
            }
            pairs.add(tokens);
            promptTokens += tokens.length;
        }
        RequestLog.tokens(rc, promptTokens, 0);
        float[] scores = lease.engine().onDecodeThread(() -> reranker.score(pairs));
        List<Integer> order = new ArrayList<>(scores.length);
        for (int i = 0; i < scores.length; i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
        ObjectNode o = OpenAiJson.object();
        o.put("model", req.model);
        o.put("object", "list");
        ArrayNode results = o.putArray("results");
        for (int i : order.subList(0, req.topN)) {
            ObjectNode r = results.addObject();
            r.put("index", i);
            // Widened as llama-server's JSON writes the float: the same digits for the same score.
            r.put("relevance_score", (double) scores[i]);
            if (req.returnDocuments) {
                r.putObject("document").put("text", req.documents.get(i));
            }
        }
        ObjectNode usage = o.putObject("usage");
        usage.put("prompt_tokens", promptTokens);
        usage.put("total_tokens", promptTokens);
        return o;
    }
}
