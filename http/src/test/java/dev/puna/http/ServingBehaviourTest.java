package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.http.internal.EngineLoader;
import dev.puna.http.internal.LoadOptions;
import dev.puna.http.internal.ModelScheduler;
import dev.puna.http.internal.ServerContext;
import dev.puna.http.internal.ServerRouter;
import dev.puna.http.internal.ollama.OllamaRoutes;
import dev.puna.runtime.EngineStats;
import dev.puna.testkit.TestModels;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How the server behaves under the conditions a library client hides: a client that disconnects mid-stream, one
 * that stops reading, a full queue, a model unloaded under a stream, many streams at once. The server is
 * assembled here from its parts so the test can look at the engine (its counters) and the scheduler.
 */
@Timeout(120)
class ServingBehaviourTest {
    private static final String COUNT_FOREVER = "{\"model\":\"scripted\",\"prompt\":\"Count:\",\"raw\":true,"
            + "\"options\":{\"temperature\":0,\"num_predict\":-1}}";

    private Vertx vertx;
    private HttpServer server;
    private ModelScheduler scheduler;
    private ExecutorService executor;
    private Http http;
    private final TestCatalog catalog = new TestCatalog().add("scripted", ScriptedServer.MODEL);
    private ServerConfig config;

    private void start(int parallel, int maxQueue) throws Exception {
        config = ServerConfig.builder().port(0).contextLength(256).numParallel(parallel).maxQueue(maxQueue).build();
        vertx = Vertx.vertx();
        executor = Executors.newCachedThreadPool();
        EngineLoader loader = new EngineLoader(config);
        scheduler = new ModelScheduler(loader, loader, 3, Long.MAX_VALUE, executor,
                Executors.newSingleThreadScheduledExecutor());
        ServerContext sc = new ServerContext(vertx, config, catalog, scheduler);
        // Small socket buffers, so that a client that stops reading fills them after a few hundred tokens.
        server = vertx.createHttpServer(new HttpServerOptions().setSendBufferSize(4096))
                .requestHandler(ServerRouter.create(vertx, config, List.of(new OllamaRoutes(sc))))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        http = new Http("http://127.0.0.1:" + server.actualPort());
    }

