package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.testkit.TestModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /v1/chat/completions} end to end on the scripted model (its ChatML template; every chat is answered
 * "Hi there!" in the tokens {@code Hi}, {@code ▁there!}), over raw HTTP so that the exact SSE framing and JSON
 * shapes are checked.
 */
@Timeout(120)
class OpenAiChatEndToEndTest {
    private static final String HELLO = "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]";
    private static ScriptedServer server;

    @BeforeAll
    static void start() {
        server = new ScriptedServer();
        server.catalog.add(new CatalogModel("alice/assistant:v1", ScriptedServer.MODEL, "sha256:" + "cd".repeat(32), 1,
                TestCatalog.MODIFIED, TestCatalog.DETAILS, null, "You are terse.", Map.of("temperature", 0), null,
                null));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Http.Response chat(String fields) {
        return server.http.post("/v1/chat/completions", "{\"model\":\"scripted\"," + fields + "}");
    }

    @Test
    void wholeResponse() {
        Http.Response r = chat(HELLO + ",\"temperature\":0");
        assertEquals(200, r.status(), r.body());
        assertEquals("application/json; charset=utf-8", r.header("Content-Type"));
        JsonNode o = r.json();
        assertEquals(Set.of("id", "object", "created", "model", "system_fingerprint", "choices", "usage",
                "timings"), GenerateEndToEndTest.fields(o));
        assertTrue(o.get("id").asText().matches("chatcmpl-[A-Za-z0-9]{24}"), o.get("id").asText());
        assertEquals("chat.completion", o.get("object").asText());
        assertEquals("scripted", o.get("model").asText());
        assertEquals("fp_abababababab", o.get("system_fingerprint").asText());
        assertTrue(Math.abs(o.get("created").asLong() - System.currentTimeMillis() / 1000) < 60);
        assertEquals(Http.JSON.createArrayNode().add(Http.JSON.createObjectNode().put("index", 0)
                .<com.fasterxml.jackson.databind.node.ObjectNode>set("message", Http.JSON.createObjectNode()
                        .put("role", "assistant").put("content", TestModels.CHAT_COMPLETION).putNull("refusal"))
                .putNull("logprobs").put("finish_reason", "stop")), o.get("choices"));
        JsonNode usage = o.get("usage");
        assertEquals(2, usage.get("completion_tokens").asInt());
        assertEquals(promptTokens(), usage.get("prompt_tokens").asInt());
        assertEquals(promptTokens() + 2, usage.get("total_tokens").asInt());
    }

    /** The ChatML prompt of one user message "Hello": [BOS] <|im_start|> ▁user \n ▁Hello <|im_end|> \n ... */
    private static int promptTokens() {
        return chat(HELLO + ",\"temperature\":0,\"max_tokens\":1").json().get("usage").get("prompt_tokens").asInt();
    }

    @Test
    void streamedChunks() {
        Http.Response r = chat(HELLO + ",\"temperature\":0,\"stream\":true");
        assertEquals(200, r.status(), r.body());
        assertEquals("text/event-stream; charset=utf-8", r.header("Content-Type"));
        assertEquals("no-cache", r.header("Cache-Control"));
        List<JsonNode> events = SseEvents.parse(r.body());
        assertEquals(4, events.size(), r.body());
        String id = events.getFirst().get("id").asText();
        long created = events.getFirst().get("created").asLong();
        for (JsonNode e : events) {
            Set<String> fields = e == events.getLast() // llama-server's timings ride on the last chunk
                    ? Set.of("id", "object", "created", "model", "system_fingerprint", "choices", "timings")
                    : Set.of("id", "object", "created", "model", "system_fingerprint", "choices");
            assertEquals(fields, GenerateEndToEndTest.fields(e));
            assertEquals(id, e.get("id").asText());
            assertEquals(created, e.get("created").asLong());
            assertEquals("chat.completion.chunk", e.get("object").asText());
            assertEquals("scripted", e.get("model").asText());
            assertEquals(1, e.get("choices").size());
        }
        assertEquals(json("{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,"
                + "\"finish_reason\":null}"), choice(events.get(0)));
        assertEquals(json("{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"logprobs\":null,\"finish_reason\":null}"),
                choice(events.get(1)));
        assertEquals(json("{\"index\":0,\"delta\":{\"content\":\" there!\"},\"logprobs\":null,"
                + "\"finish_reason\":null}"), choice(events.get(2)));
        assertEquals(json("{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}"),
                choice(events.get(3)));
    }

    /**
     * llama-server's {@code timings}: every prompt token is either evaluated ({@code prompt_n}) or reused from the
     * cache ({@code cache_n}); the same conversation again reuses all but what must be evaluated for the first
     * token's logits; with {@code include_usage} they ride on the usage chunk, the stream's last.
     */
    @Test
    void timingsCountThePromptAndTheCompletionAsLlamaServerDoes() {
        String fresh = "\"messages\":[{\"role\":\"user\",\"content\":\"Timings, please\"}],\"temperature\":0";
        JsonNode first = chat(fresh).json();
        int prompt = first.get("usage").get("prompt_tokens").asInt();
        JsonNode t = first.get("timings");
        assertEquals(Set.of("cache_n", "prompt_n", "prompt_ms", "prompt_per_token_ms", "prompt_per_second",
                "predicted_n", "predicted_ms", "predicted_per_token_ms", "predicted_per_second"),
                GenerateEndToEndTest.fields(t));
        assertEquals(prompt, t.get("cache_n").asInt() + t.get("prompt_n").asInt(), t.toString());
        assertEquals(2, t.get("predicted_n").asInt());
        assertTrue(t.get("prompt_ms").asDouble() > 0, t.toString());
        assertEquals(t.get("prompt_ms").asDouble() / t.get("prompt_n").asInt(),
                t.get("prompt_per_token_ms").asDouble(), 1e-9);
        // Two tokens, one decode step after the prompt's: per-token time is all of predicted_ms.
        assertEquals(t.get("predicted_ms").asDouble(), t.get("predicted_per_token_ms").asDouble(), 1e-9);

        JsonNode again = chat(fresh).json().get("timings");
        assertTrue(again.get("cache_n").asInt() >= prompt - 1, again.toString());
        assertEquals(prompt, again.get("cache_n").asInt() + again.get("prompt_n").asInt(), again.toString());

        List<JsonNode> events = SseEvents.parse(chat(fresh + ",\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true}").body());
        for (JsonNode e : events.subList(0, events.size() - 1)) {
            assertFalse(e.has("timings"), e.toString());
        }
        JsonNode last = events.getLast().get("timings");
        assertEquals(2, last.get("predicted_n").asInt(), last.toString());
        assertEquals(prompt, last.get("cache_n").asInt() + last.get("prompt_n").asInt(), last.toString());
    }

    @Test
    void includeUsageAddsAFinalChunkWithoutChoices() {
        Http.Response r = chat(HELLO + ",\"temperature\":0,\"stream\":true,\"stream_options\":{\"include_usage\":true}");
        List<JsonNode> events = SseEvents.parse(r.body());
        assertEquals(5, events.size(), r.body());
        for (JsonNode e : events.subList(0, 4)) {
            assertTrue(e.get("usage").isNull(), "usage is null on every chunk but the last: " + e);
        }
        JsonNode last = events.getLast();
        assertEquals(0, last.get("choices").size());
        assertEquals(json("{\"prompt_tokens\":" + promptTokens() + ",\"completion_tokens\":2,\"total_tokens\":"
                + (promptTokens() + 2) + "}"), last.get("usage"));
        assertEquals(events.getFirst().get("id"), last.get("id"));
    }

    @Test
    void nChoicesAreGeneratedTogether() {
        JsonNode o = chat(HELLO + ",\"temperature\":0,\"n\":2").json();
        assertEquals(2, o.get("choices").size());
        for (int i = 0; i < 2; i++) {
            JsonNode c = o.get("choices").get(i);
            assertEquals(i, c.get("index").asInt());
            assertEquals(TestModels.CHAT_COMPLETION, c.get("message").get("content").asText());
            assertEquals("stop", c.get("finish_reason").asText());
        }
        assertEquals(4, o.get("usage").get("completion_tokens").asInt(), "both choices' tokens");
        assertEquals(promptTokens(), o.get("usage").get("prompt_tokens").asInt(), "the prompt counted once");
    }

    @Test
    void nChoicesStreamWithTheirIndex() {
        List<JsonNode> events = SseEvents.parse(chat(HELLO + ",\"temperature\":0,\"n\":2,\"stream\":true").body());
        assertEquals(8, events.size());
        for (int i = 0; i < 2; i++) {
            List<JsonNode> mine = new ArrayList<>();
            for (JsonNode e : events) {
                if (choice(e).get("index").asInt() == i) {
                    mine.add(choice(e));
                }
            }
            assertEquals(4, mine.size());
            assertEquals("assistant", mine.get(0).get("delta").get("role").asText());
            assertEquals("Hi", mine.get(1).get("delta").get("content").asText());
            assertEquals(" there!", mine.get(2).get("delta").get("content").asText());
            assertEquals("stop", mine.get(3).get("finish_reason").asText());
        }
        // Both role chunks come first: each choice opens before any text.
        assertFalse(choice(events.get(0)).get("delta").has("content") && !choice(events.get(0)).get("delta").has("role"));
        assertEquals(0, choice(events.get(0)).get("index").asInt());
        assertEquals(1, choice(events.get(1)).get("index").asInt());
        assertTrue(choice(events.get(1)).get("delta").has("role"));
    }

    @Test
    void maxTokensEndsWithLength() {
        for (String field : List.of("max_tokens", "max_completion_tokens")) {
            JsonNode o = chat(HELLO + ",\"temperature\":0,\"" + field + "\":1").json();
            JsonNode c = o.get("choices").get(0);
            assertEquals("Hi", c.get("message").get("content").asText(), field);
            assertEquals("length", c.get("finish_reason").asText(), field);
            assertEquals(1, o.get("usage").get("completion_tokens").asInt(), field);
        }
        List<JsonNode> events = SseEvents.parse(chat(HELLO + ",\"temperature\":0,\"max_tokens\":1,\"stream\":true")
                .body());
        assertEquals("length", choice(events.getLast()).get("finish_reason").asText());
    }

    @Test
    void stopStringsCutTheAnswer() {
        for (String stop : List.of("\" there\"", "[\"x\",\" the\"]")) {
            JsonNode c = chat(HELLO + ",\"temperature\":0,\"stop\":" + stop).json().get("choices").get(0);
            assertEquals("Hi", c.get("message").get("content").asText(), stop);
            assertEquals("stop", c.get("finish_reason").asText(), stop);
        }
    }

    @Test
    void logprobsPerToken() {
        JsonNode c = chat(HELLO + ",\"temperature\":0,\"logprobs\":true,\"top_logprobs\":2").json()
                .get("choices").get(0);
        JsonNode content = c.get("logprobs").get("content");
        assertTrue(c.get("logprobs").get("refusal").isNull());
        assertEquals(2, content.size());
        assertEquals("Hi", content.get(0).get("token").asText());
        assertEquals(json("[72,105]"), content.get(0).get("bytes"));
        assertEquals(" there!", content.get(1).get("token").asText());
        for (JsonNode lp : content) {
            assertTrue(lp.get("logprob").asDouble() <= 0 && lp.get("logprob").asDouble() > -0.01, lp.toString());
            assertEquals(2, lp.get("top_logprobs").size());
            assertEquals(lp.get("token"), lp.get("top_logprobs").get(0).get("token"), "greedy: the best is chosen");
        }
        List<JsonNode> events = SseEvents.parse(chat(HELLO + ",\"temperature\":0,\"logprobs\":true,\"stream\":true")
                .body());
        assertEquals("Hi", choice(events.get(1)).get("logprobs").get("content").get(0).get("token").asText());
        assertEquals(0, choice(events.get(1)).get("logprobs").get("content").get(0).get("top_logprobs").size());
        assertTrue(choice(events.getLast()).get("logprobs").isNull());
    }

    @Test
    void contentPartsAndDeveloperRole() {
        JsonNode o = chat("\"temperature\":0,\"messages\":[{\"role\":\"developer\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hel\"},{\"type\":\"text\","
                + "\"text\":\"lo\"}]}]").json();
        assertEquals(TestModels.CHAT_COMPLETION, o.get("choices").get(0).get("message").get("content").asText());
    }

    @Test
    void toolCallHistoryIsRendered() {
        JsonNode o = chat("\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"weather?\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"cold\"}]").json();
        assertEquals(TestModels.CHAT_COMPLETION, o.get("choices").get(0).get("message").get("content").asText());
    }

    @Test
    void numCtxExtensionReloadsWithThatContext() {
        chat(HELLO + ",\"temperature\":0,\"max_tokens\":1,\"num_ctx\":512");
        assertEquals(512, server.http.get("/api/ps").json().get("models").get(0).get("context_length").asInt());
        chat(HELLO + ",\"temperature\":0,\"max_tokens\":1,\"options\":{\"num_ctx\":768}");
        assertEquals(768, server.http.get("/api/ps").json().get("models").get(0).get("context_length").asInt());
    }

    @Test
    void modelfileSettingsApplyAndTheNameIsEchoed() {
        // alice/assistant has temperature 0 in its Modelfile: deterministic without the request saying so.
        JsonNode o = server.http.post("/v1/chat/completions", "{\"model\":\"alice/assistant:v1\"," + HELLO + "}")
                .json();
        assertEquals("alice/assistant:v1", o.get("model").asText());
        assertEquals("fp_cdcdcdcdcdcd", o.get("system_fingerprint").asText());
        assertEquals(TestModels.CHAT_COMPLETION, o.get("choices").get(0).get("message").get("content").asText());
    }

    @Test
    void jsonObjectResponseFormatIsEnforced() {
        // Any object: the scripted model, masked to JSON, writes an ever longer key, so max_tokens cuts it; what
        // matters is that the grammar replaced its "Hi there!" from the first token on.
        JsonNode c = chat(HELLO + ",\"temperature\":0,\"max_tokens\":20,\"response_format\":{\"type\":\"json_object\"}")
                .json().get("choices").get(0);
        String text = c.get("message").get("content").asText();
        assertTrue(text.startsWith("{\""), text);
        assertEquals("length", c.get("finish_reason").asText());
        JsonNode plain = chat(HELLO + ",\"temperature\":0,\"response_format\":{\"type\":\"text\"}").json();
        assertEquals(TestModels.CHAT_COMPLETION, plain.get("choices").get(0).get("message").get("content").asText());
    }

    @Test
    void jsonSchemaResponseFormatIsEnforced() throws Exception {
        JsonNode c = chat(HELLO + ",\"temperature\":0,\"max_tokens\":100,\"response_format\":{\"type\":\"json_schema\","
                + "\"json_schema\":{\"name\":\"answer\",\"strict\":true,\"schema\":{\"type\":\"object\",\"properties\":"
                + "{\"ok\":{\"type\":\"boolean\"},\"n\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":9}},"
                + "\"required\":[\"ok\",\"n\"],\"additionalProperties\":false}}}").json().get("choices").get(0);
        JsonNode value = Http.JSON.readTree(c.get("message").get("content").asText());
        assertEquals(Set.of("ok", "n"), GenerateEndToEndTest.fields(value));
        assertTrue(value.get("ok").isBoolean());
        assertTrue(value.get("n").isInt() && value.get("n").asInt() >= 0 && value.get("n").asInt() <= 9);
    }

    private static final String WEATHER = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"description\":\"Weather in a city\",\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":"
            + "{\"type\":\"string\",\"maxLength\":8}},\"required\":[\"city\"]}}}]";

    /**
     * What the scripted model writes when a grammar forces one call of get_weather (its greedy choices masked to the
     * grammar, so deterministic): the arguments of that call.
     */
    private static final String FORCED_ARGUMENTS = "{\"city\" :\n\" one two\"\n}";
    private static final String ONE_CALL = ",\"parallel_tool_calls\":false";

    @Test
    void toolChoiceRequiredForcesACall() throws Exception {
        JsonNode c = chat(HELLO + ",\"temperature\":0," + WEATHER + ",\"tool_choice\":\"required\"" + ONE_CALL).json()
                .get("choices").get(0);
        assertEquals("tool_calls", c.get("finish_reason").asText());
        JsonNode message = c.get("message");
        assertTrue(message.get("content").isNull(), "a reply that only calls tools has null content");
        assertEquals(1, message.get("tool_calls").size());
        JsonNode call = message.get("tool_calls").get(0);
        assertTrue(call.get("id").asText().matches("call_[A-Za-z0-9]+"), call.toString());
        assertEquals("function", call.get("type").asText());
        assertEquals("get_weather", call.get("function").get("name").asText());
        assertEquals(FORCED_ARGUMENTS, call.get("function").get("arguments").asText());
        assertEquals(" one two", Http.JSON.readTree(call.get("function").get("arguments").asText()).get("city")
                .asText());
    }

    @Test
    void toolCallsStreamAsDeltas() {
        List<JsonNode> events = SseEvents.parse(chat(HELLO + ",\"temperature\":0,\"stream\":true," + WEATHER
                + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}" + ONE_CALL).body());
        assertEquals("assistant", choice(events.getFirst()).get("delta").get("role").asText());
        JsonNode start = choice(events.get(1)).get("delta").get("tool_calls").get(0);
        assertEquals(0, start.get("index").asInt());
        assertTrue(start.get("id").asText().startsWith("call_"));
        assertEquals("function", start.get("type").asText());
        assertEquals(json("{\"name\":\"get_weather\",\"arguments\":\"\"}"), start.get("function"));
        StringBuilder arguments = new StringBuilder();
        for (JsonNode e : events.subList(2, events.size() - 1)) {
            JsonNode delta = choice(e).get("delta");
            assertFalse(delta.has("content"), "no content in a forced call: " + e);
            JsonNode entry = delta.get("tool_calls").get(0);
            assertEquals(0, entry.get("index").asInt());
            assertFalse(entry.has("id"), "only the first fragment names the call");
            arguments.append(entry.get("function").get("arguments").asText());
        }
        assertEquals(FORCED_ARGUMENTS, arguments.toString());
        assertEquals(json("{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"tool_calls\"}"),
                choice(events.getLast()));
    }

    @Test
    void withToolChoiceAutoOrNoneTheModelMayJustAnswer() {
        for (String choice : List.of("", ",\"tool_choice\":\"auto\"", ",\"tool_choice\":\"none\"")) {
            JsonNode c = chat(HELLO + ",\"temperature\":0," + WEATHER + choice).json().get("choices").get(0);
            assertEquals(TestModels.CHAT_COMPLETION, c.get("message").get("content").asText(), choice);
            assertFalse(c.get("message").has("tool_calls"), choice);
            assertEquals("stop", c.get("finish_reason").asText(), choice);
        }
        List<JsonNode> events = SseEvents.parse(chat(HELLO + ",\"temperature\":0,\"stream\":true," + WEATHER).body());
        StringBuilder text = new StringBuilder();
        events.forEach(e -> text.append(choice(e).get("delta").path("content").asText("")));
        assertEquals(TestModels.CHAT_COMPLETION, text.toString());
        assertEquals("stop", choice(events.getLast()).get("finish_reason").asText());
    }

    @Test
    void aToolSchemaThatCannotBeEnforcedIsRefused() {
        Http.Response r = chat(HELLO + ",\"tool_choice\":\"required\",\"tools\":[{\"type\":\"function\",\"function\":"
                + "{\"name\":\"f\",\"parameters\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\","
                + "\"pattern\":\"^x$\"}}}}}]");
        assertEquals(400, r.status(), r.body());
        JsonNode e = r.json().get("error");
        assertEquals("tools[0].function.parameters", e.get("param").asText());
        assertTrue(e.get("message").asText().contains("'pattern' is not supported"), e.toString());
    }

    @Test
    void servedWithoutTheV1Prefix() {
        JsonNode o = server.http.post("/chat/completions", "{\"model\":\"scripted\",\"temperature\":0," + HELLO + "}")
                .json();
        assertEquals(TestModels.CHAT_COMPLETION, o.get("choices").get(0).get("message").get("content").asText());
    }

    @Test
    void logitBiasOutsideTheVocabularyIsRefusedBeforeTheStreamBegins() {
        Http.Response r = chat(HELLO + ",\"stream\":true,\"logit_bias\":{\"999999\":1}");
        assertEquals(400, r.status(), r.body());
        assertEquals(json("{\"error\":{\"message\":\"invalid key in \\\"logit_bias\\\": token id 999999 is outside the "
                + "model's vocabulary (0.." + (TestModels.vocabulary().size() - 1) + ")\",\"type\":\"invalid_request_error\",\"param\":\"logit_bias\","
                + "\"code\":null}}"), r.json());
    }

    @Test
    void logitBiasSteersGreedyDecoding() {
        JsonNode o = chat(HELLO + ",\"temperature\":0,\"max_tokens\":1,\"logit_bias\":{\"" + tokenId("Hi")
                + "\":-100}").json();
        assertFalse(o.get("choices").get(0).get("message").get("content").asText().startsWith("Hi"),
                o.toString());
    }

    private static int tokenId(String piece) {
        return TestModels.vocabulary().id(piece);
    }

    private static JsonNode choice(JsonNode event) {
        return event.get("choices").get(0);
    }

    static JsonNode json(String s) {
        try {
            return Http.JSON.readTree(s);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
