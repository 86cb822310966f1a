package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /api/embed} and {@code /api/embeddings} end to end on the scripted model (64 dimensions). */
@Timeout(120)
class EmbedEndToEndTest {
    private static ScriptedServer server;

    @BeforeAll
    static void start() {
        server = new ScriptedServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static double norm(JsonNode v) {
        double s = 0;
        for (JsonNode x : v) {
            s += x.asDouble() * x.asDouble();
        }
        return Math.sqrt(s);
    }

    @Test
    void oneInputGivesOneNormalisedVector() {
        Http.Response r = server.http.post("/api/embed", "{\"model\":\"scripted\",\"input\":\"Hello\"}");
        assertEquals(200, r.status(), r.body());
        JsonNode o = r.json();
        assertEquals(Set.of("model", "embeddings", "total_duration", "load_duration", "prompt_eval_count"),
                GenerateEndToEndTest.fields(o));
        assertEquals("scripted", o.get("model").asText());
        assertEquals(1, o.get("embeddings").size());
        assertEquals(64, o.get("embeddings").get(0).size());
        assertEquals(1.0, norm(o.get("embeddings").get(0)), 1e-4);
        assertEquals(2, o.get("prompt_eval_count").asInt(), "BOS and ▁Hello");
        assertTrue(o.get("total_duration").asLong() > 0);
    }

    @Test
    void severalInputsKeepTheirOrder() {
        JsonNode o = server.http.post("/api/embed", "{\"model\":\"scripted\",\"input\":[\"Hello\",\"Count:\",\"Hello\"]}")
                .json();
        JsonNode e = o.get("embeddings");
        assertEquals(3, e.size());
        assertEquals(e.get(0), e.get(2));
        assertNotEquals(e.get(0), e.get(1));
        assertEquals(6, o.get("prompt_eval_count").asInt());
    }

    @Test
    void dimensionsShortenAndRenormalise() {
        JsonNode full = server.http.post("/api/embed", "{\"model\":\"scripted\",\"input\":\"Hello\"}").json()
                .get("embeddings").get(0);
        JsonNode short8 = server.http.post("/api/embed", "{\"model\":\"scripted\",\"input\":\"Hello\",\"dimensions\":8}")
                .json().get("embeddings").get(0);
        assertEquals(8, short8.size());
        assertEquals(1.0, norm(short8), 1e-4);
        double scale = short8.get(0).asDouble() / full.get(0).asDouble();
        for (int i = 0; i < 8; i++) {
            assertEquals(full.get(i).asDouble() * scale, short8.get(i).asDouble(), 1e-5);
        }
        Http.Response tooMany = server.http.post("/api/embed",
                "{\"model\":\"scripted\",\"input\":\"Hello\",\"dimensions\":65}");
        assertEquals(400, tooMany.status());
        assertEquals("{\"error\":\"dimensions 65 is more than the model's embedding length of 64\"}", tooMany.body());
    }

    @Test
    void longInputsAreTruncatedUnlessTruncateIsFalse() {
        String input = "Count:" + " one".repeat(400);
        JsonNode ok = server.http.post("/api/embed", "{\"model\":\"scripted\",\"input\":\"" + input + "\"}").json();
        assertEquals(64, ok.get("embeddings").get(0).size());
        assertTrue(ok.get("prompt_eval_count").asInt() <= 256, ok.toString());
        Http.Response refused = server.http.post("/api/embed",
                "{\"model\":\"scripted\",\"input\":[\"Hello\",\"" + input + "\"],\"truncate\":false}");
        assertEquals(400, refused.status());
        assertEquals("{\"error\":\"input 1 is 402 tokens, which exceeds the context length of 256 (num_ctx); "
                + "set truncate to true or raise num_ctx\"}", refused.body());
    }

    @Test
    void emptyInputLoadsTheModelAndReturnsNoVectors() {
        JsonNode o = server.http.post("/api/embed", "{\"model\":\"scripted\",\"input\":[]}").json();
        assertEquals(0, o.get("embeddings").size());
        assertEquals(0, o.get("prompt_eval_count").asInt());
        assertEquals(1, server.http.get("/api/ps").json().get("models").size());
    }

    @Test
    void legacyEmbeddingsRoute() {
        JsonNode o = server.http.post("/api/embeddings", "{\"model\":\"scripted\",\"prompt\":\"Hello\"}").json();
        assertEquals(Set.of("embedding"), GenerateEndToEndTest.fields(o));
        assertEquals(64, o.get("embedding").size());
        JsonNode modern = server.http.post("/api/embed", "{\"model\":\"scripted\",\"input\":\"Hello\"}").json();
        assertEquals(modern.get("embeddings").get(0), o.get("embedding"));
        assertEquals("{\"embedding\":[]}",
                server.http.post("/api/embeddings", "{\"model\":\"scripted\",\"prompt\":\"\"}").body());
    }
}
