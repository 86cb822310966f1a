package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.puna.gguf.GgmlType;
import dev.puna.store.Digest;
import dev.puna.testkit.TestModels;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hf.co/<user>/<repo>:<quant>} pulled end to end through the server, from a loopback server shaped like
 * Hugging Face's Ollama-compatible registry ({@code PUNA_HF_ENDPOINT} points there; no network): the manifest is
 * found by its quantization tag case-insensitively and names a model, a template and a params layer; every blob
 * request is redirected (307) to a second, CDN-like host with a signed query, as Hugging Face's are; then the
 * model runs with the template it came with.
 */
@Timeout(120)
class HuggingFacePullEndToEndTest {
    private static final String REPO = "puna/scripted-GGUF";
    private static final String TEMPLATE = "{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n"
            + "{{ end }}<|im_start|>assistant\n";
    @TempDir
    static Path dir;
    private static HttpServer registry;
    private static HttpServer cdn;
    private static StoreServer server;
    private static final Map<String, byte[]> BLOBS = new ConcurrentHashMap<>();
    private static final List<String> REGISTRY_REQUESTS = new CopyOnWriteArrayList<>();
    private static final List<String> CDN_REQUESTS = new CopyOnWriteArrayList<>();
    private static byte[] manifest;
    private static Digest model;

    @BeforeAll
    static void start() throws Exception {
        byte[] gguf = Files.readAllBytes(StoreServer.scripted(GgmlType.Q8_0));
        model = blob(gguf);
        Digest template = blob(TEMPLATE.getBytes(StandardCharsets.UTF_8));
        Digest params = blob("{\"stop\":[\"<|im_end|>\"],\"temperature\":0}".getBytes(StandardCharsets.UTF_8));
        byte[] configJson = ("{\"model_format\":\"gguf\",\"model_family\":\"llama\",\"model_families\":[\"llama\"],"
                + "\"model_type\":\"\",\"file_type\":\"Q8_0\",\"architecture\":\"amd64\",\"os\":\"linux\","
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}").getBytes(StandardCharsets.UTF_8);
        Digest config = blob(configJson);
        manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
                + "\"config\":" + layer("application/vnd.docker.container.image.v1+json", config) + ",\"layers\":["
                + layer("application/vnd.ollama.image.model", model) + ","
                + layer("application/vnd.ollama.image.template", template) + ","
                + layer("application/vnd.ollama.image.params", params) + "]}").getBytes(StandardCharsets.UTF_8);

