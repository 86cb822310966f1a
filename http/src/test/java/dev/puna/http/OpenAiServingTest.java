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
import dev.puna.http.internal.openai.OpenAiRoutes;
import dev.puna.runtime.Engine;
import dev.puna.runtime.EngineStats;
import dev.puna.testkit.TestModels;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How the OpenAI routes behave under what a client library hides: a client that disconnects from an event stream
 * (one choice or several), one that stops reading while {@code n} choices stream, a full queue, and a model unloaded
 * under a stream (an SSE error event, then {@code [DONE]}).
 */
@Timeout(120)
class OpenAiServingTest {
    private static final String COUNT_FOREVER = "{\"model\":\"scripted\",\"prompt\":\"Count:\",\"temperature\":0,"
            + "\"stream\":true}";

    private Vertx vertx;
    private HttpServer server;
    private ModelScheduler scheduler;
    private ExecutorService executor;
    private Http http;
    private final TestCatalog catalog = new TestCatalog().add("scripted", ScriptedServer.MODEL);
    private ServerConfig config;

    private void start(int parallel, int maxQueue) throws Exception {
        startWith(ServerConfig.builder().port(0).contextLength(256).numParallel(parallel).maxQueue(maxQueue).build());
    }

    private void startWith(ServerConfig serverConfig) throws Exception {
        config = serverConfig;
        vertx = Vertx.vertx();
        executor = Executors.newCachedThreadPool();
        EngineLoader loader = new EngineLoader(config);
        scheduler = new ModelScheduler(loader, loader, 3, Long.MAX_VALUE, executor,
                Executors.newSingleThreadScheduledExecutor());
        ServerContext sc = new ServerContext(vertx, config, catalog, scheduler);
        // Small socket buffers, so that a client that stops reading fills them after a few hundred tokens.
        server = vertx.createHttpServer(new HttpServerOptions().setSendBufferSize(4096))
                .requestHandler(ServerRouter.create(vertx, config, List.of(new OpenAiRoutes(sc), new OllamaRoutes(sc))))
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

    private EngineStats stats() throws Exception {
        return withEngine(Engine::stats);
    }

    /** {@code f} of the running engine, through a lease of the loaded model. */
    private <T> T withEngine(java.util.function.Function<Engine, T> f) throws Exception {
        ModelScheduler.Lease lease = scheduler.acquire(catalog.find("scripted").orElseThrow(),
                new LoadOptions(256, 512, 0, -1, -1, true, false), config.keepAlive()).get(10, TimeUnit.SECONDS);
        try {
            return f.apply(lease.engine());
        } finally {
            lease.release();
        }
    }

    @Test
    void everyAnnouncedArrivalIsClosedWhetherTheRequestRunsOrFails() throws Exception {
        start(2, 8);
        assertEquals(TestModels.HELLO_COMPLETION, hello());
        // refused after the lease, while the prompt is planned: a token id the vocabulary does not have
        Http.Response bad = http.post("/v1/completions",
                "{\"model\":\"scripted\",\"prompt\":\"Hello\",\"logit_bias\":{\"99999999\":5}}");
        assertEquals(400, bad.status(), bad.body());
        Http.Response chat = http.post("/v1/chat/completions",
                "{\"model\":\"scripted\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        assertEquals(200, chat.status(), chat.body());
        Http.Response ollama = http.post("/api/generate",
                "{\"model\":\"scripted\",\"prompt\":\"Hello\",\"raw\":true,\"stream\":false}");
        assertEquals(200, ollama.status(), ollama.body());
        // a held arrival would make every burst's first step wait out the window's cap
        assertEquals(0, withEngine(Engine::arrivingRequests));
    }

    @Test
    void theServersEnginePausesAfterFirstTokensWhenItsThreadsTakeEveryCore() throws Exception {
        start(2, 8); // num_thread unset: a thread for every core
        assertEquals(EngineLoader.FIRST_TOKEN_PAUSE, withEngine(e -> e.params().firstTokenPause()));
        stop(); // the fields are replaced below, and the replacements stopped after the test
        int cores = Runtime.getRuntime().availableProcessors();
        startWith(ServerConfig.builder().port(0).contextLength(256).numParallel(2).maxQueue(8).numThread(1).build());
        assertEquals(cores > 1 ? Duration.ZERO : EngineLoader.FIRST_TOKEN_PAUSE,
                withEngine(e -> e.params().firstTokenPause()));
        assertEquals(TestModels.HELLO_COMPLETION, hello());
    }

    private String hello() {
        Http.Response r = http.post("/v1/completions", "{\"model\":\"scripted\",\"prompt\":\"Hello\",\"temperature\":0}");
        assertEquals(200, r.status(), r.body());
        return r.json().get("choices").get(0).get("text").asText();
    }

    /** The next {@code data:} event of an SSE stream read with {@link RawHttp}, or null at its end. */
    private static String event(RawHttp client) throws Exception {
        String line;
        while ((line = client.line()) != null) {
            if (!line.isEmpty()) {
                assertTrue(line.startsWith("data: "), line);
                return line.substring("data: ".length());
            }
        }
        return null;
    }

    @Test
    void aClientThatDisconnectsCancelsEveryChoice() throws Exception {
        start(2, 8);
        try (RawHttp client = new RawHttp(server.actualPort(), 0).post("/v1/completions",
                COUNT_FOREVER.replace("}", ",\"n\":2}"))) {
            assertEquals(200, client.status);
            for (int i = 0; i < 6; i++) {
                assertTrue(event(client).contains("\"object\":\"text_completion\""));
            }
            // The six events may all be the first choice's: the second may still be being admitted.
            waitFor(() -> stats().activeSlots() == 2);
        }
        waitFor(() -> stats().activeSlots() == 0);
        assertEquals(TestModels.HELLO_COMPLETION, hello());
        assertEquals(3, stats().requests());
    }

    @Test
    void aChatClientThatDisconnectsFreesTheOnlySlot() throws Exception {
        start(1, 8);
        // Every chat is answered "Hi there!" at once, so the endless stream is a completion; the chat must wait
        // for its slot.
        try (RawHttp client = new RawHttp(server.actualPort(), 0).post("/v1/completions", COUNT_FOREVER)) {
            event(client);
        }
        Http.Response chat = http.post("/v1/chat/completions", "{\"model\":\"scripted\",\"temperature\":0,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}");
        assertEquals(TestModels.CHAT_COMPLETION, chat.json().get("choices").get(0).get("message").get("content")
                .asText());
        assertEquals(0, stats().activeSlots());
    }

    @Test
    void aClientThatStopsReadingPausesAllItsChoices() throws Exception {
        start(2, 8);
        int n = 3000;
        try (RawHttp client = new RawHttp(server.actualPort(), 2048)) {
            client.post("/v1/completions", "{\"model\":\"scripted\",\"prompt\":\"Count:\",\"temperature\":0,"
                    + "\"stream\":true,\"n\":2,\"max_tokens\":" + n + "}");
            String first = event(client);
            long[] last = {-1};
            waitFor(() -> {
                long now = stats().tokensGenerated();
                boolean stable = now == last[0];
                last[0] = now;
                Thread.sleep(300);
                return stable;
            });
            long stalled = stats().tokensGenerated();
            // Both paused: had either choice kept going, it alone would have generated n tokens.
            assertTrue(stalled < n, "paused after " + stalled + " tokens of 2 x " + n);
            // Neither choice ended: each holds its slot (or, paused before its prompt was admitted, its place).
            EngineStats paused = stats();
            assertEquals(2, paused.activeSlots() + paused.queued(), paused.toString());
            StringBuilder[] text = {new StringBuilder(), new StringBuilder()};
            String data = first;
            int finished = 0;
            for (; !data.equals("[DONE]"); data = event(client)) {
                JsonNode choice = Http.JSON.readTree(data).get("choices").get(0);
                text[choice.get("index").asInt()].append(choice.get("text").asText());
                if (!choice.get("finish_reason").isNull()) {
                    assertEquals("length", choice.get("finish_reason").asText());
                    finished++;
                }
            }
            assertEquals(2, finished);
            assertEquals(TestModels.countCompletion(n), text[0].toString());
            assertEquals(TestModels.countCompletion(n), text[1].toString());
        }
    }

    @Test
    void aFullQueueIs503WithRetryAfterInOpenAisFormat() throws Exception {
        start(1, 1);
        try (RawHttp running = new RawHttp(server.actualPort(), 0).post("/v1/completions", COUNT_FOREVER);
             RawHttp queued = new RawHttp(server.actualPort(), 0)) {
            event(running);
            queued.send("/v1/completions", COUNT_FOREVER.replace("Count:", "Count: one"));
            waitFor(() -> stats().queued() == 1);
            Http.Response refused = http.post("/v1/chat/completions", "{\"model\":\"scripted\",\"messages\":"
                    + "[{\"role\":\"user\",\"content\":\"Hello\"}]}");
            assertEquals(503, refused.status());
            assertEquals("1", refused.header("Retry-After"));
            assertEquals(OpenAiRoutesTest.error("server busy: 1 requests are already waiting; retry later",
                    "server_error", null, "server_busy"), refused.json());
        }
        waitFor(() -> stats().queued() == 0 && stats().activeSlots() == 0);
        assertEquals(TestModels.HELLO_COMPLETION, hello());
    }

    @Test
    void aModelUnloadedUnderAStreamEndsItWithAnErrorEventThenDone() throws Exception {
        start(1, 8);
        try (RawHttp client = new RawHttp(server.actualPort(), 0).post("/v1/completions", COUNT_FOREVER)) {
            assertEquals(200, client.status);
            event(client);
            scheduler.close(Duration.ofSeconds(10));
            String data;
            String error = null;
            String previous = null;
            while ((data = event(client)) != null) {
                previous = error;
                error = data;
            }
            assertEquals("[DONE]", error, "the stream ends with [DONE]");
            assertTrue(previous.startsWith("{\"error\":"), previous);
            JsonNode e = Http.JSON.readTree(previous).get("error");
            assertTrue(e.get("message").asText().startsWith("the model was unloaded while the request ran: engine for "),
                    previous);
            assertEquals("server_error", e.get("type").asText());
            assertEquals("server_busy", e.get("code").asText());
            assertNull(Http.JSON.readTree(previous).get("choices"));
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
