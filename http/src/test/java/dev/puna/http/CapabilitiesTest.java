package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.testkit.TestModels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code capabilities} on {@code /api/show} and on each {@code /api/tags} entry, computed from the model file and the
 * template that shapes its prompts (the Modelfile's {@code TEMPLATE}, else the GGUF's), in Ollama's order, on the
 * generated models: the scripted model (ChatML without tools, FIM tokens), the tool caller (a Hermes template, no FIM
 * tokens), the thinker (a template that writes {@code <think>} blocks), and the tool caller under Go templates that
 * use {@code .Tools}, {@code .Suffix} and {@code .Thinking}, and the scripted model with a projector.
 */
@Timeout(60)
class CapabilitiesTest {
    private static ScriptedServer server;

    @BeforeAll
    static void start() throws IOException {
        server = new ScriptedServer();
        Path thinker = TestModels.thinker(Path.of(System.getProperty("java.io.tmpdir"), "puna-http-models"));
        server.catalog.add("tools", ScriptedServer.TOOLS_MODEL).add("thinker", thinker)
                .add(withTemplate("go-tools", "{{ if .Tools }}{{ .Tools }}{{ end }}{{ .Prompt }}"))
                .add(withTemplate("go-insert", "{{ if .Suffix }}<pre>{{ .Prompt }}<suf>{{ .Suffix }}<mid>"
                        + "{{ else }}{{ .Prompt }}{{ end }}"))
                .add(withTemplate("go-thinking", "{{ range .Messages }}{{ if .Thinking }}<think>{{ .Thinking }}"
                        + "</think>{{ end }}{{ .Content }}{{ end }}"))
                .add(withTemplate("go-plain", "{{ .Prompt }}"))
                .add(new CatalogModel("seeing:latest", ScriptedServer.MODEL, "sha256:" + "ef".repeat(32), 1,
                        TestCatalog.MODIFIED, TestCatalog.DETAILS, null, null, Map.of(), null, null, List.of(),
                        List.of(), List.of(TestModels.scriptedProjector(thinker.getParent()))));
    }

    private static CatalogModel withTemplate(String name, String template) {
        return new CatalogModel(name + ":latest", ScriptedServer.TOOLS_MODEL, "sha256:" + "cd".repeat(32), 1,
                TestCatalog.MODIFIED, TestCatalog.DETAILS, template, null, Map.of(), null, null);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static final Map<String, List<String>> EXPECTED = Map.of(
            "scripted", List.of("completion", "insert"),
            "tools", List.of("completion", "tools"),
            "thinker", List.of("completion", "thinking"),
            "go-tools", List.of("completion", "tools"),
            "go-insert", List.of("completion", "insert"),
            "go-thinking", List.of("completion", "thinking"),
            // The Modelfile's template replaces the GGUF's, whose tool list it does not render.
            "go-plain", List.of("completion"),
            // A projector layer: Ollama lists vision after insert.
            "seeing", List.of("completion", "insert", "vision"));

    @Test
    void showListsWhatTheModelAndItsTemplateCanDo() {
        for (Map.Entry<String, List<String>> e : EXPECTED.entrySet()) {
            JsonNode o = server.http.post("/api/show", "{\"model\":\"" + e.getKey() + "\"}").json();
            assertEquals(e.getValue(), Http.JSON.convertValue(o.get("capabilities"), List.class), e.getKey());
        }
    }

    @Test
    void tagsListTheSameCapabilitiesForEveryModel() {
        Map<String, List<String>> listed = new HashMap<>();
        for (JsonNode m : server.http.get("/api/tags").json().get("models")) {
            String name = m.get("name").asText();
            listed.put(name.substring(0, name.indexOf(':')), Http.JSON.convertValue(m.get("capabilities"), List.class));
        }
        assertEquals(EXPECTED, listed);
    }
}
