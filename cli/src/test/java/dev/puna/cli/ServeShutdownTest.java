package dev.puna.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.gguf.GgmlType;
import dev.puna.store.ModelStore;
import dev.puna.store.ProgressListener;
import dev.puna.testkit.TestModels;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM on a real {@code puna serve} process with 8 streaming generations in flight, half of them Ollama NDJSON and
 * half OpenAI SSE, half of each bounded (they finish during the drain) and half endless (the shutdown timeout
 * cancels them): every stream ends properly and completely, requests during the drain get 503 in their API's
 * format, and the process exits 0. A second SIGTERM exits at once.
 */
@Timeout(240)
class ServeShutdownTest {
    private static final String SHUTDOWN_TIMEOUT = "10s";

    @TempDir
    static Path dir;
    private static Path models;

    @BeforeAll
    static void registerModel() throws IOException {
        models = dir.resolve("models");
        ModelStore.open(models).register("tiny", TestModels.scripted(dir.resolve("gguf"), GgmlType.F32),
                ProgressListener.NONE);
    }

    /** One streaming request read to its end on a thread of its own: every line, or the failure that cut it. */
    private static final class Reader {
        final String name;
        final CountDownLatch first = new CountDownLatch(1);
        final List<String> lines = new ArrayList<>();
        final CompletableFuture<Integer> status = new CompletableFuture<>();
        volatile Throwable failure;
        final Thread thread;

