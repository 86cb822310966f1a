package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.http.internal.CorsOrigins;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Host check (DNS rebinding) and CORS over a real server: bad Host headers are a 403 in the family's format;
 * an allowed origin's preflight gets exactly the allowed methods and headers, without a key; a disallowed origin
 * gets a 403 and no CORS header.
 */
@Timeout(60)
class HostAndCorsTest {
    private static ScriptedServer server;

    @BeforeAll
    static void start() {
        server = new ScriptedServer(ServerConfig.builder().apiKeys(List.of("sk-k"))
                .allowedHosts(List.of("puna.example.com")).origins(List.of("https://app.example.com")));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A response read off a raw socket. */
    record Raw(int status, Map<String, String> headers, String body) {
        JsonNode json() throws IOException {
            return Http.JSON.readTree(body);
        }
    }

    /** Sends {@code head} (request line and headers, without the blank line) and reads the whole response. */
    static Raw raw(int port, String head) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write((head + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            String text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            int split = text.indexOf("\r\n\r\n");
            String[] lines = text.substring(0, split).split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
            }
            return new Raw(Integer.parseInt(lines[0].split(" ")[1]), headers, text.substring(split + 4));
        }
    }

    private static Raw get(String path, String host) throws IOException {
        return raw(server.server.port(), "GET " + path + " HTTP/1.1" + (host == null ? "" : "\r\nHost: " + host));
    }

    @Test
    void aForeignHostIsA403InOllamasFormat() throws IOException {
        Raw r = get("/api/version", "evil.com");
        assertEquals(403, r.status(), r.body());
        assertEquals("forbidden: the Host header 'evil.com' is not an allowed name for this server (localhost, a "
                + "loopback address, the listen address, or one of PUNA_ALLOWED_HOSTS)", r.json().get("error").asText());
        assertEquals(1, r.json().size());
    }

    @Test
    void aForeignHostIsA403InOpenAisFormat() throws IOException {
        Raw r = get("/v1/models", "evil.com:11434");
        assertEquals(403, r.status(), r.body());
        JsonNode e = r.json().get("error");
        assertEquals("invalid_request_error", e.get("type").asText());
        assertTrue(e.get("message").asText().startsWith("forbidden: the Host header 'evil.com:11434' is not"), r.body());
    }

    @Test
    void emptyAndMissingHostsAreRefused() throws IOException {
        assertEquals(403, get("/api/version", ":" + server.server.port()).status());
        assertEquals(403, get("/api/version", "").status());
        Raw none = raw(server.server.port(), "GET /api/version HTTP/1.0");
        assertEquals(403, none.status(), none.body());
        assertEquals("forbidden: the Host header missing is not an allowed name for this server (localhost, a "
                + "loopback address, the listen address, or one of PUNA_ALLOWED_HOSTS)", none.json().get("error").asText());
    }

    @Test
    void loopbackListenAddressAndAllowedNamesPass() throws IOException {
        int port = server.server.port();
        for (String host : List.of("localhost:" + port, "127.0.0.1:" + port, "127.0.0.1", "[::1]:" + port,
                "puna.example.com", "Puna.Example.com:8443")) {
            Raw r = get("/api/version", host);
            assertEquals(200, r.status(), host + ": " + r.body());
        }
    }

    @Test
    void theHostCheckComesBeforeTheKeyCheck() throws IOException {
        assertEquals(403, get("/api/tags", "evil.com").status());
        assertEquals(401, get("/api/tags", "localhost").status());
    }

    @Test
    void aPreflightFromAnAllowedOriginGetsExactlyTheAllowedMethodsAndHeaders() throws IOException {
        for (String origin : List.of("http://localhost:5173", "https://app.example.com", "vscode-webview://abc")) {
            Raw r = raw(server.server.port(), "OPTIONS /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nOrigin: "
                    + origin + "\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: "
                    + "authorization, content-type, x-stainless-os");
            assertEquals(204, r.status(), origin + ": " + r.body());
            assertEquals(origin, r.headers().get("access-control-allow-origin"));
            assertEquals("GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS", r.headers().get("access-control-allow-methods"));
            assertEquals(CorsOrigins.HEADERS, r.headers().get("access-control-allow-headers"));
            assertEquals("Authorization, Content-Type, User-Agent, Accept, X-Requested-With, OpenAI-Beta, x-api-key, "
                    + "anthropic-version, anthropic-beta, anthropic-dangerous-direct-browser-access, X-Stainless-Arch, "
                    + "X-Stainless-Async, X-Stainless-Custom-Poll-Interval, X-Stainless-Helper-Method, X-Stainless-Lang, "
                    + "X-Stainless-OS, X-Stainless-Package-Version, X-Stainless-Poll-Helper, X-Stainless-Retry-Count, "
                    + "X-Stainless-Runtime, X-Stainless-Runtime-Version, X-Stainless-Timeout",
                    r.headers().get("access-control-allow-headers"));
            assertEquals("600", r.headers().get("access-control-max-age"));
            assertEquals("Origin", r.headers().get("vary"));
            assertNull(r.headers().get("access-control-allow-credentials"));
        }
    }

    @Test
    void aDisallowedOriginGetsA403AndNoCorsHeaders() throws IOException {
        for (String head : List.of("OPTIONS /api/chat HTTP/1.1\r\nHost: localhost\r\nOrigin: https://evil.example"
                        + "\r\nAccess-Control-Request-Method: POST",
                "GET /api/version HTTP/1.1\r\nHost: localhost\r\nOrigin: https://evil.example",
                "GET /api/version HTTP/1.1\r\nHost: localhost\r\nOrigin: http://localhost.evil.example")) {
            Raw r = raw(server.server.port(), head);
            assertEquals(403, r.status(), head + ": " + r.body());
            assertTrue(r.headers().keySet().stream().noneMatch(h -> h.startsWith("access-control-")), r.headers()
                    .toString());
            assertTrue(r.json().get("error").asText().startsWith("forbidden: origin '"), r.body());
        }
    }

    @Test
    void anAllowedOriginsRequestsCarryTheOriginAndRequestsWithoutOneNoCorsHeader() {
        Http.Response r = server.http.send(HttpRequest.newBuilder(URI.create(server.server.url() + "/api/tags"))
                .timeout(Duration.ofSeconds(20)).header("Origin", "https://app.example.com")
                .header("Authorization", "Bearer sk-k").build());
        assertEquals(200, r.status());
        assertEquals("https://app.example.com", r.header("Access-Control-Allow-Origin"));
        Http.Response plain = server.http.send(HttpRequest.newBuilder(URI.create(server.server.url() + "/api/tags"))
                .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer sk-k").build());
        assertEquals(200, plain.status());
        assertNull(plain.header("Access-Control-Allow-Origin"));
    }
}
