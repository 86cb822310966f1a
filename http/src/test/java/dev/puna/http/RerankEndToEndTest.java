package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.runtime.FlashAttention;
import dev.puna.runtime.Model;
import dev.puna.runtime.Reranker;
import dev.puna.runtime.SessionParams;
import dev.puna.testkit.RerankerModel;
import dev.puna.testkit.TestModels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /v1/rerank} and its aliases end to end on the generated reranker ({@link RerankerModel}), whose scores are
 * known in closed form: each result's score must be that score, and exactly what the runtime's {@link Reranker}
 * computes for the same pair; results come sorted, cut to {@code top_n}, byte-identical on a repeat. The server runs
 * without flash attention, whose f16 sums would blur the closed form's last digits.
 */
@Timeout(120)
class RerankEndToEndTest {
    private static final RerankerModel EXPECTED = TestModels.rerankerModel();
    private static final String QUERY = "Hello";
    private static final List<String> DOCUMENTS = List.of("world from Puna", "one two three", "Hello", "Count: ten",
            "ok");
    private static ScriptedServer server;
    private static Model model;
    private static Reranker direct;

    @BeforeAll
    static void start() throws IOException {
        Path file = TestModels.reranker(ScriptedServer.MODEL.getParent());
        server = new ScriptedServer(ServerConfig.builder().flashAttention(FlashAttention.DISABLED));
        server.catalog.add("reranker", file);
        model = Model.load(file);
        direct = Reranker.open(model, SessionParams.builder().contextSize(256)
                .flashAttention(FlashAttention.DISABLED).build());
    }

    @AfterAll
    static void stop() {
        direct.close();
        model.close();
        server.close();
    }

    private static Http.Response rerank(String path, String fields) {
        return server.http.post(path, "{\"model\":\"reranker\",\"query\":\"" + QUERY + "\"," + fields + "}");
    }

    private static String documents() {
        return "\"documents\":[\"world from Puna\",\"one two three\",{\"text\":\"Hello\"},\"Count: ten\",\"ok\"]";
    }

    @Test
    void resultsAreTheClosedFormScoresSortedHighestFirst() {
        Http.Response r = rerank("/v1/rerank", documents());
        assertEquals(200, r.status(), r.body());
        JsonNode o = r.json();
        assertEquals(List.of("model", "object", "results", "usage"), fieldList(o));
        assertEquals("reranker", o.get("model").asText());
        assertEquals("list", o.get("object").asText());
        List<int[]> pairs = new ArrayList<>();
        int tokens = 0;
        for (String d : DOCUMENTS) {
            int[] pair = direct.pairTokens(QUERY, d);
            pairs.add(pair);
            tokens += pair.length;
        }
        float[] scores = direct.score(pairs);
        JsonNode results = o.get("results");
        assertEquals(DOCUMENTS.size(), results.size());
        double previous = Double.MAX_VALUE;
        boolean[] seen = new boolean[DOCUMENTS.size()];
        for (JsonNode result : results) {
            assertEquals(List.of("index", "relevance_score"), fieldList(result));
            int index = result.get("index").asInt();
            double score = result.get("relevance_score").asDouble();
            seen[index] = true;
            assertEquals((double) scores[index], score, 0.0, "the runtime's score for document " + index);
            assertEquals(EXPECTED.score(pairs.get(index)), score, 1e-6, "the closed form for document " + index);
            assertTrue(score < previous, "sorted, all different: " + results);
            previous = score;
        }
        for (boolean s : seen) {
            assertTrue(s, "every document once: " + results);
        }
        assertEquals(tokens, o.get("usage").get("prompt_tokens").asInt());
        assertEquals(tokens, o.get("usage").get("total_tokens").asInt());
    }

    @Test
    void topNCutsAndReturnDocumentsEchoesTheText() {
        JsonNode all = rerank("/v1/rerank", documents()).json().get("results");
        Http.Response r = rerank("/v1/rerank", documents() + ",\"top_n\":2,\"return_documents\":true");
        assertEquals(200, r.status(), r.body());
        JsonNode results = r.json().get("results");
        assertEquals(2, results.size());
        for (int i = 0; i < 2; i++) {
            int index = all.get(i).get("index").asInt();
            assertEquals(index, results.get(i).get("index").asInt());
            assertEquals(all.get(i).get("relevance_score"), results.get(i).get("relevance_score"));
            assertEquals(DOCUMENTS.get(index), results.get(i).get("document").get("text").asText());
        }
        assertEquals(DOCUMENTS.size(), rerank("/v1/rerank", documents() + ",\"top_n\":50").json().get("results").size());
    }

