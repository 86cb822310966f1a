package dev.puna.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.gguf.GgmlType;
import dev.puna.store.ModelStore;
import dev.puna.store.ProgressListener;
import dev.puna.testkit.TestModels;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code PUNA_LOG_FORMAT=json} on a real {@code puna serve} process: every line it writes, on stdout and stderr, from
 * start-up to exit, is one JSON object; each request has an access line with typed fields and its request id (the
 * client's {@code X-Request-Id} when sane, else a generated one, returned as {@code X-Request-Id}); lines logged on
 * a request's behalf carry its id; and no credential, query string or body ever reaches the log.
 */
@Timeout(180)
class ServeLogsTest {
    private static final String BEARER = "sk-puna-bearer-4f9c2a7e";
    private static final String API_KEY = "xk-puna-apikey-81d0b3";
    private static final String QUERY_SECRET = "query-secret-5e61";
    private static final String BODY_SECRET = "body-secret-c0ffee";

    @TempDir
    Path dir;

    private static HttpResponse<String> send(HttpRequest.Builder r) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyLineIsJsonWithRequestIdsAndNoSecrets() throws Exception {
        Path models = dir.resolve("models");
        ModelStore.open(models).register("tiny", TestModels.scripted(dir.resolve("gguf"), GgmlType.F32),
                ProgressListener.NONE);
        List<String> output;
        String generatedId;
        try (ServeProcess serve = ServeProcess.start(models, Map.of("PUNA_LOG_FORMAT", "json",
                "PUNA_LOG_LEVEL", "debug"))) {
            String url = serve.url();
            HttpResponse<String> hello = send(HttpRequest.newBuilder(URI.create(url + "/api/generate"))
                    .header("Authorization", "Bearer " + BEARER).header("x-api-key", API_KEY)
                    .header("X-Request-Id", "client-req-42")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"tiny\",\"prompt\":\"Hello\",\"raw\":true,"
                            + "\"stream\":false,\"options\":{\"temperature\":0,\"not_an_option\":1}}")));
            assertEquals(200, hello.statusCode(), hello.body());
            assertEquals("client-req-42", hello.headers().firstValue("X-Request-Id").orElseThrow());

            HttpResponse<String> tags = send(HttpRequest.newBuilder(URI.create(url + "/api/tags?token=" + QUERY_SECRET))
                    .header("Authorization", "Bearer " + BEARER)
                    .header("X-Request-Id", "not a sane id; " + "x".repeat(80)));
            assertEquals(200, tags.statusCode());
            generatedId = tags.headers().firstValue("X-Request-Id").orElseThrow();
            assertTrue(generatedId.matches("[0-9a-f]{16}"), generatedId);

            HttpResponse<String> missing = send(HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions"))
                    .header("Authorization", "Bearer " + BEARER)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"absent\",\"messages\":[{\"role\":\"user\","
                            + "\"content\":\"" + BODY_SECRET + "\"}]}")));
            assertEquals(404, missing.statusCode());

            serve.sigterm();
            assertEquals(0, serve.awaitExit(Duration.ofSeconds(60)));
            output = serve.output();
        }

        List<JsonNode> events = new ArrayList<>();
        for (String line : output) {
            JsonNode e;
            try {
                e = ApiClient.JSON.readTree(line);
            } catch (IOException notJson) {
                fail("not a JSON line: " + line);
                return;
            }
            assertTrue(e.isObject(), line);
            for (String field : List.of("time", "level", "logger", "thread", "message")) {
                assertTrue(e.hasNonNull(field), field + " missing: " + line);
            }
            assertTrue(e.get("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), line);
            events.add(e);
        }
        String all = String.join("\n", output);
        for (String secret : List.of(BEARER, API_KEY, QUERY_SECRET, BODY_SECRET, "Bearer ")) {
            assertFalse(all.contains(secret), "'" + secret + "' was logged");
        }

        JsonNode generate = access(events, "/api/generate");
        assertEquals("POST", generate.get("method").asText());
        assertEquals("/api/generate", generate.get("route").asText());
        assertEquals(200, generate.get("status").asInt());
        assertTrue(generate.get("status").isInt());
        assertEquals("tiny", generate.get("model").asText());
        assertEquals(4, generate.get("eval_tokens").asInt());
        assertTrue(generate.get("prompt_tokens").isInt());
        assertTrue(generate.get("duration_ms").isNumber());
        assertEquals("client-req-42", generate.get("request_id").asText());
        assertEquals("INFO", generate.get("level").asText());
        assertTrue(generate.get("message").asText().startsWith("POST /api/generate model=tiny status=200 "),
                generate.toString());

        JsonNode tagsLine = access(events, "/api/tags");
        assertEquals(generatedId, tagsLine.get("request_id").asText());
        assertEquals(200, tagsLine.get("status").asInt());

        JsonNode chat = access(events, "/v1/chat/completions");
        assertEquals(404, chat.get("status").asInt());
        assertEquals("absent", chat.get("model").asText());
        assertEquals("model 'absent' not found", chat.get("error").asText());

        // Logged on the request's behalf, on its Vert.x context: the id comes along.
        JsonNode option = events.stream().filter(e -> e.get("message").asText()
                .equals("ignoring unknown option 'not_an_option'")).findFirst().orElseThrow(() ->
                new AssertionError("no unknown-option warning in " + all));
        assertEquals("WARN", option.get("level").asText());
        assertEquals("client-req-42", option.path("request_id").asText(), option.toString());

        assertTrue(events.stream().anyMatch(e -> e.get("message").asText().startsWith("puna: listening on http://")));
        assertTrue(events.stream().anyMatch(e -> e.get("message").asText().startsWith("puna: SIGTERM: shutting down")));
        assertTrue(events.stream().anyMatch(e -> e.get("message").asText().equals("stopped")));
    }

    @Test
    void aStartupErrorIsAJsonLineToo() throws Exception {
        try (ServeProcess serve = ServeProcess.launch(dir.resolve("models"), Map.of("PUNA_LOG_FORMAT", "json",
                "PUNA_NUM_PARALLEL", "lots"))) {
            assertEquals(2, serve.awaitExit(Duration.ofSeconds(60)));
            List<String> output = serve.output();
            assertEquals(1, output.size(), output.toString());
            JsonNode e = ApiClient.JSON.readTree(output.getFirst());
            assertEquals("ERROR", e.get("level").asText());
            assertEquals("dev.puna.serve", e.get("logger").asText());
            assertEquals("Error: PUNA_NUM_PARALLEL: invalid value 'lots': expected a whole number",
                    e.get("message").asText());
        }
    }

    private static JsonNode access(List<JsonNode> events, String path) {
        List<JsonNode> lines = events.stream().filter(e -> e.get("logger").asText().equals("dev.puna.http.access")
                && e.path("path").asText().equals(path)).toList();
        assertEquals(1, lines.size(), path + ": " + lines);
        return lines.getFirst();
    }
}
