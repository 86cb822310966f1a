package dev.puna.http;

import static dev.puna.http.OpenAiChatEndToEndTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.runtime.Model;
import dev.puna.runtime.ModelParams;
import dev.puna.runtime.completion.FillInMiddle;
import dev.puna.testkit.TestModels;
import dev.puna.testkit.Vocabulary;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /v1/completions} end to end on the scripted model: raw prompts (no template), so "Hello" is completed
 * " world from Puna!" in the tokens {@code ▁world ▁from ▁Puna !}.
 */
@Timeout(120)
class OpenAiCompletionsEndToEndTest {
    private static final Vocabulary VOCAB = TestModels.vocabulary();
    private static ScriptedServer server;

    @BeforeAll
    static void start() {
        server = new ScriptedServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Http.Response complete(String fields) {
        return server.http.post("/v1/completions", "{\"model\":\"scripted\",\"temperature\":0," + fields + "}");
    }

    private static JsonNode choice(JsonNode o, int i) {
        return o.get("choices").get(i);
    }

    @Test
    void wholeResponse() {
        Http.Response r = complete("\"prompt\":\"Hello\"");
        assertEquals(200, r.status(), r.body());
        JsonNode o = r.json();
        assertEquals(Set.of("id", "object", "created", "model", "system_fingerprint", "choices", "usage",
                "timings"), GenerateEndToEndTest.fields(o));
        assertTrue(o.get("id").asText().matches("cmpl-[A-Za-z0-9]{24}"), o.get("id").asText());
        assertEquals("text_completion", o.get("object").asText());
        assertEquals(json("[{\"text\":\" world from Puna!\",\"index\":0,\"logprobs\":null,\"finish_reason\":\"stop\"}]"),
                o.get("choices"));
        assertEquals(json("{\"prompt_tokens\":2,\"completion_tokens\":4,\"total_tokens\":6}"), o.get("usage"));
    }

    @Test
    void streamedChunks() {
        List<JsonNode> events = SseEvents.parse(complete("\"prompt\":\"Hello\",\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true}").body());
        assertEquals(6, events.size());
        String id = events.getFirst().get("id").asText();
        StringBuilder text = new StringBuilder();
        for (JsonNode e : events.subList(0, 4)) {
            assertEquals("text_completion", e.get("object").asText());
            assertEquals(id, e.get("id").asText());
            assertTrue(e.get("usage").isNull());
            assertEquals(Set.of("text", "index", "logprobs", "finish_reason"),
                    GenerateEndToEndTest.fields(choice(e, 0)));
            assertTrue(choice(e, 0).get("finish_reason").isNull());
            text.append(choice(e, 0).get("text").asText());
        }
        assertEquals(TestModels.HELLO_COMPLETION, text.toString());
        assertEquals(json("{\"text\":\"\",\"index\":0,\"logprobs\":null,\"finish_reason\":\"stop\"}"),
                choice(events.get(4), 0));
        assertEquals(0, events.get(5).get("choices").size());
        assertEquals(json("{\"prompt_tokens\":2,\"completion_tokens\":4,\"total_tokens\":6}"),
                events.get(5).get("usage"));
    }

    @Test
    void maxTokensAndStop() {
        JsonNode cut = complete("\"prompt\":\"Count:\",\"max_tokens\":3").json();
        assertEquals(TestModels.countCompletion(3), choice(cut, 0).get("text").asText());
        assertEquals("length", choice(cut, 0).get("finish_reason").asText());
        JsonNode stopped = complete("\"prompt\":\"Count:\",\"max_tokens\":20,\"stop\":[\" four\"]").json();
        assertEquals(" one two three", choice(stopped, 0).get("text").asText());
        assertEquals("stop", choice(stopped, 0).get("finish_reason").asText());
    }

    @Test
    void anArrayOfPromptsGetsNChoicesEach() {
        JsonNode o = complete("\"prompt\":[\"Hello\",\"Count:\"],\"n\":2,\"max_tokens\":5").json();
        assertEquals(4, o.get("choices").size());
        for (int i = 0; i < 4; i++) {
            JsonNode c = choice(o, i);
            assertEquals(i, c.get("index").asInt());
            assertEquals(i < 2 ? TestModels.HELLO_COMPLETION : TestModels.countCompletion(5),
                    c.get("text").asText(), "choice " + i);
            assertEquals(i < 2 ? "stop" : "length", c.get("finish_reason").asText());
        }
        assertEquals(json("{\"prompt_tokens\":4,\"completion_tokens\":18,\"total_tokens\":22}"), o.get("usage"));
    }

    @Test
    void tokenPromptsAreTakenAsGiven() {
        int bos = 1;
        int hello = VOCAB.id("▁Hello");
        int count = VOCAB.id("▁Count:");
        JsonNode one = complete("\"prompt\":[" + bos + "," + hello + "]").json();
        assertEquals(TestModels.HELLO_COMPLETION, choice(one, 0).get("text").asText());
        JsonNode two = complete("\"prompt\":[[" + bos + "," + hello + "],[" + count + "]],\"max_tokens\":2,"
                + "\"echo\":true").json();
        // Echo renders the tokens as llama.cpp detokenizes them: BOS dropped, the SPM word marker as a space except
        // on the very first token.
        assertEquals(" Hello world from", choice(two, 0).get("text").asText());
        assertEquals("Count: one two", choice(two, 1).get("text").asText());
        Http.Response outside = complete("\"prompt\":[" + bos + ",999999]");
        assertEquals(400, outside.status());
        assertEquals(OpenAiRoutesTest.error("invalid token id 999999 in \"prompt\": outside the model's vocabulary "
                + "(0.." + (VOCAB.size() - 1) + ")", "invalid_request_error", "prompt", null), outside.json());
    }

    @Test
    void echoPutsThePromptFirst() {
        assertEquals("Hello world from Puna!", choice(complete("\"prompt\":\"Hello\",\"echo\":true").json(), 0)
                .get("text").asText());
        List<JsonNode> events = SseEvents.parse(complete("\"prompt\":\"Hello\",\"echo\":true,\"stream\":true").body());
        assertEquals("Hello world", choice(events.getFirst(), 0).get("text").asText());
    }

    @Test
    void legacyLogprobs() {
        JsonNode lp = choice(complete("\"prompt\":\"Hello\",\"logprobs\":2").json(), 0).get("logprobs");
        assertEquals(json("[\" world\",\" from\",\" Puna\",\"!\"]"), lp.get("tokens"));
        assertEquals(json("[0,6,11,16]"), lp.get("text_offset"));
        assertEquals(4, lp.get("token_logprobs").size());
        for (int i = 0; i < 4; i++) {
            double logprob = lp.get("token_logprobs").get(i).asDouble();
            assertTrue(logprob <= 0 && logprob > -0.01, "greedy scripted token is near certain: " + logprob);
            JsonNode top = lp.get("top_logprobs").get(i);
            assertEquals(2, top.size());
            assertEquals(logprob, top.get(lp.get("tokens").get(i).asText()).asDouble(), 1e-9);
        }
        // Streamed: each chunk carries its token's entry, offsets counting on.
        List<JsonNode> events = SseEvents.parse(complete("\"prompt\":\"Hello\",\"logprobs\":0,\"stream\":true")
                .body());
        assertEquals(json("[\" from\"]"), choice(events.get(1), 0).get("logprobs").get("tokens"));
        assertEquals(json("[6]"), choice(events.get(1), 0).get("logprobs").get("text_offset"));
        assertEquals(json("[{}]"), choice(events.get(1), 0).get("logprobs").get("top_logprobs"));
    }

    @Test
    void suffixBuildsAFillInTheMiddlePrompt() {
        int[] fim;
        try (Model vocab = Model.load(ScriptedServer.MODEL, ModelParams.builder().vocabOnly(true).build())) {
            fim = FillInMiddle.prompt(vocab, "Hello", "!");
        }
        assertTrue(Arrays.stream(fim).anyMatch(t -> t == Vocabulary.FIM_MIDDLE), Arrays.toString(fim));
        JsonNode o = complete("\"prompt\":\"Hello\",\"suffix\":\"!\",\"max_tokens\":2").json();
        assertEquals(fim.length, o.get("usage").get("prompt_tokens").asInt(), "the FIM layout, not the raw prompt");
        // The scripted model answers <|fim_middle|> with " ok" and then EOS.
        assertEquals(TestModels.FIM_COMPLETION, choice(o, 0).get("text").asText());
        assertEquals("stop", choice(o, 0).get("finish_reason").asText());
        assertEquals(1, o.get("usage").get("completion_tokens").asInt());
        JsonNode plain = complete("\"prompt\":\"Hello\",\"suffix\":\"\",\"max_tokens\":2").json();
        assertEquals(" world from", choice(plain, 0).get("text").asText(), "an empty suffix is a plain completion");
    }

    @Test
    void servedWithoutTheV1Prefix() {
        JsonNode o = server.http.post("/completions", "{\"model\":\"scripted\",\"prompt\":\"Hello\",\"temperature\":0}")
                .json();
        assertEquals(TestModels.HELLO_COMPLETION, choice(o, 0).get("text").asText());
    }
}
