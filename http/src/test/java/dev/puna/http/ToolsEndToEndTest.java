package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.runtime.Model;
import dev.puna.runtime.ModelParams;
import dev.puna.runtime.chat.ChatMessage;
import dev.puna.runtime.chat.ChatPrompt;
import dev.puna.runtime.chat.ChatRequest;
import dev.puna.runtime.chat.ToolCall;
import dev.puna.testkit.ScriptedModel;
import dev.puna.testkit.TestModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /api/chat} with {@code tools}, end to end on the tool-calling test model ({@link TestModels#toolCaller}):
 * after any chat prompt it writes {@value TestModels#TOOL_CONTENT} and then a Hermes {@code <tool_call>} block, which
 * the server must turn into {@code message.tool_calls}, streamed and not.
 */
@Timeout(120)
class ToolsEndToEndTest {
    static final String TOOLS = """
            [{"type":"function","function":{"name":"get_weather","description":"Current weather",\
            "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]""";
    private static final String QUESTION = "{\"role\":\"user\",\"content\":\"Weather in Oslo?\"}";
    private static final JsonNode CALL = json("{\"index\":0,\"name\":\"get_weather\",\"arguments\":{\"city\":\"Oslo\"}}");
    private static ScriptedServer server;

    @BeforeAll
    static void start() {
        server = new ScriptedServer(ServerConfig.builder(), 1024);
        server.catalog.add("tools", ScriptedServer.TOOLS_MODEL);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode json(String text) {
        try {
            return Http.JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Http.Response chat(String extra, String messages) {
        return server.http.post("/api/chat", "{\"model\":\"tools\",\"options\":{\"temperature\":0}," + extra
                + "\"messages\":[" + messages + "]}");
    }

    /** Checks one Ollama tool call: a fresh {@code call_} id and the function the script calls. */
    private static void assertCall(JsonNode toolCalls) {
        assertEquals(1, toolCalls.size(), toolCalls.toString());
        JsonNode call = toolCalls.get(0);
        assertEquals(Set.of("id", "function"), GenerateEndToEndTest.fields(call));
        assertTrue(call.get("id").asText().matches("call_[A-Za-z0-9]{24}"), call.toString());
        assertEquals(CALL, call.get("function"));
    }

    @Test
    void aCallComesBackInMessageToolCallsAndTheTextBeforeItAsContent() {
        Http.Response r = chat("\"stream\":false,\"tools\":" + TOOLS + ",", QUESTION);
        assertEquals(200, r.status(), r.body());
        JsonNode o = r.json();
        assertEquals(Set.of("role", "content", "tool_calls"), GenerateEndToEndTest.fields(o.get("message")));
        assertEquals("assistant", o.get("message").get("role").asText());
        assertEquals(TestModels.TOOL_CONTENT, o.get("message").get("content").asText());
        assertCall(o.get("message").get("tool_calls"));
        assertEquals("stop", o.get("done_reason").asText());
        assertEquals(10, o.get("eval_count").asInt());
    }

    @Test
    void streamedContentComesAsItIsWrittenAndTheCallWholeInAChunkOfItsOwn() {
        List<JsonNode> lines = chat("\"tools\":" + TOOLS + ",", QUESTION).lines();
        assertEquals(List.of("Let", " me", " check.", "", ""),
                lines.stream().map(l -> l.get("message").get("content").asText()).toList());
        for (int i = 0; i < lines.size(); i++) {
            assertEquals(i == 3, lines.get(i).get("message").has("tool_calls"), "tool_calls only in chunk 3: " + lines);
            assertEquals(i == 4, lines.get(i).get("done").asBoolean());
        }
        assertEquals(Set.of("model", "created_at", "message", "done"), GenerateEndToEndTest.fields(lines.get(3)));
        assertCall(lines.get(3).get("message").get("tool_calls"));
        JsonNode last = lines.getLast();
        assertEquals("stop", last.get("done_reason").asText());
        assertEquals(10, last.get("eval_count").asInt());
    }

    @Test
    void withoutToolsInTheRequestTheCallIsPlainText() {
        JsonNode o = chat("\"stream\":false,", QUESTION).json();
        assertEquals(TestModels.TOOL_CONTENT + TestModels.TOOL_CALL, o.get("message").get("content").asText());
        assertFalse(o.get("message").has("tool_calls"));
    }

    @Test
    void theNextTurnRendersTheCallAndTheToolResultAfterTheCachedFirstTurn() {
        JsonNode first = chat("\"stream\":false,\"tools\":" + TOOLS + ",", QUESTION).json();
        assertCall(first.get("message").get("tool_calls"));
        String history = QUESTION + ",{\"role\":\"assistant\",\"content\":\"Let me check.\",\"tool_calls\":[{\"id\":"
                + "\"call_1\",\"function\":{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Oslo\"}}}]},"
                + "{\"role\":\"tool\",\"content\":\"cold\",\"tool_name\":\"get_weather\",\"tool_call_id\":\"call_1\"}";
        JsonNode second = chat("\"stream\":false,\"tools\":" + TOOLS + ",", history).json();
        assertEquals(TestModels.TOOL_CONTENT, second.get("message").get("content").asText());
        assertCall(second.get("message").get("tool_calls"));

        // The slot holds turn 1's prompt and the 10 tokens the model wrote; only the rest of turn 2 is evaluated.
        try (Model vocab = Model.load(ScriptedServer.TOOLS_MODEL, ModelParams.builder().vocabOnly(true).build())) {
            List<Map<String, Object>> tools = List.of(Http.JSON.convertValue(json(TOOLS).get(0), Map.class));
            int[] turn1 = tokens(vocab, List.of(ChatMessage.user("Weather in Oslo?")), tools);
            int[] turn2 = tokens(vocab, List.of(ChatMessage.user("Weather in Oslo?"),
                    ChatMessage.assistant("Let me check.", List.of(new ToolCall("call_1", "get_weather",
                            Map.of("city", "Oslo")))),
                    ChatMessage.tool("cold", "call_1", "get_weather")), tools);
            int[] cached = concat(turn1, written(10));
            int common = 0;
            while (common < cached.length && cached[common] == turn2[common]) {
                common++;
            }
            assertTrue(common > turn1.length, "the rendered call shares tokens with the written one: " + common);
            assertEquals(turn2.length - common, second.get("prompt_eval_count").asInt());
        }
    }

    private static int[] tokens(Model vocab, List<ChatMessage> messages, List<Map<String, Object>> tools) {
        ChatPrompt p = vocab.renderChat(ChatRequest.builder(messages).tools(tools).build());
        return vocab.tokenize(p.text(), p.addBos(), true);
    }

    /** The first {@code n} tokens the tool-calling model writes after a chat prompt. */
    private static int[] written(int n) {
        ScriptedModel model = TestModels.toolCallerModel();
        int[] out = new int[n];
        int token = model.vocabulary().id("<0x0A>");
        for (int i = 0; i < n; i++) {
            token = model.successor(token).orElseThrow();
            out[i] = token;
        }
        return out;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void withAFormatTheModelMayCallAToolOrAnswerInTheFormat() {
        // The grammar allows a <tool_call> block or {"answer": "..."} and nothing else: the scripted text "Let me
        // check." is masked, and the model's highest-scoring grammatical tokens spell a call.
        String format = ",\"format\":{\"type\":\"object\",\"properties\":{\"answer\":{\"type\":\"string\",\"maxLength\":8}},"
                + "\"required\":[\"answer\"]},";
        String tools = TOOLS.replace("{\"type\":\"string\"}", "{\"type\":\"string\",\"maxLength\":8}");
        JsonNode o = chat("\"stream\":false,\"tools\":" + tools + format + "\"logprobs\":true,", QUESTION).json();
        assertEquals("", o.get("message").get("content").asText());
        assertCall(o.get("message").get("tool_calls"));
        List<String> written = new ArrayList<>();
        o.get("logprobs").forEach(lp -> written.add(lp.get("token").asText()));
        assertEquals("<tool_call>\n{\"name\" : \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>",
                String.join("", written));
        assertEquals("stop", o.get("done_reason").asText());

        List<JsonNode> lines = chat("\"tools\":" + tools + format, QUESTION).lines();
        assertEquals(2, lines.size(), lines.toString());
        assertCall(lines.get(0).get("message").get("tool_calls"));
        assertEquals("", lines.get(1).get("message").get("content").asText());
        assertTrue(lines.get(1).get("done").asBoolean());
    }

    @Test
    void aToolSchemaIsOnlyEnforcedAndSoOnlyRefusedWhenAFormatNeedsAGrammar() {
        String patterned = TOOLS.replace("{\"type\":\"string\"}", "{\"type\":\"string\",\"pattern\":\"^[A-Z]\"}");
        Http.Response refused = chat("\"stream\":false,\"format\":\"json\",\"tools\":" + patterned + ",", QUESTION);
        assertEquals(400, refused.status());
        assertEquals("{\"error\":\"tools[0].function.parameters: JSON schema feature 'pattern' is not supported "
                + "(at /properties/city/pattern)\"}", refused.body());
        JsonNode shown = chat("\"stream\":false,\"tools\":" + patterned + ",", QUESTION).json();
        assertCall(shown.get("message").get("tool_calls"));
    }
}
