package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code GET /metrics}: Prometheus text reflecting the requests the server just served. */
@Timeout(120)
class MetricsEndToEndTest {

    /** Samples by series ({@code name{labels}}), skipping comments. */
    static Map<String, Double> samples(String text) {
        Map<String, Double> out = new HashMap<>();
        for (String line : text.lines().toList()) {
            if (!line.isBlank() && !line.startsWith("#")) {
                int space = line.lastIndexOf(' ');
                out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return out;
    }

    @Test
    void countsRequestsTokensFirstTokensAndShowsTheEngine() {
        try (ScriptedServer server = new ScriptedServer()) {
            String before = server.http.get("/metrics").body();
            assertEquals(0.0, samples(before).get("puna_loaded_models"));

            Http.Response r = server.http.post("/api/generate",
                    "{\"model\":\"scripted\",\"prompt\":\"Hello\",\"raw\":true,\"stream\":false,\"options\":{\"temperature\":0}}");
            assertEquals(200, r.status());
            assertEquals(404, server.http.post("/api/generate", "{\"model\":\"nope\",\"prompt\":\"x\"}").status());
            assertEquals(404, server.http.get("/no/such/path").status());

            Http.Response m = server.http.get("/metrics");
            assertEquals(200, m.status());
            assertTrue(m.header("Content-Type").startsWith("text/plain; version=0.0.4"), m.header("Content-Type"));
            Map<String, Double> s = samples(m.body());
            assertEquals(1.0, s.get("puna_http_requests_total{route=\"/api/generate\",status=\"200\"}"), m.body());
            assertEquals(1.0, s.get("puna_http_requests_total{route=\"/api/generate\",status=\"404\"}"), m.body());
            assertEquals(1.0, s.get("puna_http_requests_total{route=\"unmatched\",status=\"404\"}"), m.body());
            assertEquals(2.0, s.get("puna_prompt_tokens_total{model=\"scripted:latest\"}"), m.body());
            assertEquals(4.0, s.get("puna_generated_tokens_total{model=\"scripted:latest\"}"), m.body());
            assertEquals(1.0, s.get("puna_time_to_first_token_seconds_count{model=\"scripted:latest\"}"), m.body());
            assertEquals(1.0, s.get("puna_generation_tokens_per_second_count{model=\"scripted:latest\"}"), m.body());
            assertEquals(1.0, s.get("puna_model_load_seconds_count{model=\"scripted:latest\"}"), m.body());
            assertEquals(1.0, s.get("puna_loaded_models"));
            assertEquals(0.0, s.get("puna_active_slots{model=\"scripted:latest\"}"));
            assertEquals(0.0, s.get("puna_queue_depth{model=\"scripted:latest\"}"));
            assertEquals(2.0, s.get("puna_slots{model=\"scripted:latest\"}"));
            assertEquals(512.0, s.get("puna_kv_cache_capacity_tokens{model=\"scripted:latest\"}"));
            // The prompt (2 tokens) and the 4 generated tokens (each decoded to sample the next, the last one to
            // sample EOS) stay cached for the next turn.
            assertEquals(6.0, s.get("puna_kv_cache_tokens{model=\"scripted:latest\"}"));
        }
    }

    @Test
    void wrongMethodIsAnOllamaError() {
        try (ScriptedServer server = new ScriptedServer()) {
            Http.Response r = server.http.post("/metrics", "{}");
            assertEquals(405, r.status());
            assertEquals("{\"error\":\"405 method not allowed: POST /metrics\"}", r.body());
        }
    }
}
