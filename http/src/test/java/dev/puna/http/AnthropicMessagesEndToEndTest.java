package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.runtime.Model;
import dev.puna.runtime.ModelParams;
import dev.puna.runtime.chat.ChatMessage;
import dev.puna.runtime.chat.ChatPrompt;
import dev.puna.runtime.chat.ChatRequest;
import dev.puna.runtime.chat.ToolCall;
import dev.puna.testkit.TestModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /v1/messages} and {@code /v1/messages/count_tokens} end to end over raw HTTP, so that the exact JSON shapes
 * and the SSE framing ({@code event:} names, one {@code data:} line each) are checked: on the scripted model (every
 * chat is answered "Hi there!" in the tokens {@code Hi}, {@code ▁there!}) and the tool-calling model (every chat is
 * answered {@value TestModels#TOOL_CONTENT} and a {@code get_weather} call).
 */
@Timeout(120)
class AnthropicMessagesEndToEndTest {
    static final String TOOLS = "[{\"name\":\"get_weather\",\"description\":\"Current weather\",\"input_schema\":"
            + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}]";
    /** The same tool as the chat template sees it. */
    private static final String CHAT_TOOLS = "[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"description\":\"Current weather\",\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":"
            + "{\"type\":\"string\"}},\"required\":[\"city\"]}}}]";
    private static final String HELLO = "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]";
    private static ScriptedServer server;

    @BeforeAll
    static void start() {
        server = new ScriptedServer(ServerConfig.builder(), 1024);
        server.catalog.add("tools", ScriptedServer.TOOLS_MODEL);
        try {
            server.catalog.add("thinker", TestModels.thinker(ScriptedServer.MODEL.getParent()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static JsonNode json(String text) {
        try {
            return Http.JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Http.Response messages(String model, String fields) {
        return server.http.post("/v1/messages", "{\"model\":\"" + model + "\",\"max_tokens\":64," + fields + "}");
    }

    /** The prompt's tokens as the model's GGUF chat template renders {@code messages} (and tools). */
    static int promptTokens(Path model, List<ChatMessage> messages, String chatTools) {
        try (Model vocab = Model.load(model, ModelParams.builder().vocabOnly(true).build())) {
            List<Map<String, Object>> tools = new ArrayList<>();
            if (chatTools != null) {
                json(chatTools).forEach(t -> tools.add(Http.JSON.convertValue(t, Map.class)));
            }
            ChatPrompt p = vocab.renderChat(ChatRequest.builder(messages).tools(tools).build());
            return vocab.tokenize(p.text(), p.addBos(), true).length;
        }
    }

    /** Anthropic's usage: what was evaluated plus what the KV cache held is the whole prompt. */
    private static void assertUsage(JsonNode usage, int prompt, int output) {
        assertEquals(List.of("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
                "output_tokens"), fieldList(usage));
        assertEquals(prompt, usage.get("input_tokens").asInt() + usage.get("cache_read_input_tokens").asInt(),
                usage.toString());
        assertTrue(usage.get("input_tokens").asInt() >= 1, usage.toString());
        assertEquals(0, usage.get("cache_creation_input_tokens").asInt());
        assertEquals(output, usage.get("output_tokens").asInt());
    }

    @Test
    void aMessageIsAnsweredWithOneTextBlock() {
        Http.Response r = messages("scripted", HELLO + ",\"temperature\":0");
        assertEquals(200, r.status(), r.body());
        assertEquals("application/json; charset=utf-8", r.header("Content-Type"));
        JsonNode o = r.json();
        assertEquals(List.of("id", "type", "role", "model", "content", "stop_reason", "stop_sequence", "usage"),
                fieldList(o));
        assertTrue(o.get("id").asText().matches("msg_[A-Za-z0-9]{24}"), o.get("id").asText());
        assertEquals("message", o.get("type").asText());
        assertEquals("assistant", o.get("role").asText());
        assertEquals("scripted", o.get("model").asText());
        assertEquals(json("[{\"type\":\"text\",\"text\":\"" + TestModels.CHAT_COMPLETION + "\"}]"), o.get("content"));
        assertEquals("end_turn", o.get("stop_reason").asText());
        assertTrue(o.get("stop_sequence").isNull());
        assertUsage(o.get("usage"), promptTokens(ScriptedServer.MODEL, List.of(ChatMessage.user("Hello")), null), 2);
    }

    @Test
    void systemAsAStringOrAsTextBlocksIsTheSameSystemMessage() {
        int expected = promptTokens(ScriptedServer.MODEL, List.of(ChatMessage.system("Be brief.\n\nBe kind."),
                ChatMessage.user("Hello")), null);
        for (String system : List.of("\"Be brief.\\n\\nBe kind.\"", "[{\"type\":\"text\",\"text\":\"Be brief.\"},"
                + "{\"type\":\"text\",\"text\":\"Be kind.\",\"cache_control\":{\"type\":\"ephemeral\"}}]")) {
            Http.Response r = server.http.post("/v1/messages/count_tokens", "{\"model\":\"scripted\",\"system\":"
                    + system + "," + HELLO + "}");
            assertEquals(200, r.status(), r.body());
            assertEquals(json("{\"input_tokens\":" + expected + "}"), r.json());
            JsonNode usage = messages("scripted", "\"system\":" + system + "," + HELLO).json().get("usage");
            assertUsage(usage, expected, 2);
        }
    }

    /** The events of an Anthropic stream, checking the framing: {@code event: <type>}, one data line, a blank line. */
    static List<JsonNode> events(Http.Response r) {
        assertEquals(200, r.status(), r.body());
        assertEquals("text/event-stream; charset=utf-8", r.header("Content-Type"));
        List<JsonNode> out = new ArrayList<>();
        String[] events = r.body().split("\n\n", -1);
        for (int i = 0; i < events.length - 1; i++) {
            String[] lines = events[i].split("\n", -1);
            assertEquals(2, lines.length, "an event is an event line and a data line: " + events[i]);
            assertTrue(lines[0].startsWith("event: ") && lines[1].startsWith("data: "), events[i]);
            JsonNode data = json(lines[1].substring("data: ".length()));
            assertEquals(lines[0].substring("event: ".length()), data.get("type").asText(), events[i]);
            out.add(data);
        }
        assertEquals("", events[events.length - 1], "the stream ends after its last event");
        return out;
    }

    /** The names of an object's fields, in order. */
    static List<String> fieldList(JsonNode o) {
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static List<String> types(List<JsonNode> events) {
        return events.stream().map(e -> e.get("type").asText()).toList();
    }

    @Test
    void aStreamedMessageHasAnthropicsEventSequence() {
        List<JsonNode> events = events(messages("scripted", HELLO + ",\"temperature\":0,\"stream\":true"));
        assertEquals(List.of("message_start", "content_block_start", "ping", "content_block_delta",
                "content_block_delta", "content_block_stop", "message_delta", "message_stop"), types(events));
        JsonNode start = events.getFirst().get("message");
        String id = start.get("id").asText();
        assertTrue(id.matches("msg_[A-Za-z0-9]{24}"), id);
        int prompt = promptTokens(ScriptedServer.MODEL, List.of(ChatMessage.user("Hello")), null);
        assertEquals(json("{\"id\":\"" + id + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"scripted\","
                + "\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":" + prompt
                + ",\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":0}}"), start);
        assertEquals(json("{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\","
                + "\"text\":\"\"}}"), events.get(1));
        assertEquals(json("{\"type\":\"ping\"}"), events.get(2));
        assertEquals(json("{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
                + "\"text\":\"Hi\"}}"), events.get(3));
        assertEquals(json("{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\","
                + "\"text\":\" there!\"}}"), events.get(4));
        assertEquals(json("{\"type\":\"content_block_stop\",\"index\":0}"), events.get(5));
        JsonNode delta = events.get(6);
        assertEquals(json("{\"stop_reason\":\"end_turn\",\"stop_sequence\":null}"), delta.get("delta"));
        assertUsage(delta.get("usage"), prompt, 2);
        assertEquals(json("{\"type\":\"message_stop\"}"), events.get(7));
    }

    @Test
    void maxTokensAndStopSequencesSayWhyTheMessageEnded() {
        JsonNode cut = messages("scripted", HELLO + ",\"temperature\":0,\"max_tokens\":1").json();
        assertEquals(json("[{\"type\":\"text\",\"text\":\"Hi\"}]"), cut.get("content"));
        assertEquals("max_tokens", cut.get("stop_reason").asText());
        assertEquals(1, cut.get("usage").get("output_tokens").asInt());

        JsonNode stopped = messages("scripted", HELLO + ",\"temperature\":0,\"stop_sequences\":[\"nope\",\"there\"]")
                .json();
        assertEquals(json("[{\"type\":\"text\",\"text\":\"Hi \"}]"), stopped.get("content"));
        assertEquals("stop_sequence", stopped.get("stop_reason").asText());
        assertEquals("there", stopped.get("stop_sequence").asText());

        List<JsonNode> events = events(messages("scripted", HELLO
                + ",\"temperature\":0,\"stop_sequences\":[\"there\"],\"stream\":true"));
        assertEquals(json("{\"stop_reason\":\"stop_sequence\",\"stop_sequence\":\"there\"}"),
                events.get(events.size() - 2).get("delta"));
    }

    @Test
    void aToolCallIsAToolUseBlockWithItsInputParsed() {
        JsonNode o = messages("tools", "\"temperature\":0,\"tools\":" + TOOLS + ",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Weather in Oslo?\"}]").json();
        JsonNode content = o.get("content");
        assertEquals(2, content.size(), content.toString());
        assertEquals(json("{\"type\":\"text\",\"text\":\"" + TestModels.TOOL_CONTENT + "\"}"), content.get(0));
        JsonNode use = content.get(1);
        assertEquals(List.of("type", "id", "name", "input"), fieldList(use));
        assertTrue(use.get("id").asText().matches("toolu_[A-Za-z0-9]{24}"), use.toString());
        assertEquals("tool_use", use.get("type").asText());
        assertEquals(TestModels.TOOL_NAME, use.get("name").asText());
        assertEquals(json(TestModels.TOOL_ARGUMENTS), use.get("input"));
        assertEquals("tool_use", o.get("stop_reason").asText());
        assertUsage(o.get("usage"), promptTokens(ScriptedServer.TOOLS_MODEL,
                List.of(ChatMessage.user("Weather in Oslo?")), CHAT_TOOLS), 10);
    }

    @Test
    void aStreamedToolCallIsAToolUseBlockWithInputJsonDeltas() {
        List<JsonNode> events = events(messages("tools", "\"temperature\":0,\"stream\":true,\"tools\":" + TOOLS
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Oslo?\"}]"));
        List<String> types = types(events);
        // The text's three tokens, each a delta; then the call, its arguments in as many deltas as the parser
        // cuts them into.
        int toolStart = 7;
        assertEquals(List.of("message_start", "content_block_start", "ping", "content_block_delta",
                "content_block_delta", "content_block_delta", "content_block_stop", "content_block_start"),
                types.subList(0, toolStart + 1));
        int argumentDeltas = types.size() - toolStart - 4;
        assertTrue(argumentDeltas >= 1, types.toString());
        List<String> rest = new ArrayList<>(java.util.Collections.nCopies(argumentDeltas, "content_block_delta"));
        rest.addAll(List.of("content_block_stop", "message_delta", "message_stop"));
        assertEquals(rest, types.subList(toolStart + 1, types.size()));
        StringBuilder text = new StringBuilder();
        StringBuilder json = new StringBuilder();
        for (JsonNode e : events) {
            if (e.get("type").asText().equals("content_block_delta")) {
                JsonNode d = e.get("delta");
                if (e.get("index").asInt() == 0) {
                    assertEquals("text_delta", d.get("type").asText());
                    text.append(d.get("text").asText());
                } else {
                    assertEquals(1, e.get("index").asInt());
                    assertEquals("input_json_delta", d.get("type").asText(), d.toString());
                    json.append(d.get("partial_json").asText());
                }
            }
        }
        assertEquals(TestModels.TOOL_CONTENT, text.toString());
        assertEquals(json(TestModels.TOOL_ARGUMENTS), json(json.toString()));
        JsonNode block = events.get(toolStart).get("content_block");
        assertEquals(1, events.get(toolStart).get("index").asInt());
        assertTrue(block.get("id").asText().matches("toolu_[A-Za-z0-9]{24}"), block.toString());
        assertEquals(json("{\"type\":\"tool_use\",\"id\":\"" + block.get("id").asText() + "\",\"name\":"
                + "\"get_weather\",\"input\":{}}"), block);
        assertEquals("tool_use", events.get(events.size() - 2).get("delta").get("stop_reason").asText());
    }

    @Test
    void aToolResultGoesBackToTheTemplateAsTheToolsMessage() {
        String history = "\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Oslo?\"},{\"role\":\"assistant\","
                + "\"content\":[{\"type\":\"text\",\"text\":\"Let me check.\"},{\"type\":\"tool_use\",\"id\":"
                + "\"toolu_1\",\"name\":\"get_weather\",\"input\":{\"city\":\"Oslo\"}}]},{\"role\":\"user\","
                + "\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":[{\"type\":"
                + "\"text\",\"text\":\"cold\"}]}]}]";
        int expected = promptTokens(ScriptedServer.TOOLS_MODEL, List.of(ChatMessage.user("Weather in Oslo?"),
                ChatMessage.assistant("Let me check.", List.of(new ToolCall("toolu_1", "get_weather",
                        Map.of("city", "Oslo")))), ChatMessage.tool("cold", "toolu_1", "get_weather")), CHAT_TOOLS);
        Http.Response counted = server.http.post("/v1/messages/count_tokens", "{\"model\":\"tools\",\"tools\":"
                + TOOLS + "," + history + "}");
        assertEquals(json("{\"input_tokens\":" + expected + "}"), counted.json());
        JsonNode o = messages("tools", "\"temperature\":0,\"tools\":" + TOOLS + "," + history).json();
        assertUsage(o.get("usage"), expected, 10);
        // An error result is marked as one for the model.
        int errored = promptTokens(ScriptedServer.TOOLS_MODEL, List.of(ChatMessage.user("Weather in Oslo?"),
                ChatMessage.assistant("Let me check.", List.of(new ToolCall("toolu_1", "get_weather",
                        Map.of("city", "Oslo")))), ChatMessage.tool("Error: cold", "toolu_1", "get_weather")),
                CHAT_TOOLS);
        assertEquals(json("{\"input_tokens\":" + errored + "}"), server.http.post("/v1/messages/count_tokens",
                "{\"model\":\"tools\",\"tools\":" + TOOLS + "," + history.replace("\"tool_use_id\":\"toolu_1\",",
                        "\"tool_use_id\":\"toolu_1\",\"is_error\":true,") + "}").json());
    }

    @Test
    void toolChoiceAnyOrAToolForcesTheCall() {
        // As on /v1/chat/completions: the scripted model's greedy choices masked to the grammar of one call.
        String tools = "[{\"name\":\"get_weather\",\"input_schema\":{\"type\":\"object\",\"properties\":"
                + "{\"city\":{\"type\":\"string\",\"maxLength\":8}},\"required\":[\"city\"]}}]";
        for (String choice : List.of("{\"type\":\"any\",\"disable_parallel_tool_use\":true}",
                "{\"type\":\"tool\",\"name\":\"get_weather\",\"disable_parallel_tool_use\":true}")) {
            JsonNode o = messages("scripted", HELLO + ",\"temperature\":0,\"tools\":" + tools + ",\"tool_choice\":"
                    + choice).json();
            JsonNode content = o.get("content");
            assertEquals(1, content.size(), o.toString());
            assertEquals("get_weather", content.get(0).get("name").asText(), choice);
            assertEquals(json("{\"city\":\" one two\"}"), content.get(0).get("input"), choice);
            assertEquals("tool_use", o.get("stop_reason").asText(), choice);
        }
    }

    @Test
    void toolChoiceNoneLeavesTheToolsOutOfThePrompt() {
        int expected = promptTokens(ScriptedServer.TOOLS_MODEL, List.of(ChatMessage.user("Weather in Oslo?")), null);
        Http.Response r = server.http.post("/v1/messages/count_tokens", "{\"model\":\"tools\",\"tools\":" + TOOLS
                + ",\"tool_choice\":{\"type\":\"none\"},\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"Weather in Oslo?\"}]}");
        assertEquals(json("{\"input_tokens\":" + expected + "}"), r.json());
    }

    private static final String THINK = "{\"model\":\"thinker\",\"max_tokens\":2048,\"temperature\":0,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"2+2?\"}]";

    @Test
    void aThinkingModelsReasoningIsAThinkingBlock() {
        for (String thinking : List.of("", ",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024}")) {
            JsonNode o = server.http.post("/v1/messages", THINK + thinking + "}").json();
            assertEquals(json("[{\"type\":\"thinking\",\"thinking\":\"" + TestModels.THINKING + "\",\"signature\":\"\"},"
                    + "{\"type\":\"text\",\"text\":\"" + TestModels.THOUGHT_ANSWER + "\"}]"), o.get("content"), thinking);
            assertEquals("end_turn", o.get("stop_reason").asText());
        }
        // Disabled, the template closes an empty block for the model, which answers at once.
        JsonNode o = server.http.post("/v1/messages", THINK + ",\"thinking\":{\"type\":\"disabled\"}}").json();
        assertEquals(json("[{\"type\":\"text\",\"text\":\"" + TestModels.THOUGHT_ANSWER + "\"}]"), o.get("content"));
        // A turn's reasoning goes back to the template.
        int with = server.http.post("/v1/messages/count_tokens", "{\"model\":\"thinker\",\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"2+2?\"},{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\","
                + "\"thinking\":\"Let me think.\",\"signature\":\"\"},{\"type\":\"text\",\"text\":\"4\"}]},{\"role\":"
                + "\"user\",\"content\":\"3+3?\"}]}").json().get("input_tokens").asInt();
        int without = server.http.post("/v1/messages/count_tokens", "{\"model\":\"thinker\",\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"2+2?\"},{\"role\":\"assistant\",\"content\":\"4\"},{\"role\":"
                + "\"user\",\"content\":\"3+3?\"}]}").json().get("input_tokens").asInt();
        assertEquals(5, with - without, "<think>, Let, me, think., </think>");
    }

    @Test
    void aStreamedThinkingBlockEndsWithItsSignature() {
        List<JsonNode> events = events(server.http.post("/v1/messages", THINK + ",\"stream\":true}"));
        assertEquals(List.of("message_start", "content_block_start", "ping", "content_block_delta",
                "content_block_delta", "content_block_delta", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_delta", "content_block_delta",
                "content_block_delta", "content_block_stop", "message_delta", "message_stop"), types(events));
        assertEquals(json("{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":"
                + "\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}"), events.get(1));
        StringBuilder thought = new StringBuilder();
        for (JsonNode e : events.subList(3, 6)) {
            assertEquals("thinking_delta", e.get("delta").get("type").asText(), e.toString());
            thought.append(e.get("delta").get("thinking").asText());
        }
        assertEquals(TestModels.THINKING, thought.toString());
        assertEquals(json("{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\","
                + "\"signature\":\"\"}}"), events.get(6));
        assertEquals(json("{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\","
                + "\"text\":\"\"}}"), events.get(8));
    }

    private static void assertError(Http.Response r, int status, String type, String message) {
        assertEquals(status, r.status(), r.body());
        ObjectNode expected = Http.JSON.createObjectNode().put("type", "error");
        expected.putObject("error").put("type", type).put("message", message);
        assertEquals(expected, r.json());
    }

    @Test
    void badRequestsAreAnthropicErrors() {
        assertError(server.http.post("/v1/messages", "{\"model\":\"scripted\"," + HELLO + "}"), 400,
                "invalid_request_error", "max_tokens: Field required");
        assertError(messages("scripted", "\"messages\":[{\"role\":\"system\",\"content\":\"x\"}]"), 400,
                "invalid_request_error", "messages[0].role: expected \"user\" or \"assistant\", got \"system\"");
        assertError(messages("nonexistent-model", HELLO), 404, "not_found_error",
                "model 'nonexistent-model' not found");
        assertError(server.http.post("/v1/messages", "{\"max_tokens\":5," + HELLO + "}"), 400,
                "invalid_request_error", "model is required");
        assertError(messages("scripted", "\"messages\":[]"), 400, "invalid_request_error",
                "messages: at least one message is required");
        assertError(messages("scripted", HELLO + ",\"temperature\":1.5"), 400, "invalid_request_error",
                "temperature: must be between 0 and 1, got 1.5");
        assertError(messages("scripted", HELLO + ",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024}"),
                400, "invalid_request_error", "thinking.budget_tokens: must be less than max_tokens (64), got 1024");
        assertError(server.http.post("/v1/messages", "{\"model\":\"scripted\",\"max_tokens\":2048,\"thinking\":"
                + "{\"type\":\"enabled\",\"budget_tokens\":1024}," + HELLO + "}"), 400, "invalid_request_error",
                "\"scripted\" does not support thinking");
        assertError(messages("scripted", "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
                + "\"tool_use_id\":\"toolu_x\",\"content\":\"x\"}]}]"), 400, "invalid_request_error",
                "messages[0].content[0].tool_use_id: no tool_use block with id 'toolu_x' comes before this "
                        + "tool_result");
        assertError(messages("scripted", HELLO + ",\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"web\"}]"),
                400, "invalid_request_error", "tools[0].type: server tools (\"web_search_20250305\") are not "
                        + "supported: declare client tools with name, description and input_schema");
        assertError(messages("scripted", HELLO + ",\"tools\":" + TOOLS + ",\"tool_choice\":{\"type\":\"tool\","
                + "\"name\":\"other\"}"), 400, "invalid_request_error",
                "tool_choice names the tool 'other', which is not among the tools");
        assertError(server.http.method("GET", "/v1/messages", null), 405, "invalid_request_error",
                "405 method not allowed: GET /v1/messages");
        assertError(server.http.post("/v1/messages/nonexistent", "{}"), 404, "not_found_error",
                "404 page not found: POST /v1/messages/nonexistent");
        assertError(server.http.post("/v1/messages", "{\"model\":"), 400, "invalid_request_error",
                "invalid JSON in request body: Unexpected end-of-input within/between Object entries (line 1, "
                        + "column 10)");
    }

    @Test
    void aLastAssistantMessageIsAPrefillTheReplyContinues() {
        int expected;
        try (Model vocab = Model.load(ScriptedServer.MODEL, ModelParams.builder().vocabOnly(true).build())) {
            ChatPrompt p = vocab.renderChat(ChatRequest.builder(List.of(ChatMessage.user("Hello"))).build());
            expected = vocab.tokenize(p.text() + "Well:\n", p.addBos(), true).length;
        }
        String history = "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"},{\"role\":\"assistant\","
                + "\"content\":[{\"type\":\"text\",\"text\":\"Well:\\n\"}]}]";
        assertEquals(json("{\"input_tokens\":" + expected + "}"), server.http.post("/v1/messages/count_tokens",
                "{\"model\":\"scripted\"," + history + "}").json());
        // The scripted model answers whatever ends in a newline; only the continuation comes back.
        JsonNode o = messages("scripted", "\"temperature\":0," + history).json();
        assertEquals(json("[{\"type\":\"text\",\"text\":\"" + TestModels.CHAT_COMPLETION + "\"}]"), o.get("content"));
        assertUsage(o.get("usage"), expected, 2);
    }

    @Test
    void aPromptLongerThanTheContextIsRefusedNotCut() {
        Http.Response r = messages("scripted", "\"messages\":[{\"role\":\"user\",\"content\":\""
                + "one ".repeat(1100) + "\"}]");
        int prompt = promptTokens(ScriptedServer.MODEL, List.of(ChatMessage.user("one ".repeat(1100))), null);
        assertError(r, 400, "invalid_request_error", "the prompt is " + prompt + " tokens, which exceeds the context "
                + "size of 1024 tokens (num_ctx); shorten the prompt or raise num_ctx");
    }

    @Test
    void imageBlocksAreReadThenRefusedWithoutAVisionProjector() throws Exception {
        String png = VisionEndToEndTest.png(1);
        assertError(messages("scripted", "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":"
                + "\"What is this?\"},{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":"
                + "\"image/png\",\"data\":\"" + png + "\"}}]}]"), 400, "invalid_request_error",
                "model 'scripted' does not support images: it has no vision projector");
        assertError(messages("scripted", "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\","
                + "\"source\":{\"type\":\"url\",\"url\":\"https://example.com/a.png\"}}]}]"), 400,
                "invalid_request_error", "messages[0].content[0].source: remote images are not fetched by this "
                        + "server; send the image as {\"type\": \"base64\", \"media_type\": ..., \"data\": ...}");
        assertError(messages("scripted", "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\","
                + "\"source\":{\"type\":\"base64\",\"media_type\":\"image/bmp\",\"data\":\"" + png + "\"}}]}]"), 400,
                "invalid_request_error", "messages[0].content[0].source.media_type: expected \"image/jpeg\", "
                        + "\"image/png\", \"image/gif\" or \"image/webp\", got \"image/bmp\"");
        assertError(messages("scripted", "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\","
                + "\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"not base64!\"}}]}]"), 400,
                "invalid_request_error", "messages[0].content[0].source.data: not valid base64");
    }
}
