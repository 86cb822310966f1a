package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.gguf.GgmlType;
import dev.puna.store.Digest;
import dev.puna.store.ResolvedModel;
import dev.puna.testkit.RegistryServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Ollama JavaScript client ({@code ollama} on npm, pinned in {@code src/test/js/package.json} and its
 * lockfile) against the real server: {@code list}, {@code show}, {@code copy}, {@code delete} and {@code pull}
 * (from a real registry, non-streamed and streamed), and the errors it raises from our error bodies. Needs Node.js
 * and {@code npm ci} in {@code src/test/js}, which {@code ./run-tests} runs; without them the test fails, saying so.
 */
@Timeout(180)
class OllamaJsClientTest {
    private static final Path SCRIPTS = Path.of("src/test/js").toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void listShowCopyDeleteAndPull() throws Exception {
        String node = node();
        if (!Files.isRegularFile(SCRIPTS.resolve("node_modules/ollama/package.json"))) {
            fail("the Ollama JavaScript client is not installed in " + SCRIPTS + ": run 'npm ci --prefix "
                    + SCRIPTS + "' (./run-tests does this)");
        }
        try (RegistryServer registry = RegistryServer.start(dir.resolve("registry"));
             StoreServer server = new StoreServer(dir.resolve("models"))) {
            Digest blob = StoreEndToEndTest.upload(server.http, ScriptedServer.MODEL);
            StoreEndToEndTest.create(server.http, "{\"model\":\"tiny\",\"files\":{\"m.gguf\":\"" + blob + "\"},"
                    + "\"system\":\"You are terse.\",\"parameters\":{\"temperature\":0}}");
            // Something to pull: a different model on the registry, pushed by a second store.
            String remote = registry.host() + "/library/remote:latest";
            try (StoreServer other = new StoreServer(dir.resolve("other"))) {
                Digest f16 = StoreEndToEndTest.upload(other.http, StoreServer.scripted(GgmlType.F16));
                StoreEndToEndTest.create(other.http, "{\"model\":\"" + remote + "\",\"files\":{\"m.gguf\":\""
                        + f16 + "\"}}");
                assertEquals("{\"status\":\"success\"}", other.http.post("/api/push", "{\"model\":\"" + remote
                        + "\",\"insecure\":true,\"stream\":false}").body());
            }

            JsonNode out = run(node, server.server.url(), remote);

            JsonNode listed = out.get("list").get(0);
            ResolvedModel tiny = server.store.resolve("tiny");
            assertEquals(1, out.get("list").size(), out.toString());
            assertEquals("tiny:latest", listed.get("name").asText());
            assertEquals("tiny:latest", listed.get("model").asText());
            assertEquals(tiny.digest(), listed.get("digest").asText());
            assertEquals(tiny.size(), listed.get("size").asLong());
            assertEquals("F32", listed.get("details").get("quantization_level").asText());
            assertEquals(tiny.modifiedAt(), java.time.Instant.parse(listed.get("modified_at").asText()));

            JsonNode show = out.get("show");
            assertEquals("You are terse.", show.get("system").asText());
            assertEquals("temperature                    0", show.get("parameters").asText());
            assertEquals("llama", show.get("details").get("family").asText());
            assertEquals("llama", show.get("model_info").get("general.architecture").asText());
            assertEquals(List.of("completion", "insert"), Http.JSON.convertValue(show.get("capabilities"), List.class));
            assertTrue(show.get("modelfile").asText().contains("SYSTEM You are terse."), show.toString());

            assertEquals("{\"status\":\"success\"}", out.get("copy").toString());
            assertEquals("[\"tiny-copy:latest\",\"tiny:latest\"]", out.get("afterCopy").toString());
            assertEquals("{\"status\":\"success\"}", out.get("delete").toString());
            assertEquals("[\"tiny:latest\"]", out.get("afterDelete").toString());

            assertEquals("{\"status\":\"success\"}", out.get("pull").toString());
            List<String> statuses = new java.util.ArrayList<>();
            out.get("pullStream").forEach(s -> statuses.add(s.asText()));
            assertEquals("pulling manifest", statuses.getFirst());
            assertEquals(List.of("verifying sha256 digest", "writing manifest", "success"),
                    statuses.subList(statuses.size() - 3, statuses.size()));
            assertEquals("[\"" + remote + "\",\"tiny:latest\"]", out.get("afterPull").toString());

            assertEquals("{\"name\":\"ResponseError\",\"status_code\":404,\"error\":\"model 'nope' not found\"}",
                    out.get("showMissing").toString());
            assertEquals("{\"name\":\"ResponseError\",\"status_code\":404,\"error\":\"model 'nope' not found\"}",
                    out.get("deleteMissing").toString());
            assertEquals(400, out.get("copyInvalid").get("status_code").asInt(), out.toString());
            assertEquals("invalid model name '../escape': the namespace must start with a letter, a digit or '_'",
                    out.get("copyInvalid").get("error").asText());
        }
    }

    /** The {@code node} executable: required, not optional. */
    static String node() throws IOException, InterruptedException {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor() == 0 && version.startsWith("v")) {
                return "node";
            }
            fail("'node --version' answered: " + version);
        } catch (IOException e) {
            fail("this test needs Node.js (node on the PATH) to run the Ollama JavaScript client: " + e.getMessage());
        }
        return null;
    }

    private static JsonNode run(String node, String url, String remote) throws Exception {
        Process p = new ProcessBuilder(node, SCRIPTS.resolve("client.mjs").toString(), url, remote)
                .directory(SCRIPTS.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] stdout = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "node did not finish");
        String text = new String(stdout, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "node failed: " + text);
        return Http.JSON.readTree(text);
    }
}
