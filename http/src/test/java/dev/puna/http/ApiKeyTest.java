package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.UnauthorizedException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * API keys on a real server: every route needs one except the exact public list; a missing or wrong key is a 401
 * with {@code WWW-Authenticate: Bearer} in the family's format; Bearer (any case) and {@code x-api-key} both work;
 * the key file is re-read when it changes; keys never reach the logs; an exposed address without keys refuses to
 * start.
 */
@Timeout(120)
class ApiKeyTest {
    private static final String KEY = "sk-test-0123456789abcdef";
    private static final String FILE_KEY = "sk-from-file-42";

    @TempDir
    static Path dir;
    private static Path keyFile;
    private static ScriptedServer server;

    @BeforeAll
    static void start() throws IOException {
        keyFile = dir.resolve("keys");
        Files.writeString(keyFile, "# team keys\n\n   " + FILE_KEY + "  \n#sk-commented-out\n");
        server = new ScriptedServer(ServerConfig.builder().apiKeys(List.of(KEY, "sk-second")).apiKeyFile(keyFile));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static Http.Response send(String method, String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.server.url() + path))
                .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        return server.http.send(b.build());
    }

    private static void assertOllama401(Http.Response r, String message) {
        assertEquals(401, r.status(), r.body());
        assertEquals("Bearer", r.header("WWW-Authenticate"));
        assertEquals(Map.of("error", message), Http.JSON.convertValue(r.json(), Map.class));
    }

    private static void assertOpenAi401(Http.Response r, String code) {
        assertEquals(401, r.status(), r.body());
        assertEquals("Bearer", r.header("WWW-Authenticate"));
        JsonNode e = r.json().get("error");
        assertEquals(1, r.json().size(), r.body());
        assertEquals("invalid_request_error", e.get("type").asText());
        assertTrue(e.get("param").isNull(), r.body());
        if (code == null) {
            assertTrue(e.get("code").isNull(), r.body());
        } else {
            assertEquals(code, e.get("code").asText(), r.body());
        }
        assertFalse(e.get("message").asText().isBlank());
    }

    @Test
    void aMissingOrWrongKeyIsA401InOllamasFormat() {
        String missing = "missing API key: send it as 'Authorization: Bearer <key>' (or 'x-api-key: <key>')";
        assertOllama401(send("GET", "/api/tags"), missing);
        assertOllama401(send("GET", "/api/tags", "Authorization", "Bearer"), missing);
        assertOllama401(send("GET", "/api/tags", "Authorization", "Bearer sk-wrong"), "invalid API key");
        assertOllama401(send("GET", "/api/tags", "Authorization", "Basic " + KEY), "invalid API key");
        assertOllama401(send("GET", "/api/tags", "x-api-key", KEY + "x"), "invalid API key");
        assertOllama401(send("POST", "/api/generate"), missing);
        assertOllama401(send("GET", "/api/nonexistent"), missing);
    }

    @Test
    void aMissingOrWrongKeyIsA401InOpenAisFormat() {
        assertOpenAi401(send("GET", "/v1/models"), null);
        assertOpenAi401(send("GET", "/v1/models", "Authorization", "Bearer sk-wrong"), "invalid_api_key");
        assertOpenAi401(send("POST", "/v1/chat/completions", "x-api-key", "nope"), "invalid_api_key");
        assertOpenAi401(send("GET", "/models"), null);
        assertOpenAi401(send("GET", "/v1/nonexistent"), null);
    }

    @Test
    void aMissingOrWrongKeyIsA401InAnthropicsFormat() throws Exception {
        String missing = "missing API key: send it as 'Authorization: Bearer <key>' (or 'x-api-key: <key>')";
        for (String path : List.of("/v1/messages", "/v1/messages/count_tokens", "/v1/messages/nonexistent")) {
            assertAnthropic401(send("POST", path, "anthropic-version", "2023-06-01"), missing);
            assertAnthropic401(send("POST", path, "x-api-key", "nope", "anthropic-version", "2023-06-01"),
                    "invalid API key");
        }
        // With the key, the request gets past the check to the route, which reads the (empty) body.
        Http.Response r = send("POST", "/v1/messages", "x-api-key", KEY, "anthropic-version", "2023-06-01");
        assertEquals(400, r.status(), r.body());
        assertEquals(Http.JSON.readTree("{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
                + "\"message\":\"missing request body\"}}"), r.json());
    }

    private static void assertAnthropic401(Http.Response r, String message) throws Exception {
        assertEquals(401, r.status(), r.body());
        assertEquals("Bearer", r.header("WWW-Authenticate"));
        assertEquals(Http.JSON.readTree("{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\","
                + "\"message\":\"" + message + "\"}}"), r.json());
    }

    @Test
    void everyKeyIsAcceptedInEitherHeader() {
        assertEquals(200, send("GET", "/api/tags", "Authorization", "Bearer " + KEY).status());
        assertEquals(200, send("GET", "/api/tags", "Authorization", "bearer " + KEY).status());
        assertEquals(200, send("GET", "/api/tags", "Authorization", "BEARER sk-second").status());
        assertEquals(200, send("GET", "/api/tags", "x-api-key", KEY).status());
        assertEquals(200, send("GET", "/v1/models", "Authorization", "Bearer " + FILE_KEY).status());
        assertOllama401(send("GET", "/api/tags", "Authorization", "Bearer sk-commented-out"), "invalid API key");
    }

    @Test
    void onlyTheExactPublicRoutesNeedNoKey() {
        assertEquals(200, send("GET", "/").status());
        assertEquals("Ollama is running", send("GET", "/").body());
        assertEquals(200, send("HEAD", "/").status());
        assertEquals(200, send("GET", "/api/version").status());
        for (String[] notPublic : new String[][] {{"HEAD", "/api/version"}, {"POST", "/api/version"},
                {"GET", "/api/version/"}, {"GET", "//api/version"}, {"GET", "/api/version/../tags"},
                {"GET", "/api/versions"}, {"GET", "/healthz"}, {"GET", "/metrics"}, {"GET", "/v1/models/x/../.."},
                {"OPTIONS", "/api/tags"}}) {
            Http.Response r = send(notPublic[0], notPublic[1]);
            assertEquals(401, r.status(), notPublic[0] + " " + notPublic[1] + ": " + r.body());
        }
        assertEquals(200, send("GET", "/metrics", "Authorization", "Bearer " + KEY).status());
    }

    @Test
    void metricsCanBeMadePublic() {
        try (ScriptedServer open = new ScriptedServer(ServerConfig.builder().apiKeys(List.of(KEY))
                .metricsPublic(true))) {
            assertEquals(200, open.http.get("/metrics").status());
            assertEquals(401, open.http.get("/api/tags").status());
        }
    }

    @Test
    void aCorsPreflightNeedsNoKeyAndA401CarriesCorsHeaders() {
        Http.Response preflight = send("OPTIONS", "/api/chat", "Origin", "http://localhost:3000",
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization");
        assertEquals(204, preflight.status(), preflight.body());
        assertEquals("http://localhost:3000", preflight.header("Access-Control-Allow-Origin"));
        Http.Response refused = send("GET", "/api/tags", "Origin", "http://localhost:3000");
        assertEquals(401, refused.status());
        assertEquals("http://localhost:3000", refused.header("Access-Control-Allow-Origin"));
    }

    @Test
    void theOfficialOpenAiClientSendsTheKey() {
        OpenAIClient good = OpenAIOkHttpClient.builder().baseUrl(server.server.url() + "/v1").apiKey(KEY)
                .maxRetries(0).build();
        try {
            assertTrue(good.models().list().data().stream().anyMatch(m -> m.id().equals("scripted:latest")));
        } finally {
            good.close();
        }
        OpenAIClient bad = OpenAIOkHttpClient.builder().baseUrl(server.server.url() + "/v1").apiKey("sk-wrong")
                .maxRetries(0).build();
        try {
            UnauthorizedException e = assertThrows(UnauthorizedException.class, () -> bad.models().list());
            assertEquals(401, e.statusCode());
            assertEquals("invalid_api_key", e.code().orElseThrow());
        } finally {
            bad.close();
        }
    }

    @Test
    void theKeyFileIsReReadWhenItChanges() throws Exception {
        Path file = dir.resolve("rotating");
        Files.writeString(file, "sk-old\n");
        try (ScriptedServer s = new ScriptedServer(ServerConfig.builder().apiKeyFile(file))) {
            Http h = s.http;
            assertEquals(200, with(s, "sk-old").status());
            Files.writeString(file, "sk-new-and-longer\n");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (with(s, "sk-new-and-longer").status() != 200) {
                assertTrue(System.nanoTime() < deadline, "the new key was never accepted");
                Thread.sleep(100);
            }
            assertEquals(401, with(s, "sk-old").status());
            assertEquals(401, h.get("/api/tags").status());
        }
    }

    private static Http.Response with(ScriptedServer s, String key) {
        return s.http.send(HttpRequest.newBuilder(URI.create(s.server.url() + "/api/tags"))
                .header("Authorization", "Bearer " + key).build());
    }

    @Test
    void keysNeverReachTheLogsOrToString() {
        try (LogCapture logs = new LogCapture();
             ScriptedServer s = new ScriptedServer(ServerConfig.builder().apiKeys(List.of(KEY)))) {
            s.http.send(HttpRequest.newBuilder(URI.create(s.server.url() + "/api/tags"))
                    .header("Authorization", "Bearer " + KEY).build());
            s.http.send(HttpRequest.newBuilder(URI.create(s.server.url() + "/api/tags"))
                    .header("Authorization", "Bearer " + KEY + "-wrong").build());
            assertFalse(s.server.config().toString().contains(KEY), s.server.config().toString());
            assertTrue(s.server.config().toString().contains("api_keys=1"), s.server.config().toString());
            s.close();
            assertTrue(logs.lines().stream().anyMatch(l -> l.contains("/api/tags")), "access log captured");
            for (String line : logs.lines()) {
                assertFalse(line.contains(KEY), line);
            }
        }
        String described = EffectiveConfig.resolve(Map.of(), Map.of("PUNA_API_KEYS", KEY + ",sk-b"), ConfigFile.NONE)
                .describe();
        assertFalse(described.contains(KEY), described);
        assertTrue(described.contains("PUNA_API_KEYS=******** (2 values)"), described);
    }

    @Test
    void aNonLoopbackAddressWithoutKeysRefusesToStart() {
        ServerConfigException e = assertThrows(ServerConfigException.class, () -> PunaServer.start(
                ServerConfig.builder().host("0.0.0.0").port(0).build(), new TestCatalog()));
        assertEquals("PUNA_HOST", e.setting());
        assertTrue(e.getMessage().contains("PUNA_API_KEYS") && e.getMessage().contains("PUNA_ALLOW_UNAUTHENTICATED"),
                e.getMessage());
        try (LogCapture logs = new LogCapture();
             PunaServer s = PunaServer.start(ServerConfig.builder().host("0.0.0.0").port(0).allowUnauthenticated(true)
                     .build(), new TestCatalog())) {
            assertTrue(s.port() > 0);
            assertTrue(logs.lines().stream().anyMatch(l -> l.startsWith("WARN !!! SECURITY WARNING: listening on "
                    + "0.0.0.0:0 without any API key")), logs.lines().toString());
        }
        try (PunaServer s = PunaServer.start(ServerConfig.builder().host("0.0.0.0").port(0).apiKeys(List.of(KEY))
                .build(), new TestCatalog())) {
            assertTrue(s.port() > 0);
        }
    }

    @Test
    void anUnreadableKeyFileOrABadBooleanStopsStartup() {
        Path missing = dir.resolve("no-such-keys");
        ServerConfigException e = assertThrows(ServerConfigException.class, () -> PunaServer.start(
                ServerConfig.builder().port(0).apiKeyFile(missing).build(), new TestCatalog()));
        assertEquals("PUNA_API_KEY_FILE: cannot read '" + missing + "': java.nio.file.NoSuchFileException: " + missing,
                e.getMessage());
        ServerConfigException bool = assertThrows(ServerConfigException.class,
                () -> ServerConfig.fromEnvironment(Map.of("PUNA_METRICS_PUBLIC", "yes")));
        assertEquals("PUNA_METRICS_PUBLIC: invalid value 'yes': expected true or false", bool.getMessage());
        ServerConfigException spaced = assertThrows(ServerConfigException.class,
                () -> ServerConfig.fromEnvironment(Map.of("PUNA_API_KEYS", "a b")));
        assertEquals("PUNA_API_KEYS: an API key must be printable ASCII without spaces", spaced.getMessage());
        assertNull(ServerConfig.defaults().apiKeyFile());
    }
}
