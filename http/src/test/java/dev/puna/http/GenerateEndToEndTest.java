package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.testkit.TestModels;
import dev.puna.testkit.Vocabulary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /api/generate} end to end: the real server on the scripted model, exact outputs and every final field. */
@Timeout(120)
class GenerateEndToEndTest {
    private static ScriptedServer server;

    @BeforeAll
    static void start() {
        server = new ScriptedServer();
        server.catalog.add(new CatalogModel("counter:latest", ScriptedServer.MODEL, "", 1, TestCatalog.MODIFIED,
                TestCatalog.DETAILS, "{{ .Prompt }}", null, Map.of("num_predict", 3, "temperature", 0), null, null));
        server.catalog.add(new CatalogModel("greeter:latest", ScriptedServer.MODEL, "", 1, TestCatalog.MODIFIED,
                TestCatalog.DETAILS, "{{ if .System }}{{ .System }} {{ end }}{{ .Prompt }}", "Count:",
                Map.of("temperature", 0, "num_predict", 2), null, null));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Http.Response generate(String json) {
        return server.http.post("/api/generate", json);
    }

    private static String text(List<JsonNode> lines) {
        StringBuilder b = new StringBuilder();
        for (JsonNode l : lines) {
            b.append(l.get("response").asText());
        }
        return b.toString();
    }

    private static int id(String piece) {
        return TestModels.vocabulary().id(piece);
    }

    @Test
    void streamsTheScriptedTokensAsNdjsonThenAFinalObject() {
        Http.Response r = generate("{\"model\":\"scripted\",\"prompt\":\"Hello\",\"raw\":true,\"options\":{\"temperature\":0}}");
        assertEquals(200, r.status());
        assertEquals("application/x-ndjson", r.header("Content-Type"));
        List<JsonNode> lines = r.lines();
        assertEquals(5, lines.size(), r.body());
        List<String> pieces = new ArrayList<>();
        for (JsonNode l : lines.subList(0, 4)) {
            assertEquals(Set.of("model", "created_at", "response", "done"), fields(l));
            assertEquals("scripted", l.get("model").asText());
            assertFalse(l.get("done").asBoolean());
            Instant.parse(l.get("created_at").asText());
            pieces.add(l.get("response").asText());
        }
        assertEquals(List.of(" world", " from", " Puna", "!"), pieces);
        JsonNode last = lines.get(4);
        assertEquals(Set.of("model", "created_at", "response", "done", "done_reason", "context", "total_duration",
                "load_duration", "prompt_eval_count", "prompt_eval_duration", "eval_count", "eval_duration"), fields(last));
        assertEquals("", last.get("response").asText());
        assertTrue(last.get("done").asBoolean());
        assertEquals("stop", last.get("done_reason").asText());
        assertEquals(List.of(Vocabulary.BOS, id("▁Hello"), id("▁world"), id("▁from"), id("▁Puna"), id("!")),
                ints(last.get("context")));
        assertEquals(4, last.get("eval_count").asInt());
        assertTrue(last.get("prompt_eval_count").asInt() >= 1 && last.get("prompt_eval_count").asInt() <= 2);
        long total = last.get("total_duration").asLong();
        assertTrue(total > 0);
        assertTrue(last.get("eval_duration").asLong() > 0 && last.get("eval_duration").asLong() < total);
        assertTrue(last.get("prompt_eval_duration").asLong() > 0);
        assertTrue(last.get("load_duration").asLong() >= 0 && last.get("load_duration").asLong() < total);
    }

    @Test
    void nonStreamingReturnsOneObject() {
        Http.Response r = generate("{\"model\":\"scripted\",\"prompt\":\"Hello\",\"raw\":true,\"stream\":false,"
                + "\"options\":{\"temperature\":0}}");
        assertEquals(200, r.status());
        assertEquals("application/json; charset=utf-8", r.header("Content-Type"));
        JsonNode o = r.json();
        assertEquals(TestModels.HELLO_COMPLETION, o.get("response").asText());
        assertEquals("stop", o.get("done_reason").asText());
        assertEquals(4, o.get("eval_count").asInt());
        assertEquals(6, o.get("context").size());
        assertEquals(Set.of("model", "created_at", "response", "done", "done_reason", "context", "total_duration",
                "load_duration", "prompt_eval_count", "prompt_eval_duration", "eval_count", "eval_duration"), fields(o));
    }

    @Test
    void withoutRawThePromptGoesThroughTheChatTemplate() {
        JsonNode o = generate("{\"model\":\"scripted\",\"prompt\":\"Hello\",\"stream\":false,"
                + "\"options\":{\"temperature\":0}}").json();
        assertEquals(TestModels.CHAT_COMPLETION, o.get("response").asText());
        assertEquals("stop", o.get("done_reason").asText());
        assertEquals(2, o.get("eval_count").asInt());
    }

    @Test
    void aRequestTemplateReplacesTheChatTemplateAndStopsAtResponse() {
        JsonNode plain = generate("{\"model\":\"scripted\",\"prompt\":\"Hello\",\"stream\":false,"
                + "\"template\":\"{{ .Prompt }}\",\"options\":{\"temperature\":0}}").json();
        assertEquals(TestModels.HELLO_COMPLETION, plain.get("response").asText());
        // The rendered prompt ends in a newline (everything after {{ .Response }} is cut): the chat answer.
        JsonNode chat = generate("{\"model\":\"scripted\",\"prompt\":\"Hello\",\"stream\":false,\"system\":\"sys\","
                + "\"template\":\"{{ if .System }}{{ .System }} {{ end }}{{ .Prompt }}\\n{{ .Response }}<|im_end|>\","
                + "\"options\":{\"temperature\":0}}").json();
        assertEquals(TestModels.CHAT_COMPLETION, chat.get("response").asText());
    }

    @Test
    void numPredictAndStop() {
        JsonNode length = generate("{\"model\":\"scripted\",\"prompt\":\"Count:\",\"raw\":true,\"stream\":false,"
                + "\"options\":{\"temperature\":0,\"num_predict\":5}}").json();
        assertEquals(TestModels.countCompletion(5), length.get("response").asText());
        assertEquals("length", length.get("done_reason").asText());
        assertEquals(5, length.get("eval_count").asInt());
        List<JsonNode> stopped = generate("{\"model\":\"scripted\",\"prompt\":\"Count:\",\"raw\":true,"
                + "\"options\":{\"temperature\":0,\"stop\":[\" three\"],\"num_predict\":50}}").lines();
        assertEquals(" one two", text(stopped));
        assertEquals("stop", stopped.getLast().get("done_reason").asText());
    }

    @Test
    void modelfileParametersTemplateAndSystemApplyAndRequestOptionsOverrideThem() {
        JsonNode defaults = generate("{\"model\":\"counter\",\"prompt\":\"Count:\",\"stream\":false}").json();
        assertEquals(TestModels.countCompletion(3), defaults.get("response").asText());
        assertEquals("length", defaults.get("done_reason").asText());
        JsonNode overridden = generate("{\"model\":\"counter\",\"prompt\":\"Count:\",\"stream\":false,"
                + "\"options\":{\"num_predict\":4}}").json();
        assertEquals(TestModels.countCompletion(4), overridden.get("response").asText());
        // greeter's SYSTEM "Count:" is placed by its template before the prompt " one": the count goes on.
        JsonNode system = generate("{\"model\":\"greeter\",\"prompt\":\"one\",\"stream\":false}").json();
        assertEquals(" two three", system.get("response").asText());
        JsonNode requestSystem = generate("{\"model\":\"greeter\",\"prompt\":\"two\",\"system\":\"Count: one\","
                + "\"stream\":false}").json();
        assertEquals(" three four", requestSystem.get("response").asText());
    }

    @Test
    void contextContinuesAConversationAndOnlyNewTokensAreEvaluated() {
        JsonNode first = generate("{\"model\":\"counter\",\"prompt\":\"Count:\",\"stream\":false}").json();
        List<Integer> context = ints(first.get("context"));
        assertEquals(List.of(Vocabulary.BOS, id("▁Count:"), id("▁one"), id("▁two"), id("▁three")), context);
        JsonNode second = generate("{\"model\":\"counter\",\"prompt\":\"four\",\"stream\":false,\"context\":"
                + context + ",\"options\":{\"num_predict\":2}}").json();
        assertEquals(" five six", second.get("response").asText());
        // The slot already holds BOS Count: one two; only " three" (sampled, never decoded) and " four" are new.
        assertEquals(2, second.get("prompt_eval_count").asInt());
        assertEquals(List.of(Vocabulary.BOS, id("▁Count:"), id("▁one"), id("▁two"), id("▁three"), id("▁four"),
                id("▁five"), id("▁six")), ints(second.get("context")));
    }

    @Test
    void multiByteCharactersAreNeverSplitAcrossChunks() {
        List<JsonNode> lines = generate("{\"model\":\"scripted\",\"prompt\":\"Emoji:\",\"raw\":true,"
                + "\"options\":{\"temperature\":0}}").lines();
        assertEquals(List.of("\uD83D\uDE00", " ok", ""), lines.stream().map(l -> l.get("response").asText()).toList());
        assertEquals(5, lines.getLast().get("eval_count").asInt());
    }

    @Test
    void logprobsStreamedAndCollected() {
        JsonNode o = generate("{\"model\":\"scripted\",\"prompt\":\"Hello\",\"raw\":true,\"stream\":false,"
                + "\"logprobs\":true,\"top_logprobs\":2,\"options\":{\"temperature\":0}}").json();
        JsonNode lp = o.get("logprobs");
        assertEquals(4, lp.size());
        assertEquals(List.of(" world", " from", " Puna", "!"),
                List.of(lp.get(0).get("token").asText(), lp.get(1).get("token").asText(),
                        lp.get(2).get("token").asText(), lp.get(3).get("token").asText()));
        for (JsonNode entry : lp) {
            assertTrue(entry.get("logprob").asDouble() <= 0 && entry.get("logprob").asDouble() > -0.01, entry.toString());
            assertEquals(2, entry.get("top_logprobs").size());
            assertEquals(entry.get("token"), entry.get("top_logprobs").get(0).get("token"));
            assertEquals(entry.get("token").asText().getBytes(java.nio.charset.StandardCharsets.UTF_8).length,
                    entry.get("bytes").size());
        }
        List<JsonNode> lines = generate("{\"model\":\"scripted\",\"prompt\":\"Hello\",\"raw\":true,\"logprobs\":true,"
                + "\"options\":{\"temperature\":0}}").lines();
        for (JsonNode chunk : lines.subList(0, 4)) {
            assertEquals(1, chunk.get("logprobs").size());
            assertEquals(chunk.get("response"), chunk.get("logprobs").get(0).get("token"));
            assertEquals(0, chunk.get("logprobs").get(0).get("top_logprobs").size());
        }
        assertFalse(lines.getLast().has("logprobs"));
    }

    @Test
    void aPromptLongerThanTheContextIsTruncatedByDefaultAndRefusedWithoutTruncate() {
        String longPrompt = "Count:" + " one".repeat(300);
        JsonNode truncated = generate("{\"model\":\"scripted\",\"prompt\":\"" + longPrompt + "\",\"raw\":true,"
                + "\"stream\":false,\"options\":{\"temperature\":0,\"num_predict\":2}}").json();
        assertEquals(" two three", truncated.get("response").asText());
        Http.Response refused = generate("{\"model\":\"scripted\",\"prompt\":\"" + longPrompt + "\",\"raw\":true,"
                + "\"truncate\":false,\"options\":{\"num_predict\":2}}");
        assertEquals(400, refused.status());
        assertEquals("{\"error\":\"the prompt is 302 tokens, which exceeds the context size of 256 tokens (num_ctx); "
                + "shorten the prompt or raise num_ctx\"}", refused.body());
    }

    @Test
    void outOfVocabularyContextTokensAreA400() {
        Http.Response r = generate("{\"model\":\"scripted\",\"prompt\":\"x\",\"context\":[999999]}");
        assertEquals(400, r.status());
        assertTrue(r.json().get("error").asText().startsWith("prompt: token id 999999 is outside the vocabulary"),
                r.body());
    }

    /** {@code main_gpu} is applied at load; one this build cannot have is a 400, not accepted and ignored. */
    @Test
    void aMainGpuThatDoesNotExistIsA400() {
        Http.Response r = generate("{\"model\":\"scripted\",\"prompt\":\"Hello\",\"stream\":false,"
                + "\"options\":{\"main_gpu\":7}}");
        assertEquals(400, r.status(), r.body());
        assertTrue(r.json().get("error").asText().startsWith("main_gpu: there is no GPU 7"), r.body());
        JsonNode ok = generate("{\"model\":\"scripted\",\"prompt\":\"Hello\",\"raw\":true,\"stream\":false,"
                + "\"options\":{\"main_gpu\":0,\"temperature\":0}}").json();
        assertEquals(TestModels.HELLO_COMPLETION, ok.get("response").asText());
    }

    @Test
    void thinkIsAccepted() {
        JsonNode o = generate("{\"model\":\"scripted\",\"prompt\":\"Hello\",\"stream\":false,\"think\":false,"
                + "\"options\":{\"temperature\":0}}").json();
        assertEquals(TestModels.CHAT_COMPLETION, o.get("response").asText());
    }

    static Set<String> fields(JsonNode o) {
        Set<String> out = new java.util.HashSet<>();
        o.fieldNames().forEachRemaining(out::add);
        return out;
    }

    static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }
}