        InetAddress loopback = InetAddress.getLoopbackAddress();
        cdn = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        cdn.createContext("/", HuggingFacePullEndToEndTest::cdn);
        cdn.start();
        registry = HttpServer.create(new InetSocketAddress(loopback, 0), 0);
        registry.createContext("/", HuggingFacePullEndToEndTest::registry);
        registry.start();
        server = new StoreServer(dir.resolve("models"), ServerConfig.builder()
                .huggingFaceEndpoint(URI.create("http://127.0.0.1:" + registry.getAddress().getPort())));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        registry.stop(0);
        cdn.stop(0);
    }

    private static Digest blob(byte[] content) {
        Digest d = StoreServer.digest(content);
        BLOBS.put(d.hex(), content);
        return d;
    }

    private static String layer(String mediaType, Digest d) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + d + "\",\"size\":" + BLOBS.get(d.hex()).length
                + "}";
    }

    /** Manifests by quantization (any case), blobs redirected to the CDN with a signed URL. */
    private static void registry(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        REGISTRY_REQUESTS.add(ex.getRequestMethod() + " " + path);
        Matcher m = Pattern.compile("/v2/" + REPO + "/manifests/([^/]+)").matcher(path);
        Matcher b = Pattern.compile("/v2/" + REPO + "/blobs/sha256:([0-9a-f]{64})").matcher(path);
        if (m.matches() && (m.group(1).equalsIgnoreCase("Q8_0") || m.group(1).equals("latest"))) {
            ex.getResponseHeaders().set("Content-Type", "application/vnd.docker.distribution.manifest.v2+json");
            ex.getResponseHeaders().set("Docker-Content-Digest", StoreServer.digest(manifest).toString());
            send(ex, 200, manifest);
        } else if (b.matches() && BLOBS.containsKey(b.group(1))) {
            ex.getResponseHeaders().set("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/repos/"
                    + b.group(1) + "?X-Amz-Expires=3600&X-Amz-Signature=0ddba11");
            send(ex, 307, new byte[0]);
        } else {
            ex.getResponseHeaders().set("Content-Type", "application/json");
            send(ex, 404, ("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}")
                    .getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Blob bytes, whole or by Range, only with the signature the redirect carried. */
    private static void cdn(HttpExchange ex) throws IOException {
        URI uri = ex.getRequestURI();
        CDN_REQUESTS.add(uri.getPath());
        byte[] content = BLOBS.get(uri.getPath().replace("/repos/", ""));
        if (content == null || uri.getQuery() == null || !uri.getQuery().contains("X-Amz-Signature=0ddba11")
                || ex.getRequestHeaders().containsKey("Authorization")) {
            send(ex, 403, new byte[0]);
            return;
        }
        String range = ex.getRequestHeaders().getFirst("Range");
        if (range != null) {
            Matcher r = Pattern.compile("bytes=(\\d+)-(\\d*)").matcher(range);
            if (r.matches()) {
                int from = Integer.parseInt(r.group(1));
                int to = r.group(2).isEmpty() ? content.length - 1 : Math.min(Integer.parseInt(r.group(2)),
                        content.length - 1);
                byte[] part = java.util.Arrays.copyOfRange(content, from, to + 1);
                ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + to + "/" + content.length);
                send(ex, 206, part);
                return;
            }
        }
        send(ex, 200, content);
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
        ex.close();
    }

    @Test
    void anHfNamePullsFromTheHuggingFaceRegistryAndRuns() throws Exception {
        Http.Response r = server.http.post("/api/pull", "{\"model\":\"hf.co/" + REPO + ":Q8_0\"}");
        assertEquals(200, r.status(), r.body());
        List<String> statuses = r.lines().stream().map(l -> l.path("status").asText(l.toString())).toList();
        assertEquals("pulling manifest", statuses.getFirst(), statuses.toString());
        assertEquals(List.of("verifying sha256 digest", "writing manifest", "success"),
                statuses.subList(statuses.size() - 3, statuses.size()), statuses.toString());
        assertTrue(statuses.contains("pulling " + model.shortHex()), statuses.toString());
        assertTrue(REGISTRY_REQUESTS.contains("GET /v2/" + REPO + "/manifests/Q8_0"), REGISTRY_REQUESTS.toString());
        assertTrue(CDN_REQUESTS.contains("/repos/" + model.hex()), "blobs come from the CDN: " + CDN_REQUESTS);

        // Names are case-insensitive: the store keeps the spelling of the first pull (the other test may run first).
        JsonNode tags = server.http.get("/api/tags").json().get("models");
        assertTrue(tags.toString().toLowerCase(java.util.Locale.ROOT).contains(("\"hf.co/" + REPO + ":q8_0\"")
                .toLowerCase(java.util.Locale.ROOT)), tags.toString());
        JsonNode show = server.http.post("/api/show", "{\"model\":\"hf.co/" + REPO + ":Q8_0\"}").json();
        assertEquals(TEMPLATE, show.get("template").asText());
        assertEquals("Q8_0", show.get("details").get("quantization_level").asText());

        // The pulled template shapes the chat; its params (temperature 0, the stop token) apply.
        Http.Response chat = server.http.post("/api/chat", "{\"model\":\"hf.co/" + REPO + ":Q8_0\",\"stream\":false,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        assertEquals(200, chat.status(), chat.body());
        assertEquals(TestModels.CHAT_COMPLETION, chat.json().get("message").get("content").asText());
    }

    @Test
    void theQuantizationTagIsMatchedAsHuggingFaceMatchesIt() {
        Http.Response lower = server.http.post("/api/pull", "{\"model\":\"hf.co/" + REPO + ":q8_0\",\"stream\":false}");
        assertEquals(200, lower.status(), lower.body());
        assertEquals("{\"status\":\"success\"}", lower.body());
        Http.Response missing = server.http.post("/api/pull", "{\"model\":\"hf.co/" + REPO + ":Q2_K\",\"stream\":false}");
        assertEquals(404, missing.status(), missing.body());
        ObjectNode error = (ObjectNode) missing.json();
        assertTrue(error.get("error").asText().contains("MANIFEST_UNKNOWN"), missing.body());
    }
}
