package dev.puna.http.internal.gotemplate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.runtime.chat.ChatMessage;
import dev.puna.runtime.chat.ToolCall;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Ollama's prompt templates as they are in its library (src/test/resources/templates: llama3.2 with tools,
 * qwen2.5 with tools, mistral v0.3 with tools, gemma3, gemma (an older template without .Messages, run turn by
 * turn) and deepseek-r1 with thinking), each rendered over the same conversations, with the exact prompts
 * Ollama's template package renders for them.
 */
class OllamaTemplateTest {
    private static final OllamaTemplate.Think UNSET = OllamaTemplate.Think.UNSET;
    private static final OllamaTemplate.Think NO_THINK = new OllamaTemplate.Think(false, "", true);
    private static final OllamaTemplate.Think THINK = new OllamaTemplate.Think(true, "", true);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-02T10:00:00Z"), ZoneOffset.UTC);

    /** A system prompt, a question, a tool call (no text) and its result: the model answers next. */
    private static final List<ChatMessage> TOOL_CONVERSATION = List.of(
            ChatMessage.system("Be terse."),
            ChatMessage.user("Weather in Oslo?"),
            ChatMessage.assistant(null, List.of(new ToolCall("c1", "get_weather", arguments()))),
            ChatMessage.tool("{\"temp\": -3}", "c1", "get_weather"));

    private static final List<ChatMessage> CHAT = List.of(ChatMessage.system("Be terse."), ChatMessage.user("Hi"),
            ChatMessage.assistant("Hello!"), ChatMessage.user("How are you?"));

    private static final List<ChatMessage> THINKING_HISTORY = List.of(ChatMessage.user("Hi"),
            new ChatMessage("assistant", "Hello!", List.of(), null, null, "greet back"), ChatMessage.user("2+2?"));

    /** Arguments in the order the model wrote them; Go's JSON sorts them. */
    private static Map<String, Object> arguments() {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("unit", "celsius");
        args.put("city", "Oslo");
        return args;
    }

