package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Loading, keep_alive, expiry, reloads and eviction as {@code /api/ps} shows them, on the real server and the
 * scripted model (served under several names to play several models).
 */
@Timeout(120)
class ModelLifecycleTest {
    private static String generate(ScriptedServer s, String model, String extra) {
        Http.Response r = s.http.post("/api/generate", "{\"model\":\"" + model + "\",\"prompt\":\"Hello\",\"raw\":true,"
                + "\"stream\":false" + extra + "}");
        assertEquals(200, r.status(), r.body());
        return r.json().get("response").asText();
    }

    private static List<JsonNode> ps(ScriptedServer s) {
        List<JsonNode> out = new ArrayList<>();
        s.http.get("/api/ps").json().get("models").forEach(out::add);
        return out;
    }

    private static List<String> names(ScriptedServer s) {
        return ps(s).stream().map(m -> m.get("name").asText()).toList();
    }

    private static void waitFor(java.util.function.BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!c.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not reached in 20 s");
            Thread.sleep(20);
        }
    }

    @Test
    void psShowsALoadedModelWithItsSizeExpiryAndContext() {
        try (ScriptedServer s = new ScriptedServer()) {
            assertEquals(List.of(), ps(s));
            Instant before = Instant.now();
            generate(s, "scripted", "");
            List<JsonNode> models = ps(s);
            assertEquals(1, models.size());
            JsonNode m = models.getFirst();
            assertEquals("scripted:latest", m.get("name").asText());
            assertEquals("scripted:latest", m.get("model").asText());
            assertEquals("ab".repeat(32), m.get("digest").asText());
            assertEquals("llama", m.get("details").get("family").asText());
            assertEquals(256, m.get("context_length").asInt());
            assertEquals(0, m.get("size_vram").asLong());
            // Weights (the file) plus K and V for 2 layers x 4 heads x 16 dims x 2 bytes x 256 tokens x 2 slots.
            long kv = 2L * 2 * 4 * 16 * 2 * 256 * 2;
            assertEquals(ScriptedServer.MODEL.toFile().length() + kv, m.get("size").asLong());
            Instant expires = Instant.parse(m.get("expires_at").asText());
            assertTrue(!expires.isBefore(before.plus(Duration.ofMinutes(5)))
                    && expires.isBefore(Instant.now().plus(Duration.ofMinutes(5)).plusSeconds(1)), expires.toString());
        }
    }

    @Test
    void anExpiredKeepAliveUnloadsTheModel() throws Exception {
        try (ScriptedServer s = new ScriptedServer()) {
            generate(s, "scripted", ",\"keep_alive\":\"1s\"");
            assertEquals(List.of("scripted:latest"), names(s));
            waitFor(() -> ps(s).isEmpty());
            // And it loads again on the next request.
            assertEquals(" world from Puna!", generate(s, "scripted", ",\"options\":{\"temperature\":0}"));
        }
    }

    @Test
    void keepAliveZeroUnloadsAfterTheRequestAndNegativeKeepsItForever() throws Exception {
        try (ScriptedServer s = new ScriptedServer()) {
            generate(s, "scripted", ",\"keep_alive\":0");
            waitFor(() -> ps(s).isEmpty());
            generate(s, "scripted", ",\"keep_alive\":-1");
            Instant expires = Instant.parse(ps(s).getFirst().get("expires_at").asText());
            assertTrue(expires.isAfter(Instant.now().plus(Duration.ofDays(365L * 200))), expires.toString());
        }
    }

    @Test
    void theServerDefaultKeepAliveApplies() throws Exception {
        try (ScriptedServer s = new ScriptedServer(ServerConfig.builder().keepAlive(Duration.ofMillis(500)))) {
            generate(s, "scripted", "");
            waitFor(() -> ps(s).isEmpty());
        }
    }

    @Test
    void anEmptyPromptLoadsAndWithKeepAliveZeroUnloads() {
        try (ScriptedServer s = new ScriptedServer()) {
            JsonNode load = s.http.post("/api/generate", "{\"model\":\"scripted\",\"keep_alive\":\"10m\"}").json();
            assertEquals(GenerateEndToEndTest.fields(load), java.util.Set.of("model", "created_at", "response", "done",
                    "done_reason"));
            assertEquals("load", load.get("done_reason").asText());
            assertEquals("", load.get("response").asText());
            assertTrue(load.get("done").asBoolean());
            Instant expires = Instant.parse(ps(s).getFirst().get("expires_at").asText());
            assertTrue(expires.isAfter(Instant.now().plus(Duration.ofMinutes(9))), expires.toString());
            JsonNode unload = s.http.post("/api/generate", "{\"model\":\"scripted\",\"keep_alive\":0}").json();
            assertEquals("unload", unload.get("done_reason").asText());
            assertEquals(List.of(), ps(s));
            // Unloading a model that is not loaded is not an error.
            assertEquals("unload", s.http.post("/api/generate", "{\"model\":\"scripted\",\"keep_alive\":\"0s\"}")
                    .json().get("done_reason").asText());
        }
    }

    @Test
    void differentLoadOptionsReloadTheModel() {
        try (ScriptedServer s = new ScriptedServer()) {
            generate(s, "scripted", "");
            assertEquals(256, ps(s).getFirst().get("context_length").asInt());
            assertEquals(" world from Puna!", generate(s, "scripted", ",\"options\":{\"temperature\":0,\"num_ctx\":512}"));
            List<JsonNode> models = ps(s);
            assertEquals(1, models.size());
            assertEquals(512, models.getFirst().get("context_length").asInt());
            // Sampling options alone never reload.
            generate(s, "scripted", ",\"options\":{\"num_ctx\":512,\"temperature\":0.5,\"seed\":3}");
            assertEquals(512, ps(s).getFirst().get("context_length").asInt());
        }
    }

    @Test
    void atTheModelLimitTheLeastRecentlyUsedIdleModelIsEvicted() {
        try (ScriptedServer s = new ScriptedServer(ServerConfig.builder().maxLoadedModels(2))) {
            s.catalog.add("first", ScriptedServer.MODEL).add("second", ScriptedServer.MODEL);
            generate(s, "first", "");
            generate(s, "second", "");
            assertEquals(List.of("second:latest", "first:latest"), names(s));
            generate(s, "scripted", "");
            assertEquals(List.of("scripted:latest", "second:latest"), names(s));
        }
    }

    @Test
    void aModelThatCannotFitTheMemoryBudgetIsRefusedClearly() {
        try (ScriptedServer s = new ScriptedServer(ServerConfig.builder().maxMemoryBytes(512 * 1024))) {
            Http.Response r = s.http.post("/api/generate", "{\"model\":\"scripted\",\"prompt\":\"Hello\"}");
            assertEquals(500, r.status());
            assertEquals("{\"error\":\"model 'scripted:latest' needs about 833152 bytes of memory (weights and KV "
                    + "cache for num_ctx 256), more than the 524288 bytes available (PUNA_MAX_MEMORY); lower num_ctx or "
                    + "PUNA_NUM_PARALLEL\"}", r.body());
            assertEquals(List.of(), ps(s));
        }
    }
}
