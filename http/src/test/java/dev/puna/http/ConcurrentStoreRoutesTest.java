package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.store.Digest;
import dev.puna.store.Layer;
import dev.puna.store.ModelStore;
import dev.puna.store.ModelSummary;
import dev.puna.store.ResolvedModel;
import dev.puna.testkit.RegistryServer;
import dev.puna.testkit.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Create, delete and pull of one name at the same time, through HTTP: every request gets a clean answer (200, or
 * 404 for a delete that found nothing), and the store at rest is consistent: every manifest's blobs exist and hash
 * to their names, no blob is left unreferenced, no temporary or partial file remains, and the name is either gone
 * or a complete model that runs.
 */
@Timeout(300)
class ConcurrentStoreRoutesTest {
    private static final int ROUNDS = 12;

    @TempDir
    Path dir;

    @Test
    void createDeleteAndPullOfOneNameInParallelLeaveAConsistentStore() throws Exception {
        try (RegistryServer registry = RegistryServer.start(dir.resolve("registry"));
             StoreServer server = new StoreServer(dir.resolve("models"))) {
            String name = registry.host() + "/library/contested:latest";
            Digest blob = StoreEndToEndTest.upload(server.http, ScriptedServer.MODEL);
            String files = "\"files\":{\"model.gguf\":\"" + blob + "\"}";
            // The anchor keeps the uploaded blob referenced, so that deletes do not prune it from under the creates.
            StoreEndToEndTest.create(server.http, "{\"model\":\"anchor\"," + files + "}");
            StoreEndToEndTest.create(server.http, "{\"model\":\"" + name + "\"," + files + ",\"system\":\"pushed\","
                    + "\"template\":\"{{ .Prompt }}\",\"parameters\":{\"temperature\":0,\"num_predict\":3}}");
            Http.Response pushed = server.http.post("/api/push", "{\"model\":\"" + name + "\",\"insecure\":true,"
                    + "\"stream\":false}");
            assertEquals("{\"status\":\"success\"}", pushed.body());

            CyclicBarrier start = new CyclicBarrier(3);
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                Future<List<String>> creates = pool.submit(() -> run(start, i -> server.http.post("/api/create",
                        "{\"model\":\"" + name + "\"," + files + ",\"system\":\"round " + i + "\","
                                + "\"template\":\"{{ .Prompt }}\",\"stream\":false}")));
                Future<List<String>> deletes = pool.submit(() -> run(start, i -> server.http.delete("/api/delete",
                        "{\"model\":\"" + name + "\"}")));
                Future<List<String>> pulls = pool.submit(() -> run(start, i -> server.http.post("/api/pull",
                        "{\"model\":\"" + name + "\",\"insecure\":true,\"stream\":false}")));
                for (String answer : creates.get()) {
                    assertEquals("200 {\"status\":\"success\"}", answer);
                }
                for (String answer : pulls.get()) {
                    assertEquals("200 {\"status\":\"success\"}", answer);
                }
                for (String answer : deletes.get()) {
                    assertTrue(answer.equals("200 ") || answer.equals("404 {\"error\":\"model '" + name
                            + "' not found\"}"), answer);
                }
            } finally {
                pool.shutdownNow();
            }

            assertConsistent(server.store, dir.resolve("models"));
            Http.Response show = server.http.post("/api/show", "{\"model\":\"" + name + "\"}");
            if (show.status() == 200) {
                Http.Response r = server.http.post("/api/generate", "{\"model\":\"" + name + "\",\"prompt\":\""
                        + TestModels.HELLO_PROMPT + "\",\"stream\":false,\"options\":{\"temperature\":0}}");
                assertEquals(200, r.status(), r.body());
                assertTrue(TestModels.HELLO_COMPLETION.startsWith(r.json().get("response").asText()), r.body());
            } else {
                assertEquals(404, show.status(), show.body());
            }
            // Whatever the interleaving, the name works again afterwards.
            StoreEndToEndTest.create(server.http, "{\"model\":\"" + name + "\"," + files + "}");
            assertConsistent(server.store, dir.resolve("models"));
        }
    }

    private static List<String> run(CyclicBarrier start, IntFunction<Http.Response> request) throws Exception {
        start.await();
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
            Http.Response r = request.apply(i);
            answers.add(r.status() + " " + r.body());
        }
        return answers;
    }

    /**
     * Every listed model's blobs exist, hash to their names and have their sizes; every blob file is referenced;
     * no temporary ({@code .tmp-*}) or partial download remains.
     */
    static void assertConsistent(ModelStore store, Path root) throws IOException {
        Set<String> referenced = new HashSet<>();
        for (ModelSummary m : store.list()) {
            ResolvedModel r = store.resolve(m.modelName().toString());
            for (Layer l : r.manifest().blobs()) {
                Path blob = store.blobPath(l.digest()).orElseThrow(() -> new AssertionError(m.name()
                        + " is missing " + l.digest()));
                assertEquals(l.digest(), StoreServer.digest(blob), blob + " does not match its name");
                assertEquals(l.size(), Files.size(blob));
                referenced.add(l.digest().fileName());
            }
        }
        try (Stream<Path> files = Files.list(root.resolve("blobs"))) {
            assertEquals(referenced.stream().sorted().toList(),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "only referenced blobs remain");
        }
        try (Stream<Path> files = Files.walk(root)) {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList());
        }
    }
}
