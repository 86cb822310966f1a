package dev.puna.http;

import static dev.puna.http.StoreEndToEndTest.create;
import static dev.puna.http.StoreEndToEndTest.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.gguf.GgmlType;
import dev.puna.store.Digest;
import dev.puna.testkit.TestModels;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Speculative decoding through the real server: a Modelfile {@code draft_model} (the scripted model in F16 drafting
 * for the F32 one) gives the same text as the model without it, reports llama-server's {@code timings.draft_n} /
 * {@code draft_n_accepted} and the acceptance in {@code /metrics}; {@code PUNA_DRAFT_MODEL}'s default draft is
 * skipped for a model of another vocabulary; bad settings are 400s naming them.
 */
@Timeout(120)
class SpeculativeEndToEndTest {
    @TempDir
    static Path dir;
    private static StoreServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new StoreServer(dir.resolve("models"), ServerConfig.builder()
                .draftModels(Map.of(ServerConfig.ANY_MODEL, "draft")));
        Digest target = upload(server.http, ScriptedServer.MODEL);
        Digest draft = upload(server.http, StoreServer.scripted(GgmlType.F16));
        Digest tools = upload(server.http, ScriptedServer.TOOLS_MODEL);
        create(server.http, "{\"model\":\"draft\",\"files\":{\"d.gguf\":\"" + draft + "\"}}");
        create(server.http, "{\"model\":\"plain\",\"files\":{\"t.gguf\":\"" + target + "\"},"
                + "\"parameters\":{\"draft_model\":\"\"}}");
        create(server.http, "{\"model\":\"drafted\",\"files\":{\"t.gguf\":\"" + target + "\"},"
                + "\"parameters\":{\"draft_model\":\"draft\",\"draft_max\":8}}");
        create(server.http, "{\"model\":\"tools\",\"files\":{\"x.gguf\":\"" + tools + "\"}}");
        create(server.http, "{\"model\":\"mismatched\",\"files\":{\"t.gguf\":\"" + target + "\"},"
                + "\"parameters\":{\"draft_model\":\"tools\"}}");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Http.Response completion(String model, String extra) {
        return server.http.post("/v1/completions", "{\"model\":\"" + model + "\",\"prompt\":\""
                + TestModels.COUNT_PROMPT + "\",\"temperature\":0,\"max_tokens\":40" + extra + "}");
    }

    @Test
    void aDraftModelGivesTheSameTextAndReportsItsAcceptance() {
        Http.Response plain = completion("plain", "");
        Http.Response drafted = completion("drafted", "");
        assertEquals(200, drafted.status(), drafted.body());
        String text = drafted.json().get("choices").get(0).get("text").asText();
        assertEquals(TestModels.countCompletion(40), text);
        assertEquals(plain.json().get("choices").get(0).get("text").asText(), text);
        assertFalse(plain.json().get("timings").has("draft_n"), "no draft, no draft_n: " + plain.body());
        JsonNode timings = drafted.json().get("timings");
        int proposed = timings.get("draft_n").asInt();
        int accepted = timings.get("draft_n_accepted").asInt();
        // The draft knows the script and drafts nothing past max_tokens: every drafted token is accepted.
        assertTrue(proposed >= 30 && accepted == proposed, timings.toString());

        Http.Response generate = server.http.post("/api/generate", "{\"model\":\"drafted\",\"prompt\":\""
                + TestModels.COUNT_PROMPT + "\",\"raw\":true,\"stream\":false,"
                + "\"options\":{\"temperature\":0,\"num_predict\":40}}");
        assertEquals(200, generate.status(), generate.body());
        assertEquals(text, generate.json().get("response").asText());

        Map<String, Double> metrics = MetricsEndToEndTest.samples(server.http.get("/metrics").body());
        double drafts = metrics.get("puna_draft_tokens{model=\"drafted:latest\"}");
        double kept = metrics.get("puna_draft_accepted_tokens{model=\"drafted:latest\"}");
        assertTrue(drafts >= 2 * 30 && kept == drafts, metrics.toString());
        assertEquals(kept / drafts, metrics.get("puna_draft_acceptance_ratio{model=\"drafted:latest\"}"), 1e-9);
    }

    @Test
    void theDefaultDraftServesModelsOfItsVocabularyAndSkipsTheOthers() {
        Http.Response scripted = completion("draft", "");
        assertEquals(200, scripted.status(), scripted.body());
        assertFalse(scripted.json().get("timings").has("draft_n"), "a model is not its own draft: "
                + scripted.body());
        Http.Response tools = server.http.post("/api/generate", "{\"model\":\"tools\",\"prompt\":\"Hello\","
                + "\"stream\":false,\"options\":{\"num_predict\":3}}");
        assertEquals(200, tools.status(), "another vocabulary runs without the default draft: " + tools.body());
    }

    @Test
    void badDraftSettingsAreNamed() {
        Http.Response mismatched = completion("mismatched", "");
        assertEquals(400, mismatched.status(), mismatched.body());
        String message = mismatched.json().get("error").get("message").asText();
        assertTrue(message.contains("cannot draft for") && message.contains("its vocabulary has"), message);
        assertEquals("draft_model", mismatched.json().get("error").get("param").asText());

        Http.Response missing = completion("plain", ",\"options\":{\"draft_model\":\"nope\"}");
        assertEquals(400, missing.status(), missing.body());
        assertEquals("draft model 'nope' not found", missing.json().get("error").get("message").asText());
        for (String[] bad : new String[][] {
                {"\"draft_max\":0", "invalid option draft_max: must be between 1 and 64, got 0"},
                {"\"draft_p_min\":2", "invalid option draft_p_min: must be between 0 and 1, got 2.0"},
                {"\"draft_model\":5", "invalid value for \"options.draft_model\": expected a model name, got a number (5)"},
                {"\"draft_max\":4,\"draft_min\":5", "invalid option draft_min: must be at most draft_max (4), got 5"},
                {"\"draft_model\":\"../x\"", "invalid model name '../x'"}}) {
            Http.Response r = completion("drafted", ",\"options\":{" + bad[0] + "}");
            assertEquals(400, r.status(), r.body());
            assertEquals(bad[1], r.json().get("error").get("message").asText());
        }
        Http.Response create = server.http.post("/api/create", "{\"model\":\"x\",\"from\":\"plain\","
                + "\"parameters\":{\"draft_model\":3}}");
        assertEquals(400, create.status(), create.body());
        assertEquals("{\"error\":\"parameter 'draft_model' must be a string, not 3\"}", create.body());
    }
}