    @AfterEach
    void stop() throws Exception {
        if (scheduler != null) {
            scheduler.close(Duration.ofSeconds(10));
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    /** The running engine's counters, through a lease of the loaded model. */
    private EngineStats stats() throws Exception {
        ModelScheduler.Lease lease = scheduler.acquire(catalog.find("scripted").orElseThrow(),
                new LoadOptions(256, 512, 0, -1, -1, true, false), config.keepAlive()).get(10, TimeUnit.SECONDS);
        try {
            return lease.engine().stats();
        } finally {
            lease.release();
        }
    }

    private String hello() {
        Http.Response r = http.post("/api/generate", "{\"model\":\"scripted\",\"prompt\":\"Hello\",\"raw\":true,"
                + "\"stream\":false,\"options\":{\"temperature\":0}}");
        assertEquals(200, r.status(), r.body());
        return r.json().get("response").asText();
    }

    @Test
    void aClientThatDisconnectsCancelsItsGenerationAndFreesTheSlot() throws Exception {
        start(1, 8);
        try (RawHttp client = new RawHttp(server.actualPort(), 0).post("/api/generate", COUNT_FOREVER)) {
            assertEquals(200, client.status);
            for (int i = 0; i < 3; i++) {
                assertTrue(client.line().contains("\"done\":false"));
            }
        }
        // With one slot, the next request can only run once the endless one was cancelled.
        assertEquals(TestModels.HELLO_COMPLETION, hello());
        EngineStats s = stats();
        assertEquals(0, s.activeSlots());
        assertEquals(0, s.queued());
        assertEquals(2, s.requests());
    }

    @Test
    void aDisconnectWhileQueuedCancelsTheQueuedRequest() throws Exception {
        start(1, 8);
        try (RawHttp running = new RawHttp(server.actualPort(), 0).post("/api/generate", COUNT_FOREVER)) {
            running.line();
            try (RawHttp queued = new RawHttp(server.actualPort(), 0)) {
                queued.send("/api/generate", COUNT_FOREVER.replace("Count:", "Count: one"));
                waitFor(() -> stats().queued() == 1);
            }
            waitFor(() -> stats().queued() == 0);
            assertEquals(1, stats().activeSlots());
        }
        assertEquals(TestModels.HELLO_COMPLETION, hello());
    }

    @Test
    void aClientThatStopsReadingPausesItsGenerationWhichResumesWhenItReads() throws Exception {
        start(1, 8);
        int n = 4000;
        try (RawHttp client = new RawHttp(server.actualPort(), 2048)) {
            client.post("/api/generate", "{\"model\":\"scripted\",\"prompt\":\"Count:\",\"raw\":true,"
                    + "\"options\":{\"temperature\":0,\"num_predict\":" + n + "}}");
            client.line();
            // Not reading: the generation must stall well before n tokens.
            long[] last = {-1};
            waitFor(() -> {
                long now = stats().tokensGenerated();
                boolean stable = now == last[0];
                last[0] = now;
                Thread.sleep(300);
                return stable;
            });
            long stalled = stats().tokensGenerated();
            assertTrue(stalled < n, "paused after " + stalled + " of " + n + " tokens");
            assertEquals(1, stats().activeSlots(), "a paused generation keeps its slot");
            StringBuilder text = new StringBuilder(" one");
            JsonNode last2 = null;
            String line;
            while ((line = client.line()) != null) {
                last2 = Http.JSON.readTree(line);
                text.append(last2.get("response").asText());
            }
            assertEquals(TestModels.countCompletion(n), text.toString());
            assertEquals(n, last2.get("eval_count").asInt());
            assertEquals("length", last2.get("done_reason").asText());
        }
    }

    @Test
    void aFullQueueIs503WithRetryAfter() throws Exception {
        start(1, 1);
        try (RawHttp running = new RawHttp(server.actualPort(), 0).post("/api/generate", COUNT_FOREVER);
             RawHttp queued = new RawHttp(server.actualPort(), 0)) {
            running.line();
            queued.send("/api/generate", COUNT_FOREVER.replace("Count:", "Count: one"));
            waitFor(() -> stats().queued() == 1);
            Http.Response refused = http.post("/api/generate", COUNT_FOREVER);
            assertEquals(503, refused.status());
            assertEquals("1", refused.header("Retry-After"));
            assertEquals("{\"error\":\"server busy: 1 requests are already waiting; retry later\"}", refused.body());
        }
        waitFor(() -> stats().queued() == 0 && stats().activeSlots() == 0);
        assertEquals(TestModels.HELLO_COMPLETION, hello());
    }

    @Test
    void aModelUnloadedUnderAStreamEndsItWithAnErrorLine() throws Exception {
        start(1, 8);
        try (RawHttp client = new RawHttp(server.actualPort(), 0).post("/api/generate", COUNT_FOREVER)) {
            assertEquals(200, client.status);
            client.line();
            scheduler.close(Duration.ofSeconds(10));
            String line;
            String last = null;
            while ((line = client.line()) != null) {
                last = line;
            }
            JsonNode error = Http.JSON.readTree(last);
            assertEquals(1, error.size(), last);
            assertTrue(error.get("error").asText().startsWith("the model was unloaded while the request ran: engine for "),
                    last);
        }
    }

    @Test
    void concurrentStreamsEachGetTheirOwnTokensInOrder() throws Exception {
        start(2, 16);
        List<CompletableFuture<Http.Response>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String body = i % 2 == 0
                    ? "{\"model\":\"scripted\",\"prompt\":\"Count:\",\"raw\":true,\"options\":{\"temperature\":0,"
                    + "\"num_predict\":" + (20 + i) + "}}"
                    : "{\"model\":\"scripted\",\"prompt\":\"Emoji:\",\"raw\":true,\"options\":{\"temperature\":0}}";
            calls.add(CompletableFuture.supplyAsync(() -> http.post("/api/generate", body), executor));
        }
        for (int i = 0; i < 6; i++) {
            List<JsonNode> lines = calls.get(i).get(60, TimeUnit.SECONDS).lines();
            StringBuilder text = new StringBuilder();
            lines.forEach(l -> text.append(l.get("response").asText()));
            assertEquals(i % 2 == 0 ? TestModels.countCompletion(20 + i) : TestModels.EMOJI_COMPLETION,
                    text.toString(), "request " + i);
            assertNull(lines.getLast().get("error"));
        }
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void waitFor(Condition c) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!c.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached in 20 s");
            }
            Thread.sleep(20);
        }
    }
}