        Reader(HttpClient client, String url, String path, String body, String name) {
            this.name = name;
            thread = new Thread(() -> {
                try {
                    HttpResponse<java.io.InputStream> r = client.send(HttpRequest.newBuilder(URI.create(url + path))
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                            HttpResponse.BodyHandlers.ofInputStream());
                    status.complete(r.statusCode());
                    try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(),
                            StandardCharsets.UTF_8))) {
                        for (String line; (line = in.readLine()) != null; ) {
                            if (!line.isEmpty()) {
                                synchronized (lines) {
                                    lines.add(line);
                                }
                                first.countDown();
                            }
                        }
                    }
                } catch (Throwable e) {
                    failure = e;
                    status.complete(-1);
                    first.countDown();
                }
            }, name);
            thread.start();
        }

        int count() {
            synchronized (lines) {
                return lines.size();
            }
        }

        List<String> finished() throws InterruptedException {
            thread.join(60_000);
            assertFalse(thread.isAlive(), name + " still reading");
            assertNull(failure, () -> name + " failed mid-stream: " + failure);
            return lines;
        }
    }

    private static void awaitFirstLines(List<Reader> readers) throws Exception {
        for (Reader r : readers) {
            assertTrue(r.first.await(60, TimeUnit.SECONDS), r.name + " sent nothing");
            assertEquals(200, r.status.get(), r.name + ": " + r.failure);
        }
    }

    private static String generate(int numPredict) {
        return "{\"model\":\"tiny\",\"prompt\":\"Count:\",\"raw\":true,\"options\":{\"temperature\":0,"
                + "\"num_predict\":" + numPredict + "}}";
    }

    private static String completion(Integer maxTokens) {
        return "{\"model\":\"tiny\",\"prompt\":\"Count:\",\"temperature\":0,\"stream\":true"
                + (maxTokens == null ? "" : ",\"max_tokens\":" + maxTokens) + "}";
    }

    private static JsonNode json(String line) throws IOException {
        return ApiClient.JSON.readTree(line);
    }

    @Test
    void sigtermLetsStreamsFinishThenCancelsTheRestWithAProperEndAndExitsZero() throws Exception {
        try (ServeProcess serve = ServeProcess.start(models, Map.of("PUNA_NUM_PARALLEL", "8",
                "PUNA_SHUTDOWN_TIMEOUT", SHUTDOWN_TIMEOUT))) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String url = serve.url();
            List<Reader> ollamaEndless = new ArrayList<>();
            List<Reader> openAiEndless = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                ollamaEndless.add(new Reader(client, url, "/api/generate", generate(-1), "ollama-endless-" + i));
                openAiEndless.add(new Reader(client, url, "/v1/completions", completion(null),
                        "openai-endless-" + i));
            }
            awaitFirstLines(ollamaEndless);
            awaitFirstLines(openAiEndless);
            // The bounded streams must still run at SIGTERM and end well within the drain, on a machine whose
            // speed is unknown and may change under other load: half a second of tokens at the rate it decodes now
            // (8 streams decode each no faster than 4 do), against a 10 s drain.
            Reader probe = ollamaEndless.getFirst();
            int before = probe.count();
            Thread.sleep(1000);
            int bounded = Math.max(10, (probe.count() - before) / 2);
            List<Reader> ollamaBounded = new ArrayList<>();
            List<Reader> openAiBounded = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                ollamaBounded.add(new Reader(client, url, "/api/generate", generate(bounded), "ollama-bounded-" + i));
                openAiBounded.add(new Reader(client, url, "/v1/completions", completion(bounded),
                        "openai-bounded-" + i));
            }
            awaitFirstLines(ollamaBounded);
            awaitFirstLines(openAiBounded);

            serve.sigterm();
            serve.awaitStderr(Pattern.compile("draining: 8 requests in flight, waiting up to 10s"),
                    Duration.ofSeconds(30));
            // While draining, new requests get 503 in their API's format, on a new connection.
            HttpClient other = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> tags = other.send(HttpRequest.newBuilder(URI.create(url + "/api/tags")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, tags.statusCode());
            assertEquals("{\"error\":\"server is shutting down\"}", tags.body());
            assertEquals("1", tags.headers().firstValue("Retry-After").orElseThrow());
            HttpResponse<String> models = other.send(HttpRequest.newBuilder(URI.create(url + "/v1/models")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, models.statusCode());
            assertEquals("{\"error\":{\"message\":\"server is shutting down\",\"type\":\"server_error\","
                    + "\"param\":null,\"code\":\"server_busy\"}}", models.body());

            for (Reader r : ollamaBounded) {
                List<String> lines = r.finished();
                JsonNode last = json(lines.getLast());
                assertTrue(last.get("done").asBoolean(), r.name + ": " + lines.getLast());
                assertEquals("length", last.get("done_reason").asText(), r.name + " (" + bounded + " tokens): "
                        + lines.getLast().replaceAll("\"context\":\\[[^]]*]", "") + "\n" + serve.stderr());
                assertEquals(bounded, last.get("eval_count").asInt(), r.name);
                for (String line : lines.subList(0, lines.size() - 1)) {
                    assertFalse(json(line).get("done").asBoolean(), r.name + ": " + line);
                }
            }
            for (Reader r : ollamaEndless) {
                List<String> lines = r.finished();
                JsonNode last = json(lines.getLast());
                assertTrue(last.get("done").asBoolean(), r.name + ": " + lines.getLast());
                assertEquals("shutdown", last.get("done_reason").asText(), r.name);
                assertTrue(last.get("eval_count").asInt() > bounded, r.name + " ran until the deadline");
                for (String line : lines.subList(0, lines.size() - 1)) {
                    assertFalse(json(line).get("done").asBoolean(), r.name + ": " + line);
                }
            }
            for (Reader r : openAiBounded) {
                List<String> lines = r.finished();
                assertEquals("data: [DONE]", lines.getLast(), r.name);
                JsonNode finish = json(lines.get(lines.size() - 2).substring("data: ".length()));
                assertEquals("length", finish.at("/choices/0/finish_reason").asText(), r.name);
                for (String line : lines.subList(0, lines.size() - 1)) {
                    assertTrue(line.startsWith("data: {\"id\":\"cmpl-"), r.name + ": " + line);
                }
            }
            for (Reader r : openAiEndless) {
                List<String> lines = r.finished();
                assertEquals("data: [DONE]", lines.getLast(), r.name);
                assertEquals("data: {\"error\":{\"message\":\"server is shutting down\",\"type\":\"server_error\","
                        + "\"param\":null,\"code\":\"server_busy\"}}", lines.get(lines.size() - 2), r.name);
                for (String line : lines.subList(0, lines.size() - 2)) {
                    assertTrue(line.startsWith("data: {\"id\":\"cmpl-"), r.name + ": " + line);
                }
            }
            assertEquals(0, serve.awaitExit(Duration.ofSeconds(60)), serve.stderr());
            String err = serve.stderr();
            assertTrue(err.contains("shutdown timeout (10s) passed with 4 requests in flight: cancelling 4 "
                    + "generations"), err);
            assertTrue(err.contains("stopped"), err);
        }
    }

    @Test
    void aSecondSigtermExitsAtOnce() throws Exception {
        try (ServeProcess serve = ServeProcess.start(models, Map.of("PUNA_SHUTDOWN_TIMEOUT", "10m"))) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            Reader endless = new Reader(client, serve.url(), "/api/generate", generate(-1), "endless");
            assertTrue(endless.first.await(60, TimeUnit.SECONDS));
            serve.sigterm();
            serve.awaitStderr(Pattern.compile("draining: 1 requests in flight, waiting up to 10m0s"),
                    Duration.ofSeconds(30));
            serve.sigterm();
            assertEquals(128 + 15, serve.awaitExit(Duration.ofSeconds(10)));
            serve.awaitStderr(Pattern.compile("^puna: SIGTERM again: exiting now$"), Duration.ofSeconds(5));
        }
    }
}
