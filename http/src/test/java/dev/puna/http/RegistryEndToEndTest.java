package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.gguf.GgmlType;
import dev.puna.store.Digest;
import dev.puna.store.Layer;
import dev.puna.store.Manifest;
import dev.puna.testkit.RegistryServer;
import dev.puna.testkit.TcpProxy;
import dev.puna.testkit.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /api/push} and {@code /api/pull} through the real server against a real OCI registry (Debian's
 * {@code docker-registry}, CNCF distribution 2.8, see {@link RegistryServer}): a round trip that must give back the
 * same digests and a model that runs, Ollama's progress statuses, {@code stream: false}, registry errors, and a
 * client that disconnects mid-pull: the pull stops, writes no manifest, and the next pull resumes.
 */
@Timeout(300)
class RegistryEndToEndTest {
    @TempDir
    static Path dir;
    private static RegistryServer registry;
    private static StoreServer server;

    @BeforeAll
    static void start() throws Exception {
        registry = RegistryServer.start(dir.resolve("registry"));
        server = new StoreServer(dir.resolve("models"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    private static void createOn(StoreServer s, String name, Path gguf) throws Exception {
        Digest blob = StoreEndToEndTest.upload(s.http, gguf);
        StoreEndToEndTest.create(s.http, """
                {"model":"%s","files":{"model.gguf":"%s"},"template":"{{ .Prompt }}",
                 "parameters":{"temperature":0}}""".formatted(name, blob));
    }

    /** The statuses of a streamed progress answer, each line's last {@code completed} kept per digest. */
    private static List<JsonNode> progress(Http.Response r) {
        assertEquals(200, r.status(), r.body());
        assertEquals("application/x-ndjson", r.header("Content-Type"));
        List<JsonNode> lines = r.lines();
        for (JsonNode l : lines) {
            assertFalse(l.has("error"), r.body());
        }
        return lines;
    }

    private static String tagDigest(Http http, String name) {
        for (JsonNode m : http.get("/api/tags").json().get("models")) {
            if (m.get("name").asText().equals(name)) {
                return m.get("digest").asText();
            }
        }
        return null;
    }

    @Test
    void pushDeleteAndPullBackGiveTheSameDigestsAndAModelThatRuns() throws Exception {
        String name = registry.host() + "/library/roundtrip:latest";
        Path gguf = StoreServer.scripted(GgmlType.F16);
        createOn(server, name, gguf);
        Manifest manifest = server.store.resolve(name).manifest();
        String digest = tagDigest(server.http, name);

        List<JsonNode> pushed = progress(server.http.post("/api/push",
                "{\"model\":\"" + name + "\",\"insecure\":true}"));
        assertEquals("retrieving manifest", pushed.getFirst().get("status").asText());
        assertEquals(List.of("pushing manifest", "success"), pushed.subList(pushed.size() - 2, pushed.size())
                .stream().map(l -> l.get("status").asText()).toList());
        assertEquals(finalBytes(manifest), lastCompleted(pushed, "pushing "));

        Http.Response deleted = server.http.delete("/api/delete", "{\"model\":\"" + name + "\"}");
        assertEquals(200, deleted.status(), deleted.body());
        assertNull(tagDigest(server.http, name));
        Digest modelLayer = manifest.layers().getFirst().digest();
        assertTrue(server.store.blobPath(modelLayer).isEmpty(), "the model's blobs were pruned with it");

        List<JsonNode> pulled = progress(server.http.post("/api/pull",
                "{\"model\":\"" + name + "\",\"insecure\":true}"));
        List<String> statuses = pulled.stream().map(l -> l.get("status").asText()).distinct().toList();
        assertEquals("pulling manifest", statuses.getFirst());
        assertEquals(List.of("verifying sha256 digest", "writing manifest", "success"),
                statuses.subList(statuses.size() - 3, statuses.size()));
        assertEquals(finalBytes(manifest), lastCompleted(pulled, "pulling "));
        for (JsonNode l : pulled) {
            if (l.get("status").asText().startsWith("pulling ") && l.has("digest")) {
                assertEquals("pulling " + Digest.parse(l.get("digest").asText()).shortHex(), l.get("status").asText());
            }
        }

        assertEquals(digest, tagDigest(server.http, name), "the same manifest digest after the round trip");
        assertEquals(manifest, server.store.resolve(name).manifest());
        assertArrayEquals(Files.readAllBytes(gguf), Files.readAllBytes(server.store.blobPath(modelLayer).orElseThrow()));
        Http.Response generated = server.http.post("/api/generate", "{\"model\":\"" + name + "\",\"prompt\":\""
                + TestModels.HELLO_PROMPT + "\",\"stream\":false}");
        assertEquals(TestModels.HELLO_COMPLETION, generated.json().get("response").asText(), generated.body());

        Http.Response again = server.http.post("/api/pull", "{\"name\":\"" + name + "\",\"insecure\":true,"
                + "\"stream\":false}");
        assertEquals(200, again.status(), again.body());
        assertEquals("application/json; charset=utf-8", again.header("Content-Type"));
        assertEquals("{\"status\":\"success\"}", again.body());
        Http.Response pushedAgain = server.http.post("/api/push", "{\"model\":\"" + name + "\",\"insecure\":true,"
                + "\"stream\":false}");
        assertEquals("{\"status\":\"success\"}", pushedAgain.body());
    }

    /** Each blob's size, by digest: what the last progress line of its transfer must say was completed. */
    private static Map<String, Long> finalBytes(Manifest manifest) {
        Map<String, Long> out = new TreeMap<>();
        for (Layer l : manifest.blobs()) {
            out.put(l.digest().toString(), l.size());
        }
        return out;
    }

    /**
     * The last {@code completed} of each digest among lines whose status starts with {@code prefix}.
     */
    private static Map<String, Long> lastCompleted(List<JsonNode> lines, String prefix) {
        Map<String, Long> out = new TreeMap<>();
        for (JsonNode l : lines) {
            if (l.get("status").asText().startsWith(prefix) && l.has("digest")) {
                out.put(l.get("digest").asText(), l.path("completed").asLong());
            }
        }
        return out;
    }

    @Test
    void pullingWhatTheRegistryDoesNotHaveIs404() {
        Http.Response r = server.http.post("/api/pull", "{\"model\":\"" + registry.host() + "/library/nope\","
                + "\"insecure\":true,\"stream\":false}");
        assertEquals(404, r.status(), r.body());
        assertTrue(r.json().get("error").asText().contains("nope"), r.body());
        Http.Response streamed = server.http.post("/api/pull", "{\"model\":\"" + registry.host()
                + "/library/nope\",\"insecure\":true}");
        assertEquals(200, streamed.status(), "the stream began with \"pulling manifest\"");
        List<JsonNode> lines = streamed.lines();
        assertEquals("pulling manifest", lines.getFirst().get("status").asText());
        assertEquals(r.json().get("error"), lines.getLast().get("error"));
    }

    @Test
    void anUnreachableRegistryIs502() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Http.Response r = server.http.post("/api/pull", "{\"model\":\"127.0.0.1:" + closed + "/library/x\","
                + "\"insecure\":true,\"stream\":false}");
        assertEquals(502, r.status(), r.body());
        assertTrue(r.json().get("error").asText().contains("127.0.0.1:" + closed), r.body());
    }

    /**
     * A client that goes away mid-pull interrupts it: the transfer stops, no manifest is written, the partial blob
     * stays, and the next pull fetches only what is missing. The registry is behind a proxy that throttles each
     * connection, so the pull is still running when the client leaves.
     */
    @Test
    void aClientThatDisconnectsStopsThePullAndTheNextPullResumes() throws Exception {
        Path gguf = StoreServer.scripted(GgmlType.F32);
        long size = Files.size(gguf);
        String pushedName = registry.host() + "/library/slow:latest";
        createOn(server, pushedName, gguf);
        progress(server.http.post("/api/push", "{\"model\":\"" + pushedName + "\",\"insecure\":true}"));
        Digest model = StoreServer.digest(gguf);

        try (TcpProxy proxy = new TcpProxy(registry.port(), Long.MAX_VALUE, 64 * 1024);
             StoreServer fresh = new StoreServer(dir.resolve("fresh"))) {
            String name = proxy.host() + "/library/slow:latest";
            try (RawHttp raw = new RawHttp(fresh.server.port(), 0)) {
                raw.post("/api/pull", "{\"model\":\"" + name + "\",\"insecure\":true}");
                assertEquals(200, raw.status);
                String line;
                while ((line = raw.line()) != null) {
                    JsonNode l = Http.JSON.readTree(line);
                    if (l.path("digest").asText().equals(model.toString()) && l.path("completed").asLong() > 0) {
                        break;
                    }
                }
                assertTrue(line != null, "the pull ended before the model blob was under way");
            }
            long stopped = awaitQuiet(proxy);
            assertTrue(stopped < size, "the transfer stopped at " + stopped + " of " + size + " bytes");
            assertNull(tagDigest(fresh.http, name), "no manifest for a cancelled pull");
            assertTrue(Files.exists(dir.resolve("fresh/blobs").resolve(model.fileName() + "-partial")),
                    "the partial download is kept for a resume");

            long before = proxy.bytesToClient();
            List<JsonNode> resumed = progress(fresh.http.post("/api/pull",
                    "{\"model\":\"" + name + "\",\"insecure\":true}"));
            assertEquals("success", resumed.getLast().get("status").asText());
            long fetched = proxy.bytesToClient() - before;
            assertTrue(fetched < size, "the resumed pull fetched " + fetched + " bytes of a " + size + " byte blob");
            assertEquals(server.store.resolve(pushedName).manifest(), fresh.store.resolve(name).manifest());
            assertArrayEquals(Files.readAllBytes(gguf), Files.readAllBytes(fresh.store.blobPath(model).orElseThrow()));
        }
    }

    /** Waits until no byte crossed the proxy for a second (at most 20 s) and returns the count. */
    private static long awaitQuiet(TcpProxy proxy) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long last = proxy.bytesToClient();
        while (System.nanoTime() < deadline) {
            Thread.sleep(1000);
            long now = proxy.bytesToClient();
            if (now == last) {
                return now;
            }
            last = now;
        }
        throw new AssertionError("the transfer went on after the client left: " + last + " bytes");
    }
}
