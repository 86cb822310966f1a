package dev.puna.http.internal.ollama;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.CatalogModel;
import dev.puna.http.ModelDetails;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.output.OutputPlan;
import dev.puna.runtime.Model;
import dev.puna.runtime.ModelParams;
import dev.puna.runtime.chat.ChatMessage;
import dev.puna.runtime.chat.ToolCall;
import dev.puna.runtime.tools.ToolCallFormat;
import dev.puna.runtime.tools.ToolChoice;
import dev.puna.testkit.TestModels;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How {@code /api/chat} turns a request with tools and a tool-call history into what the chat template renders: the
 * exact prompt of the tool-calling test model's Hermes-style template (rendered by the runtime's Jinja engine, on a
 * vocabulary-only load: no weights, no generation).
 */
class ChatRouteTest {
    private static final String TOOLS = """
            [{"type":"function","function":{"name":"get_weather","description":"Current weather",\
            "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]""";
    private static Model model;
    private static CatalogModel entry;

    @BeforeAll
    static void load() throws Exception {
        Path file = TestModels.toolCaller(Path.of("target", "test-models").toAbsolutePath());
        model = Model.load(file, ModelParams.builder().vocabOnly(true).build());
        entry = CatalogModel.ofFile("tools:latest", file, "", 1, Instant.EPOCH,
                new ModelDetails("", "gguf", "llama", List.of("llama"), "", "F32"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static ChatRoute.Request read(String json) {
        return ChatRoute.read(JsonBody.parse(Buffer.buffer(json)));
    }

    private static String render(ChatRoute.Request req) {
        OutputPlan plan = OutputPlan.forChat(model.info().chatTemplate().orElseThrow(), req.toolsJson(), req.tools(),
                ToolChoice.auto(), true, req.format());
        return model.renderChat(ChatRoute.chatRequest(entry, req, plan)).text();
    }

    @Test
    void toolsAndAToolCallHistoryReachTheTemplate() {
        ChatRoute.Request req = read("""
                {"model":"tools","tools":%s,"messages":[
                 {"role":"system","content":"You are terse."},
                 {"role":"user","content":"Weather in Oslo?"},
                 {"role":"assistant","content":"Let me check.","tool_calls":[{"id":"call_1","function":{"index":0,
                  "name":"get_weather","arguments":{"city":"Oslo"}}}]},
                 {"role":"tool","content":"cold","tool_name":"get_weather","tool_call_id":"call_1"}]}""".formatted(TOOLS));

        assertEquals(List.of(ChatMessage.system("You are terse."), ChatMessage.user("Weather in Oslo?"),
                ChatMessage.assistant("Let me check.", List.of(new ToolCall("call_1", "get_weather",
                        Map.of("city", "Oslo")))),
                ChatMessage.tool("cold", "call_1", "get_weather")), req.messages());
        assertEquals(ToolCallFormat.HERMES, ToolCallFormat.detect(model.info().chatTemplate().orElseThrow()));
        assertEquals("""
                <|im_start|>system
                You are terse.

                # Tools

                <tools>
                {"type": "function", "function": {"name": "get_weather", "description": "Current weather", \
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
                </tools>

                Call a function with <tool_call>{"name": ..., "arguments": {...}}</tool_call>.<|im_end|>
                <|im_start|>user
                Weather in Oslo?<|im_end|>
                <|im_start|>assistant
                Let me check.<tool_call>{"name": "get_weather", "arguments": {"city": "Oslo"}}</tool_call><|im_end|>
                <|im_start|>user
                <tool_response>get_weather: cold</tool_response><|im_end|>
                <|im_start|>assistant
                """, render(req));
    }

    @Test
    void withoutToolsTheTemplateListsNone() {
        ChatRoute.Request req = read("""
                {"model":"tools","messages":[{"role":"user","content":"Hi"}]}""");
        assertEquals("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", render(req));
    }

    @Test
    void theModelfileSystemPromptComesFirstWhenTheRequestHasNone() {
        CatalogModel withSystem = new CatalogModel("tools:latest", entry.path(), "", 1, Instant.EPOCH, entry.details(),
                null, "Be brief.", Map.of(), null, null);
        ChatRoute.Request req = read("""
                {"model":"tools","tools":%s,"messages":[{"role":"user","content":"Hi"}]}""".formatted(TOOLS));
        OutputPlan plan = OutputPlan.forChat(model.info().chatTemplate().orElseThrow(), req.toolsJson(), req.tools(),
                ToolChoice.auto(), true, req.format());
        String text = model.renderChat(ChatRoute.chatRequest(withSystem, req, plan)).text();
        assertEquals("<|im_start|>system\nBe brief.\n\n# Tools\n\n<tools>", text.substring(0, text.indexOf("\n{")));
    }

    @Test
    void argumentsKeepTheirOrderAndTypes() {
        ChatRoute.Request req = read("""
                {"model":"tools","messages":[{"role":"assistant","content":"","tool_calls":[{"function":{
                 "name":"f","arguments":{"z":1,"a":[true,null],"m":{"k":"v"}}}}]}]}""");
        ObjectNode expected = (ObjectNode) JsonBody.MAPPER.valueToTree(Map.of());
        expected.put("z", 1).putArray("a").add(true).addNull();
        expected.putObject("m").put("k", "v");
        ToolCall call = req.messages().getFirst().toolCalls().getFirst();
        assertEquals(null, call.id());
        assertEquals(List.of("z", "a", "m"), List.copyOf(call.arguments().keySet()));
        assertEquals(expected, JsonBody.MAPPER.valueToTree(call.arguments()));
    }
}