    /** An OpenAI-shaped tool whose text needs Go's HTML-safe JSON escaping and whose properties are unsorted. */
    static Map<String, Object> weatherTool() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("unit", Map.of("type", "string", "enum", List.of("celsius", "fahrenheit")));
        props.put("city", Map.of("type", "string", "description", "City & country"));
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("type", "object");
        params.put("properties", props);
        params.put("required", List.of("city"));
        Map<String, Object> fn = new LinkedHashMap<>();
        fn.put("name", "get_weather");
        fn.put("description", "Get the <current> weather");
        fn.put("parameters", params);
        Map<String, Object> tool = new LinkedHashMap<>();
        tool.put("type", "function");
        tool.put("function", fn);
        return tool;
    }

    static String source(String name) {
        try {
            return Files.readString(Path.of("src/test/resources/templates/" + name + ".gotmpl"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String render(String name, List<ChatMessage> messages, List<Map<String, Object>> tools,
                                 OllamaTemplate.Think think) {
        return OllamaTemplate.parse(source(name)).render(messages, tools, think, CLOCK);
    }

    @Test
    void llama32WithToolsAndAToolCallHistory() {
        assertEquals("""
                <|start_header_id|>system<|end_header_id|>

                Cutting Knowledge Date: December 2023

                Be terse.When you receive a tool call response, use the output to format an answer to the orginal user question.

                You are a helpful assistant with tool calling capabilities.<|eot_id|><|start_header_id|>user<|end_header_id|>

                Weather in Oslo?<|eot_id|><|start_header_id|>assistant<|end_header_id|>

                {"name": "get_weather", "parameters": {"city":"Oslo","unit":"celsius"}}<|eot_id|><|start_header_id|>ipython<|end_header_id|>

                {"temp": -3}<|eot_id|><|start_header_id|>assistant<|end_header_id|>

                """, render("llama3.2", TOOL_CONVERSATION, List.of(weatherTool()), UNSET));
    }

    @Test
    void llama32MultiTurnWithSystem() {
        assertEquals("""
                <|start_header_id|>system<|end_header_id|>

                Cutting Knowledge Date: December 2023

                Be terse.<|eot_id|><|start_header_id|>user<|end_header_id|>

                Hi<|eot_id|><|start_header_id|>assistant<|end_header_id|>

                Hello!<|eot_id|><|start_header_id|>user<|end_header_id|>

                How are you?<|eot_id|><|start_header_id|>assistant<|end_header_id|>

                """, render("llama3.2", CHAT, List.of(), UNSET));
    }

    @Test
    void llama32ThinkFalseWithReasoningInTheHistory() {
        assertEquals("""
                <|start_header_id|>system<|end_header_id|>

                Cutting Knowledge Date: December 2023

                <|eot_id|><|start_header_id|>user<|end_header_id|>

                Hi<|eot_id|><|start_header_id|>assistant<|end_header_id|>

                Hello!<|eot_id|><|start_header_id|>user<|end_header_id|>

                2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>

                """, render("llama3.2", THINKING_HISTORY, List.of(), NO_THINK));
    }

    @Test
    void qwen25WithToolsAndAToolCallHistory() {
        assertEquals("""
                <|im_start|>system
                Be terse.

                # Tools

                You may call one or more functions to assist with the user query.

                You are provided with function signatures within <tools></tools> XML tags:
                <tools>
                {"type": "function", "function": {"name":"get_weather","description":"Get the \\u003ccurrent\\u003e weather","parameters":{"type":"object","required":["city"],"properties":{"city":{"type":"string","description":"City \\u0026 country"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}}}}}
                </tools>

                For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:
                <tool_call>
                {"name": <function-name>, "arguments": <args-json-object>}
                </tool_call><|im_end|>
                <|im_start|>user
                Weather in Oslo?<|im_end|>
                <|im_start|>assistant
                <tool_call>
                {"name": "get_weather", "arguments": {"city":"Oslo","unit":"celsius"}}
                </tool_call><|im_end|>
                <|im_start|>user
                <tool_response>
                {"temp": -3}
                </tool_response><|im_end|>
                <|im_start|>assistant
                """, render("qwen2.5", TOOL_CONVERSATION, List.of(weatherTool()), UNSET));
    }

    @Test
    void qwen25MultiTurnWithSystem() {
        assertEquals("""
                <|im_start|>system
                Be terse.<|im_end|>
                <|im_start|>user
                Hi<|im_end|>
                <|im_start|>assistant
                Hello!<|im_end|>
                <|im_start|>user
                How are you?<|im_end|>
                <|im_start|>assistant
                """, render("qwen2.5", CHAT, List.of(), UNSET));
    }

    @Test
    void qwen25ThinkFalseWithReasoningInTheHistory() {
        assertEquals("""
                <|im_start|>user
                Hi<|im_end|>
                <|im_start|>assistant
                Hello!<|im_end|>
                <|im_start|>user
                2+2?<|im_end|>
                <|im_start|>assistant
                """, render("qwen2.5", THINKING_HISTORY, List.of(), NO_THINK));
    }

    @Test
    void mistralWithToolsAndAToolCallHistory() {
        assertEquals("""
                [INST] Weather in Oslo?[/INST][TOOL_CALLS] [{"name": "get_weather", "arguments": {"city":"Oslo","unit":"celsius"}}]</s>[TOOL_RESULTS] {"content": {"temp": -3}}[/TOOL_RESULTS]\
                """, render("mistral", TOOL_CONVERSATION, List.of(weatherTool()), UNSET));
    }

    @Test
    void mistralMultiTurnWithSystem() {
        assertEquals("""
                [INST] Hi[/INST] Hello!</s>[INST] Be terse.

                How are you?[/INST]\
                """, render("mistral", CHAT, List.of(), UNSET));
    }

    @Test
    void mistralThinkFalseWithReasoningInTheHistory() {
        assertEquals("""
                [INST] Hi[/INST] Hello!</s>[INST] 2+2?[/INST]\
                """, render("mistral", THINKING_HISTORY, List.of(), NO_THINK));
    }

    @Test
    void gemma3WithToolsAndAToolCallHistory() {
        assertEquals("""
                <start_of_turn>user
                Be terse.<end_of_turn>
                <start_of_turn>user
                Weather in Oslo?<end_of_turn>
                <start_of_turn>model
                <end_of_turn>
                """, render("gemma3", TOOL_CONVERSATION, List.of(weatherTool()), UNSET));
    }

    @Test
    void gemma3MultiTurnWithSystem() {
        assertEquals("""
                <start_of_turn>user
                Be terse.<end_of_turn>
                <start_of_turn>user
                Hi<end_of_turn>
                <start_of_turn>model
                Hello!<end_of_turn>
                <start_of_turn>user
                How are you?<end_of_turn>
                <start_of_turn>model
                """, render("gemma3", CHAT, List.of(), UNSET));
    }

    @Test
    void gemma3ThinkFalseWithReasoningInTheHistory() {
        assertEquals("""
                <start_of_turn>user
                Hi<end_of_turn>
                <start_of_turn>model
                Hello!<end_of_turn>
                <start_of_turn>user
                2+2?<end_of_turn>
                <start_of_turn>model
                """, render("gemma3", THINKING_HISTORY, List.of(), NO_THINK));
    }

    @Test
    void gemmaWithToolsAndAToolCallHistory() {
        assertEquals("""
                <start_of_turn>user
                Be terse. Weather in Oslo?<end_of_turn>
                <start_of_turn>model
                """, render("gemma", TOOL_CONVERSATION, List.of(weatherTool()), UNSET));
    }

    @Test
    void gemmaMultiTurnWithSystem() {
        assertEquals("""
                <start_of_turn>user
                Be terse. Hi<end_of_turn>
                <start_of_turn>model
                Hello!<end_of_turn>
                <start_of_turn>user
                How are you?<end_of_turn>
                <start_of_turn>model
                """, render("gemma", CHAT, List.of(), UNSET));
    }

    @Test
    void gemmaThinkFalseWithReasoningInTheHistory() {
        assertEquals("""
                <start_of_turn>user
                Hi<end_of_turn>
                <start_of_turn>model
                Hello!<end_of_turn>
                <start_of_turn>user
                2+2?<end_of_turn>
                <start_of_turn>model
                """, render("gemma", THINKING_HISTORY, List.of(), NO_THINK));
    }

    @Test
    void deepseekR1WithToolsAndAToolCallHistory() {
        assertEquals("""
                Be terse.<｜User｜>Weather in Oslo?<｜Assistant｜><｜end▁of▁sentence｜><｜Assistant｜>\
                """, render("deepseek-r1", TOOL_CONVERSATION, List.of(weatherTool()), UNSET));
    }

    @Test
    void deepseekR1MultiTurnWithSystem() {
        assertEquals("""
                Be terse.<｜User｜>Hi<｜Assistant｜>Hello!<｜end▁of▁sentence｜><｜User｜>How are you?<｜Assistant｜>\
                """, render("deepseek-r1", CHAT, List.of(), UNSET));
    }

    @Test
    void deepseekR1ThinkFalseWithReasoningInTheHistory() {
        assertEquals("""
                <｜User｜>Hi<｜Assistant｜>Hello!<｜end▁of▁sentence｜><｜User｜>2+2?<｜Assistant｜><think>

                </think>

                """, render("deepseek-r1", THINKING_HISTORY, List.of(), NO_THINK));
    }

    @Test
    void deepseekR1ShowsTheLastTurnsReasoningWhenThinkIsSet() {
        List<ChatMessage> continuing = List.of(ChatMessage.user("2+2?"),
                new ChatMessage("assistant", "", List.of(), null, null, "2 and 2 make 4."));
        assertEquals("<｜User｜>2+2?<｜Assistant｜><think>\n2 and 2 make 4.\n</think>",
                render("deepseek-r1", continuing, List.of(), THINK));
        assertEquals("<｜User｜>2+2?<｜Assistant｜>", render("deepseek-r1", continuing, List.of(), UNSET));
    }

    @Test
    void capabilitiesFollowTheTemplate() {
        assertEquals(new OllamaTemplate.ThinkingTags("<think>", "</think>"),
                OllamaTemplate.parse(source("deepseek-r1")).thinkingTags().orElseThrow());
        for (String name : List.of("llama3.2", "qwen2.5", "mistral", "gemma3", "gemma")) {
            assertTrue(OllamaTemplate.parse(source(name)).thinkingTags().isEmpty(), name);
        }
        assertTrue(OllamaTemplate.parse(source("qwen2.5")).rendersTools());
        assertFalse(OllamaTemplate.parse(source("gemma3")).rendersTools());
        assertTrue(OllamaTemplate.parse("<PRE> {{ .Prompt }} <SUF>{{ .Suffix }} <MID>").rendersSuffix());
        assertEquals("<PRE> def f( <SUF>): <MID>", OllamaTemplate.parse("<PRE> {{ .Prompt }} <SUF>{{ .Suffix }} <MID>")
                .renderInsert("def f(", "):", UNSET, CLOCK));
    }

    @Test
    void consecutiveMessagesOfOneRoleAreJoinedAndSystemMessagesGatheredAsOllamaCollates() {
        OllamaTemplate t = OllamaTemplate.parse(
                "[{{ .System }}]{{ range .Messages }}<{{ .Role }}:{{ .Content }}>{{ end }}");
        assertEquals("[a\n\nb\n\nc]<system:a\n\nb><user:x\n\ny><assistant:z><system:c>", t.render(List.of(
                ChatMessage.system("a"), ChatMessage.system("b"), ChatMessage.user("x"), ChatMessage.user("y"),
                ChatMessage.assistant("z"), ChatMessage.system("c")), List.of(), UNSET, CLOCK));
    }

    @Test
    void currentDateThinkLevelAndIsThinkSetReachTheTemplate() {
        OllamaTemplate t = OllamaTemplate.parse("{{ currentDate }}|{{ .Think }}|{{ .ThinkLevel }}|{{ .IsThinkSet }}"
                + "{{ range .Messages }}|{{ .Content }}{{ end }}");
        assertEquals("2026-12-02|true|high|true|hi", t.render(List.of(ChatMessage.user("hi")), List.of(),
                new OllamaTemplate.Think(true, "high", true), CLOCK));
        assertEquals("2026-12-02|false||false|hi", t.render(List.of(ChatMessage.user("hi")), List.of(), UNSET, CLOCK));
    }

    @Test
    void templatesThatFailOnARealConversationAreRefusedAtParse() {
        TemplateException e = assertThrows(TemplateException.class,
                () -> OllamaTemplate.parse("{{ range .Messages }}{{ .Nope }}{{ end }}"));
        assertEquals("can't evaluate field Nope in type api.Message", e.getMessage());
        assertEquals("unsupported template action {{ template \"x\" }}: named templates ({{ template }}) are not "
                + "supported", assertThrows(TemplateException.class, () -> OllamaTemplate.parse("{{ template \"x\" }}"))
                .getMessage());
        assertEquals("function \"toUpper\" not defined in {{ toUpper .Prompt }}",
                assertThrows(TemplateException.class, () -> OllamaTemplate.parse("{{ toUpper .Prompt }}")).getMessage());
    }
}
