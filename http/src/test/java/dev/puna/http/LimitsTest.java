package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every limit, configured small: header size (431), request-line length (414), connections per server, the idle
 * timeout between requests, the header timeout against a client trickling its headers (dropped while another
 * client is served), and the request ceilings of both API families, each a 400 naming the limit and its setting.
 */
@Timeout(120)
class LimitsTest {
    private static ScriptedServer server;

    @BeforeAll
    static void start() {
        server = new ScriptedServer(ServerConfig.builder().maxHeaderBytes(2048).maxUrlLength(1024)
                .idleTimeout(Duration.ofMillis(1500)).headerTimeout(Duration.ofMillis(1500)).maxNumCtx(1024)
                .maxNumPredict(100).maxChoices(2).maxStop(2).maxTools(1).maxImages(1));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A keep-alive HTTP/1.1 connection that reads responses with a Content-Length. */
    static final class Conn implements AutoCloseable {
        final Socket socket = new Socket();
        final InputStream in;
        final OutputStream out;

        Conn() throws IOException {
            this(server.server.port());
        }

        Conn(int port) throws IOException {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(20_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        void write(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** The status of the next response; its body is read and dropped. */
        int get(String path) throws IOException {
            write("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
            return response();
        }

        int response() throws IOException {
            String status = line();
            int length = 0;
            for (String h = line(); !h.isEmpty(); h = line()) {
                if (h.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(h.substring(15).strip());
                }
            }
            in.readNBytes(length);
            return Integer.parseInt(status.split(" ")[1]);
        }

        private String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                if (c != '\r') {
                    b.write(c);
                }
            }
            if (c < 0) {
                throw new IOException("closed");
            }
            return b.toString(StandardCharsets.ISO_8859_1);
        }

        /** Whether the server closed the connection: the next read sees the end of the stream (or a reset). */
        boolean closedByServer() throws IOException {
            try {
                return in.read() < 0;
            } catch (SocketException reset) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void headersLargerThanTheLimitAre431() throws IOException {
        try (Conn c = new Conn()) {
            assertEquals(200, c.get("/api/version"));
        }
        try (Conn c = new Conn()) {
            c.write("GET /api/version HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "a".repeat(3000) + "\r\n\r\n");
            assertEquals(431, c.response());
        }
    }

    @Test
    void aRequestLineLongerThanTheLimitIs414() throws IOException {
        try (Conn c = new Conn()) {
            assertEquals(200, c.get("/api/version?x=" + "a".repeat(900)));
        }
        try (Conn c = new Conn()) {
            assertEquals(414, c.get("/api/version?x=" + "a".repeat(1100)));
        }
    }

    @Test
    void connectionsBeyondTheCapAreClosedAndTheCapFreesUp() throws Exception {
        try (ScriptedServer capped = new ScriptedServer(ServerConfig.builder().maxConnections(3))) {
            int port = capped.server.port();
            List<Conn> held = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    Conn c = new Conn(port);
                    held.add(c);
                    assertEquals(200, c.get("/api/version"));
                }
                Conn extra = new Conn(port);
                extra.write("GET /api/version HTTP/1.1\r\nHost: localhost\r\n\r\n");
                assertTrue(extra.closedByServer(), "a connection beyond the cap is closed");
                extra.close();
                for (Conn c : held) {
                    assertEquals(200, c.get("/api/version"), "the connections within the cap keep working");
                }
                held.removeFirst().close();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (true) {
                    try (Conn again = new Conn(port)) {
                        assertEquals(200, again.get("/api/version"));
                        break;
                    } catch (IOException stillFull) {
                        assertTrue(System.nanoTime() < deadline, "the cap never freed up");
                        Thread.sleep(50);
                    }
                }
            } finally {
                for (Conn c : held) {
                    c.close();
                }
            }
        }
    }

    @Test
    void anIdleConnectionIsClosedAfterTheIdleTimeoutAndABusyOneIsNot() throws Exception {
        try (Conn c = new Conn()) {
            assertEquals(200, c.get("/api/version"));
            Thread.sleep(300);
            assertEquals(200, c.get("/api/version"), "reused well within the idle timeout");
            long idleFrom = System.nanoTime();
            assertTrue(c.closedByServer());
            long idle = System.nanoTime() - idleFrom;
            assertTrue(idle >= TimeUnit.MILLISECONDS.toNanos(1400), "closed after " + idle / 1_000_000 + " ms");
        }
        // A request in flight for longer than both timeouts (its body arrives over 3 s) is not cut: they apply to a
        // connection without a request only.
        try (Conn c = new Conn()) {
            String body = "{\"model\":\"nonexistent-model\",\"prompt\":\"x\"}";
            c.write("POST /api/generate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n");
            for (int i = 0; i < body.length(); i++) {
                Thread.sleep(3000 / body.length());
                c.write(body.substring(i, i + 1));
            }
            assertEquals(404, c.response());
        }
    }

    @Test
    void aClientTricklingItsHeadersIsDroppedWhileOthersAreServed() throws Exception {
        try (Conn slow = new Conn()) {
            String head = "GET /api/version HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + "z".repeat(200) + "\r\n\r\n";
            long start = System.nanoTime();
            CompletableFuture<Long> dropped = CompletableFuture.supplyAsync(() -> {
                try {
                    for (int i = 0; i < head.length(); i++) {
                        slow.out.write(head.charAt(i));
                        slow.out.flush();
                        Thread.sleep(50);
                    }
                    return -1L; // sent it all: not dropped
                } catch (IOException e) {
                    return System.nanoTime() - start;
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            // Meanwhile, another client is served at once, over and over.
            Http.Response r;
            int served = 0;
            while (!dropped.isDone()) {
                r = server.http.get("/api/version");
                assertEquals(200, r.status());
                served++;
                Thread.sleep(100);
            }
            assertTrue(served > 3, "served " + served);
            long after = dropped.get(30, TimeUnit.SECONDS);
            assertTrue(after > 0, "the trickling client was never dropped");
            assertTrue(after >= TimeUnit.MILLISECONDS.toNanos(1400), "dropped after " + after / 1_000_000 + " ms");
            assertTrue(after < TimeUnit.SECONDS.toNanos(10), "dropped after " + after / 1_000_000 + " ms");
        }
    }

    private static void assertOllama400(String path, String body, String message) {
        Http.Response r = server.http.post(path, body);
        assertEquals(400, r.status(), r.body());
        assertEquals(message, r.json().get("error").asText());
    }

    private static void assertOpenAi400(String path, String body, String param, String message) {
        Http.Response r = server.http.post(path, body);
        assertEquals(400, r.status(), r.body());
        JsonNode e = r.json().get("error");
        assertEquals("invalid_request_error", e.get("type").asText());
        assertEquals(param, e.get("param").asText());
        assertEquals(message, e.get("message").asText());
    }

    @Test
    void requestCeilingsOfTheOllamaRoutes() {
        assertOllama400("/api/generate", "{\"model\":\"scripted\",\"prompt\":\"x\",\"options\":{\"num_ctx\":2048}}",
                "invalid option num_ctx: must be between 1 and 1024 (PUNA_MAX_NUM_CTX), got 2048");
        assertOllama400("/api/chat", "{\"model\":\"scripted\",\"messages\":[],\"options\":{\"num_predict\":101}}",
                "invalid option num_predict: must be at most 100 (PUNA_MAX_NUM_PREDICT), got 101");
        assertOllama400("/api/generate", "{\"model\":\"scripted\",\"prompt\":\"x\",\"options\":{\"stop\":[\"a\",\"b\","
                + "\"c\"]}}", "\"stop\" takes at most 2 sequences (PUNA_MAX_STOP), got 3");
        assertOllama400("/api/chat", "{\"model\":\"scripted\",\"messages\":[],\"tools\":[" + tool("a") + ","
                + tool("b") + "]}", "\"tools\" takes at most 1 tools (PUNA_MAX_TOOLS), got 2");
        assertOllama400("/api/generate", "{\"model\":\"scripted\",\"prompt\":\"x\",\"images\":[\"aGk=\",\"aGk=\"]}",
                "a request takes at most 1 images (PUNA_MAX_IMAGES), got 2");
        assertOllama400("/api/chat", "{\"model\":\"scripted\",\"messages\":[{\"role\":\"user\",\"content\":\"x\","
                + "\"images\":[\"aGk=\"]},{\"role\":\"user\",\"content\":\"y\",\"images\":[\"aGk=\"]}]}",
                "a request takes at most 1 images (PUNA_MAX_IMAGES), got 2");
    }

    private static String tool(String name) {
        return "{\"type\":\"function\",\"function\":{\"name\":\"" + name + "\",\"parameters\":{\"type\":\"object\"}}}";
    }

    @Test
    void requestCeilingsOfTheOpenAiRoutes() {
        String msg = "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";
        assertOpenAi400("/v1/chat/completions", "{\"model\":\"scripted\"," + msg + ",\"n\":3}", "n",
                "\"n\" must be between 1 and 2 (PUNA_MAX_CHOICES), got 3");
        assertOpenAi400("/v1/completions", "{\"model\":\"scripted\",\"prompt\":\"x\",\"n\":3}", "n",
                "\"n\" must be between 1 and 2 (PUNA_MAX_CHOICES), got 3");
        assertOpenAi400("/v1/chat/completions", "{\"model\":\"scripted\"," + msg + ",\"max_tokens\":101}",
                "max_tokens", "\"max_tokens\" must be at most 100 (PUNA_MAX_NUM_PREDICT), got 101");
        assertOpenAi400("/v1/completions", "{\"model\":\"scripted\",\"prompt\":\"x\",\"max_completion_tokens\":"
                + "1000000000}", "max_completion_tokens",
                "\"max_completion_tokens\" must be at most 100 (PUNA_MAX_NUM_PREDICT), got 1000000000");
        assertOpenAi400("/v1/chat/completions", "{\"model\":\"scripted\"," + msg + ",\"num_ctx\":4096}", "num_ctx",
                "invalid option num_ctx: must be between 1 and 1024 (PUNA_MAX_NUM_CTX), got 4096");
        assertOpenAi400("/v1/chat/completions", "{\"model\":\"scripted\"," + msg + ",\"stop\":[\"a\",\"b\",\"c\"]}",
                "stop", "\"stop\" takes at most 2 sequences (PUNA_MAX_STOP), got 3");
        assertOpenAi400("/v1/chat/completions", "{\"model\":\"scripted\"," + msg + ",\"tools\":[" + tool("a") + ","
                + tool("b") + "]}", "tools", "\"tools\" takes at most 1 tools (PUNA_MAX_TOOLS), got 2");
        String image = "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,aGk=\"}}";
        assertOpenAi400("/v1/chat/completions", "{\"model\":\"scripted\",\"messages\":[{\"role\":\"user\","
                + "\"content\":[" + image + "," + image + "]}]}", "messages",
                "a request takes at most 1 images (PUNA_MAX_IMAGES), got 2");
    }

    @Test
    void ceilingsAreSettings() {
        ServerConfig c = ServerConfig.fromEnvironment(java.util.Map.of("PUNA_MAX_NUM_CTX", "8192",
                "PUNA_MAX_HEADER_SIZE", "16KiB", "PUNA_HEADER_TIMEOUT", "5s", "PUNA_IDLE_TIMEOUT", "0",
                "PUNA_MAX_CONNECTIONS", "10"));
        assertEquals(8192, c.maxNumCtx());
        assertEquals(16 << 10, c.maxHeaderBytes());
        assertEquals(Duration.ofSeconds(5), c.headerTimeout());
        assertEquals(Duration.ZERO, c.idleTimeout());
        assertEquals(10, c.maxConnections());
        ServerConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ServerConfigException.class,
                () -> ServerConfig.fromEnvironment(java.util.Map.of("PUNA_MAX_NUM_CTX", "1024")));
        assertEquals("PUNA_CONTEXT_LENGTH: the default num_ctx 4096 is larger than PUNA_MAX_NUM_CTX (1024)",
                e.getMessage());
    }
}
