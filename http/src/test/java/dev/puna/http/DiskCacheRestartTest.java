package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.testkit.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prompt cache survives a restart: a server stopped with a long prompt in a slot writes it to
 * {@code PUNA_KV_CACHE_DIR}, and the next server on the same data directory evaluates only the prompt's last token
 * for the same request, with the same answer, also under a Modelfile adapter. A model outside a store (no digest in
 * its file name) keeps its cache in RAM, as does a server with {@code PUNA_CACHE_DISK=0}.
 */
@Timeout(120)
class DiskCacheRestartTest {
    /** About 120 tokens of the scripted model's vocabulary. */
    private static final String PROMPT = "Hello world from Puna! ".repeat(24) + "Hello";
    private static final String REQUEST = "{\"model\":\"%s\",\"prompt\":\"" + PROMPT + "\",\"raw\":true,"
            + "\"stream\":false,\"options\":{\"temperature\":0,\"num_predict\":3}}";

    @TempDir
    Path dir;

    /** The scripted model as a store would hold it: a blob named by its digest. */
    private Path blob() throws IOException, NoSuchAlgorithmException {
        return blob(ScriptedServer.MODEL);
    }

    private Path blob(Path file) throws IOException, NoSuchAlgorithmException {
        byte[] bytes = Files.readAllBytes(file);
        Path blobs = Files.createDirectories(dir.resolve("blobs"));
        Path blob = blobs.resolve("sha256-" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(bytes)));
        Files.write(blob, bytes);
        return blob;
    }

    private JsonNode generate(ServerConfig.Builder config, TestCatalog catalog, String model) {
        try (PunaServer server = PunaServer.start(config.port(0).contextLength(512).numParallel(1).build(),
                catalog)) {
            Http.Response r = new Http(server.url()).post("/api/generate", REQUEST.formatted(model));
            assertEquals(200, r.status(), r.body());
            return r.json();
        }
    }

    private long files(Path kvDir) throws IOException {
        if (!Files.isDirectory(kvDir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(kvDir)) {
            return s.filter(p -> p.toString().endsWith(".kv")).count();
        }
    }

    /** The first server on {@code data}: evaluates the whole long prompt and leaves it in one file at shutdown. */
    private JsonNode coldFirstRun(Path data, TestCatalog catalog, String model) throws IOException {
        JsonNode cold = generate(ServerConfig.builder().dataDir(data), catalog, model);
        assertTrue(cold.get("prompt_eval_count").asInt() >= 100, cold.toString());
        assertEquals(1, files(data.resolve("kv-cache")));
        return cold;
    }

    /** The same request after a restart: only the last prompt token evaluated (for its logits), the same answer. */
    private static void assertResumed(JsonNode cold, JsonNode warm) {
        assertEquals(1, warm.get("prompt_eval_count").asInt(), warm.toString());
        assertEquals(cold.get("response").asText(), warm.get("response").asText());
        assertEquals(cold.get("eval_count").asInt(), warm.get("eval_count").asInt());
    }

    @Test
    void aLongPromptIsEvaluatedOnceAcrossARestart() throws Exception {
        TestCatalog catalog = new TestCatalog().add("stored", blob());
        Path data = dir.resolve("data");
        JsonNode cold = coldFirstRun(data, catalog, "stored");

        assertResumed(cold, generate(ServerConfig.builder().dataDir(data), catalog, "stored"));
    }

    @Test
    void aModelfileAdaptersConversationIsEvaluatedOnceAcrossARestartAndNotByTheBareModel() throws Exception {
        Path adapter = blob(TestModels.scriptedLora(dir));
        CatalogModel tuned = new CatalogModel("tuned:latest", blob(), "sha256:" + "cd".repeat(32), 1234,
                TestCatalog.MODIFIED, TestCatalog.DETAILS, null, null, Map.of(), null, null, List.of(),
                List.of(adapter));
        TestCatalog catalog = new TestCatalog().add(tuned).add("bare", blob());
        Path data = dir.resolve("data");
        JsonNode cold = coldFirstRun(data, catalog, "tuned");
        int promptTokens = cold.get("prompt_eval_count").asInt();

        JsonNode bare = generate(ServerConfig.builder().dataDir(data), catalog, "bare");
        assertEquals(promptTokens, bare.get("prompt_eval_count").asInt(), "another model key: " + bare);
        assertEquals(2, files(data.resolve("kv-cache")));

        assertResumed(cold, generate(ServerConfig.builder().dataDir(data), catalog, "tuned"));
    }

    @Test
    void theDirectoryComesFromPunaKvCacheDirAndZeroBytesTurnItOff() throws Exception {
        TestCatalog catalog = new TestCatalog().add("stored", blob());
        Path kv = dir.resolve("elsewhere");
        generate(ServerConfig.builder().dataDir(dir.resolve("data")).diskCacheDir(kv), catalog, "stored");
        assertEquals(1, files(kv));
        assertEquals(0, files(dir.resolve("data").resolve("kv-cache")));

        Path off = dir.resolve("off");
        JsonNode first = generate(ServerConfig.builder().dataDir(off).diskCacheBytes(0), catalog, "stored");
        assertEquals(0, files(off.resolve("kv-cache")));
        JsonNode again = generate(ServerConfig.builder().dataDir(off).diskCacheBytes(0), catalog, "stored");
        assertEquals(first.get("prompt_eval_count").asInt(), again.get("prompt_eval_count").asInt());
    }

    @Test
    void aModelOutsideAStoreKeepsItsCacheInRam() throws Exception {
        TestCatalog catalog = new TestCatalog().add("loose", ScriptedServer.MODEL);
        Path data = dir.resolve("data");
        JsonNode first = generate(ServerConfig.builder().dataDir(data), catalog, "loose");
        assertEquals(0, files(data.resolve("kv-cache")));
        JsonNode again = generate(ServerConfig.builder().dataDir(data), catalog, "loose");
        assertEquals(first.get("prompt_eval_count").asInt(), again.get("prompt_eval_count").asInt());
    }
}
