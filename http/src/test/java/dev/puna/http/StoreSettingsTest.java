package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.store.ModelStore;
import dev.puna.store.ProgressListener;
import dev.puna.testkit.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which store a server serves: {@code PUNA_MODELS}, an Ollama store merged in read-only with
 * {@code PUNA_OLLAMA_MODELS}, pruning at start-up, and a server over a fixed catalog, which answers the
 * model-management routes with 501.
 */
@Timeout(120)
class StoreSettingsTest {
    @TempDir
    Path dir;

    @Test
    void ollamaModelsSettingNamesTheReadOnlyStore() {
        String home = System.getProperty("user.home");
        assertEquals(Path.of(home, ".ollama", "models"),
                ServerConfig.fromEnvironment(Map.of("PUNA_OLLAMA_MODELS", "true")).ollamaModelsDir());
        assertEquals(Path.of(home, ".ollama", "models"),
                ServerConfig.fromEnvironment(Map.of("PUNA_OLLAMA_MODELS", "1")).ollamaModelsDir());
        assertNull(ServerConfig.fromEnvironment(Map.of("PUNA_OLLAMA_MODELS", "false")).ollamaModelsDir());
        assertNull(ServerConfig.fromEnvironment(Map.of()).ollamaModelsDir());
        assertEquals(Path.of("/srv/ollama"),
                ServerConfig.fromEnvironment(Map.of("PUNA_OLLAMA_MODELS", "/srv/ollama")).ollamaModelsDir());
    }

    @Test
    void anOllamaStoreIsServedReadOnly() throws Exception {
        Path ollama = dir.resolve("ollama");
        ModelStore.open(ollama).register("theirs", ScriptedServer.MODEL, ProgressListener.NONE);
        List<Path> before = files(ollama);
        ServerConfig config = ServerConfig.fromEnvironment(Map.of("PUNA_HOST", "127.0.0.1:0",
                "PUNA_MODELS", dir.resolve("puna").toString(), "PUNA_OLLAMA_MODELS", ollama.toString(),
                "PUNA_CONTEXT_LENGTH", "256"));
        try (PunaServer server = PunaServer.start(config)) {
            Http http = new Http(server.url());
            assertTrue(http.get("/api/tags").body().contains("\"name\":\"theirs:latest\""));
            Http.Response r = http.post("/api/generate", "{\"model\":\"theirs\",\"prompt\":\"Hello\",\"raw\":true,"
                    + "\"stream\":false,\"options\":{\"temperature\":0}}");
            assertEquals(TestModels.HELLO_COMPLETION, r.json().get("response").asText(), r.body());

            Http.Response delete = http.delete("/api/delete", "{\"model\":\"theirs\"}");
            assertEquals(403, delete.status());
            assertEquals("{\"error\":\"model 'theirs' is in the read-only Ollama store " + ollama
                    + "; Puna does not change it\"}", delete.body());
            assertEquals(200, http.post("/api/copy", "{\"source\":\"theirs\",\"destination\":\"mine\"}").status());
            assertEquals(200, http.delete("/api/delete", "{\"model\":\"mine\"}").status());
        }
        assertEquals(before, files(ollama), "the Ollama store is untouched");
    }

    @Test
    void unusedBlobsArePrunedAtStartUp() throws Exception {
        Path models = dir.resolve("models");
        ModelStore store = ModelStore.open(models);
        store.register("kept", ScriptedServer.MODEL, ProgressListener.NONE);
        Path orphan = Files.writeString(models.resolve("blobs/sha256-" + "0".repeat(64)), "left by a crash");
        Files.setLastModifiedTime(orphan, java.nio.file.attribute.FileTime.fromMillis(0));
        ServerConfig config = ServerConfig.builder().port(0).modelsDir(models).build();
        try (PunaServer server = PunaServer.start(config, store)) {
            assertTrue(Files.notExists(orphan), "an unreferenced old blob is pruned");
            assertEquals(200, new Http(server.url()).post("/api/show", "{\"model\":\"kept\"}").status());
        }
    }

    @Test
    void aServerOverAFixedCatalogAnswersModelManagementWith501() {
        try (PunaServer server = PunaServer.start(ServerConfig.builder().port(0).build(),
                new TestCatalog().add("scripted", ScriptedServer.MODEL))) {
            Http http = new Http(server.url());
            String message = "{\"error\":\"this server serves a fixed model catalog; managing models (pull, push, "
                    + "create, copy, delete, blobs) needs a model store\"}";
            for (Http.Response r : List.of(http.post("/api/pull", "{\"model\":\"x\"}"),
                    http.post("/api/create", "{\"model\":\"x\",\"from\":\"scripted\"}"),
                    http.post("/api/copy", "{\"source\":\"scripted\",\"destination\":\"y\"}"),
                    http.delete("/api/delete", "{\"model\":\"scripted\"}"),
                    http.postBytes("/api/blobs/sha256:" + "0".repeat(64), new byte[] {1}))) {
                assertEquals(501, r.status(), r.body());
                assertEquals(message, r.body());
            }
            assertEquals(200, http.post("/api/show", "{\"model\":\"scripted\"}").status(), "show still works");
        }
    }

    private static List<Path> files(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.sorted().toList();
        }
    }
}