    @Test
    void theSameRequestGivesTheSameBytesOnEveryAlias() {
        String first = rerank("/v1/rerank", documents()).body();
        assertEquals(first, rerank("/v1/rerank", documents()).body());
        for (String alias : List.of("/rerank", "/v1/reranking", "/reranking")) {
            assertEquals(first, rerank(alias, documents()).body(), alias);
        }
    }

    @Test
    void concurrentRequestsShareTheRerankerAndAgree() throws Exception {
        String expected = rerank("/v1/rerank", documents()).body();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<String>> bodies = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                bodies.add(pool.submit(() -> rerank("/v1/rerank", documents()).body()));
            }
            for (java.util.concurrent.Future<String> body : bodies) {
                assertEquals(expected, body.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aModelThatIsNotARerankerIsA400AndIsNotLoaded() {
        Http.Response r = server.http.post("/v1/rerank", "{\"model\":\"scripted\",\"query\":\"a\",\"documents\":[\"b\"]}");
        assertEquals(400, r.status(), r.body());
        assertEquals(OpenAiRoutesTest.error("model 'scripted' is not a reranker: its GGUF declares no rank pooling "
                + "(pooling_type 4), which /v1/rerank needs; use a reranking model such as bge-reranker or "
                + "Qwen3-Reranker", "invalid_request_error", "model", null), r.json());
        for (JsonNode m : server.http.get("/api/ps").json().get("models")) {
            assertTrue(!m.get("name").asText().startsWith("scripted"), "loaded: " + m);
        }
    }

    @Test
    void badInputs() {
        expect400(server.http.post("/v1/rerank", "{\"model\":\"reranker\",\"documents\":[\"a\"]}"), "query",
                "\"query\" is required");
        expect400(rerank("/v1/rerank", "\"documents\":[]"), "documents", "\"documents\" must not be empty");
        expect400(server.http.post("/v1/rerank", "{\"model\":\"reranker\",\"query\":5,\"documents\":[\"a\"]}"),
                "query", "invalid value for \"query\": expected a string, got a number (5)");
        expect400(rerank("/v1/rerank", "\"documents\":[\"a\",{\"text\":5}]"), "documents", "invalid value for "
                + "\"documents[1]\": expected a string or an object with a \"text\" string, got an object");
        expect400(rerank("/v1/rerank", "\"documents\":[\"a\"],\"top_n\":0"), "top_n",
                "\"top_n\" must be at least 1, got 0");
        expect400(rerank("/v1/rerank", "\"documents\":\"a\""), "documents", null);
        expect400(rerank("/v1/rerank", "\"documents\":[\"a\"],\"return_documents\":\"yes\""), "return_documents",
                null);
        expect400(rerank("/v1/rerank", "\"documents\":[" + "\"a\",".repeat(RerankRouteLimit.MAX) + "\"a\"]"),
                "documents", "\"documents\" has " + (RerankRouteLimit.MAX + 1) + " documents, more than the limit of "
                        + RerankRouteLimit.MAX);
        expect400(rerank("/v1/rerank", "\"documents\":[\"" + "one ".repeat(299) + "one\"]"), "documents",
                "the query with document 0 is 302 tokens, more than the 256 a pair may have (the smaller of num_ctx "
                        + "and num_batch, since a pair is scored in one batch); shorten them or raise both");
        Http.Response unknown = server.http.post("/v1/rerank", "{\"model\":\"nonexistent\",\"query\":\"a\","
                + "\"documents\":[\"b\"]}");
        assertEquals(404, unknown.status(), unknown.body());
        assertEquals("model_not_found", unknown.json().get("error").get("code").asText());
    }

    private static List<String> fieldList(JsonNode o) {
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The route's document cap, as the README states it. */
    private static final class RerankRouteLimit {
        static final int MAX = 1000;
    }

    private static void expect400(Http.Response r, String param, String message) {
        assertEquals(400, r.status(), r.body());
        JsonNode e = r.json().get("error");
        assertEquals(param, e.get("param").asText(), r.body());
        assertEquals("invalid_request_error", e.get("type").asText(), r.body());
        if (message != null) {
            assertEquals(message, e.get("message").asText());
        }
    }
}
