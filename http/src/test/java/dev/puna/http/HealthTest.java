package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.http.internal.ApiKeys;
import dev.puna.http.internal.HealthRoute;
import dev.puna.http.internal.Metrics;
import dev.puna.http.internal.ModelScheduler;
import dev.puna.http.internal.ServerContext;
import dev.puna.http.internal.ServerRouter;
import dev.puna.http.internal.ollama.OllamaRoutes;
import dev.puna.runtime.ModelLoadException;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code GET /health}: 503 while starting and draining, 200 with each model's state while serving, public with keys. */
@Timeout(120)
class HealthTest {
    @Test
    void aRealServerIsHealthyListsLoadedModelsAndGoes503WhenDraining() throws Exception {
        try (ScriptedServer s = new ScriptedServer(ServerConfig.builder().apiKeys(List.of("sk-h")))) {
            assertEquals(ServerState.SERVING, s.server.state());
            Http.Response r = s.http.get("/health");
            assertEquals(200, r.status(), r.body());
            assertEquals("{\"status\":\"ok\",\"models\":[]}", r.body());
            assertEquals("no-store", r.header("Cache-Control"));
            Http.Response gen = s.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(s.server.url()
                    + "/api/generate")).header("Authorization", "Bearer sk-h").POST(java.net.http.HttpRequest
                    .BodyPublishers.ofString("{\"model\":\"scripted\",\"prompt\":\"x\",\"raw\":true,\"stream\":false,"
                            + "\"options\":{\"num_predict\":1}}")).build());
            assertEquals(200, gen.status(), gen.body());
            JsonNode h = s.http.get("/health").json();
            assertEquals("ok", h.get("status").asText());
            assertEquals(1, h.get("models").size(), h.toString());
            JsonNode m = h.get("models").get(0);
            assertEquals("scripted:latest", m.get("name").asText());
            assertEquals("loaded", m.get("state").asText());
            assertEquals(0, m.get("requests").asInt());
            assertEquals(256, m.get("context_length").asInt());
            assertEquals(2, m.get("slots").asInt());
            assertEquals(0, m.get("active_slots").asInt());
            assertEquals(0, m.get("queued").asInt());
            assertTrue(m.has("expires_at"), h.toString());
            assertEquals(401, s.http.get("/api/ps").status(), "only /health is public");

            // A drain waits for the request in flight (a generation that counts on), answering /health meanwhile.
            Thread drain;
            try (RawHttp counting = new RawHttp(s.server.port(), 0)) {
                counting.sendWithKey("/api/generate", "{\"model\":\"scripted\",\"prompt\":\"Count:\",\"raw\":true,"
                        + "\"options\":{\"temperature\":0,\"num_predict\":-1}}", "sk-h").head();
                counting.line();
                drain = new Thread(() -> s.server.drain(java.time.Duration.ofSeconds(60)));
                drain.start();
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (s.server.state() != ServerState.DRAINING) {
                    assertTrue(System.nanoTime() < deadline, "never drained");
                    Thread.onSpinWait();
                }
                Http.Response draining = s.http.get("/health");
                assertEquals(503, draining.status());
                assertEquals("draining", draining.json().get("status").asText());
                assertEquals(1, draining.json().get("models").size());
                assertEquals(503, s.http.get("/api/version").status(), "a draining server takes no new requests");
            } // the client leaves: the drain ends
            drain.join(30_000);
        }
    }

    @Test
    void startingIs503() throws Exception {
        Vertx vertx = Vertx.vertx();
        ModelScheduler scheduler = new ModelScheduler((m, o) -> {
            throw new ModelLoadException(m.path(), "no");
        }, (m, o) -> 1, 1, 1 << 30, Executors.newCachedThreadPool(), Executors.newSingleThreadScheduledExecutor());
        try {
            ServerConfig config = ServerConfig.builder().port(0).build();
            AtomicReference<ServerState> state = new AtomicReference<>(ServerState.STARTING);
            ServerContext sc = new ServerContext(vertx, config, new TestCatalog(), scheduler);
            var router = ServerRouter.create(vertx, config, List.of(new OllamaRoutes(sc)), new Metrics(Map::of),
                    ApiKeys.of(List.of(), null), new HealthRoute(state::get, scheduler));
            var server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage()
                    .toCompletableFuture().get();
            Http http = new Http("http://127.0.0.1:" + server.actualPort());
            Http.Response r = http.get("/health");
            assertEquals(503, r.status());
            assertEquals("{\"status\":\"starting\",\"models\":[]}", r.body());
            state.set(ServerState.SERVING);
            assertEquals(200, http.get("/health").status());
            assertEquals(404, http.get("/health/x").status());
            assertEquals(405, http.method("POST", "/health", "{}").status());
        } finally {
            scheduler.close();
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }
}
