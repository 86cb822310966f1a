package dev.puna.http.internal.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.puna.runtime.InvalidParameterException;
import dev.puna.runtime.grammar.JsonSchemaGrammar;
import dev.puna.runtime.grammar.UnsupportedSchemaException;
import dev.puna.runtime.tools.ParsedOutput;
import dev.puna.runtime.tools.ToolCallEvent;
import dev.puna.runtime.tools.ToolCallFormat;
import dev.puna.runtime.tools.ToolChoice;
import dev.puna.runtime.tools.ToolGrammar;
import dev.puna.runtime.tools.ToolSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The grammar and tool-call reading a request gets, by tool choice and answer format (no model needed). */
class OutputPlanTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HERMES_TEMPLATE = "{% for m in messages %}{{ m.content }}{% endfor %} <tool_call>";
    private static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}},"
            + "\"required\":[\"a\"]}";

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static final JsonNode TOOLS_JSON = json("""
            [{"type":"function","function":{"name":"get_weather","parameters":{"type":"object",
             "properties":{"city":{"type":"string"}},"required":["city"]}}}]""");
    private static final List<ToolSpec> TOOLS = ToolSpec.listFrom(TOOLS_JSON);

    private static OutputPlan chat(ToolChoice choice, AnswerFormat answer) {
        return OutputPlan.forChat(HERMES_TEMPLATE, TOOLS_JSON, TOOLS, choice, true, answer);
    }

    @Test
    void freeTextHasNoGrammarAndEveryPieceIsContent() {
        OutputPlan plan = OutputPlan.text();
        assertEquals(Optional.empty(), plan.grammar());
        assertFalse(plan.hasTools());
        ReplyStream stream = plan.stream();
        assertEquals(List.of(new ToolCallEvent.Content("<tool_call>{")), stream.push("<tool_call>{"));
        assertEquals(List.of(), stream.push(""));
        assertEquals(List.of(), stream.finish());
        assertEquals(new ParsedOutput("<tool_call>{}</tool_call>", List.of()), plan.parse("<tool_call>{}</tool_call>"));
    }

    @Test
    void anAnswerFormatAloneIsItsGrammar() {
        assertEquals(Optional.of(JsonSchemaGrammar.anyJsonObject()),
                OutputPlan.answer(AnswerFormat.fromOllamaFormat(json("\"json\""))).grammar());
        assertEquals(Optional.of(JsonSchemaGrammar.fromSchema(json(SCHEMA), "format")),
                OutputPlan.answer(AnswerFormat.fromOllamaFormat(json(SCHEMA))).grammar());
        assertEquals(Optional.empty(), OutputPlan.answer(AnswerFormat.fromOllamaFormat(json("\"\""))).grammar());
        assertTrue(AnswerFormat.fromOllamaFormat(null).isText());
    }

    @Test
    void autoWithoutAFormatLetsTheModelChooseAndReadsCallsBack() {
        OutputPlan plan = chat(ToolChoice.auto(), AnswerFormat.text());
        assertEquals(Optional.empty(), plan.grammar());
        assertTrue(plan.hasTools());
        assertEquals(Optional.of(ToolCallFormat.HERMES), plan.toolCallFormat());
        assertEquals(List.of(Map.of("type", "function", "function", Map.of("name", "get_weather", "parameters",
                Map.of("type", "object", "properties", Map.of("city", Map.of("type", "string")),
                        "required", List.of("city"))))), plan.templateTools());

        ReplyStream stream = plan.stream();
        List<ToolCallEvent> events = new ArrayList<>();
        for (String piece : List.of("Let me", " check.<tool", "_call>{\"name\": \"get_weather\", ",
                "\"arguments\": {\"city\": \"Oslo\"}}</tool_call>")) {
            events.addAll(stream.push(piece));
        }
        events.addAll(stream.finish());
        assertEquals(List.of("content 'Let me'", "content ' check.'", "call get_weather",
                "arguments '{\"city\": \"Oslo\"}'", "end get_weather {\"city\": \"Oslo\"} complete"),
                events.stream().map(OutputPlanTest::describe).toList());

        ParsedOutput whole = plan.parse("Let me check.<tool_call>{\"name\": \"get_weather\", \"arguments\": "
                + "{\"city\": \"Oslo\"}}</tool_call>");
        assertEquals("Let me check.", whole.content());
        assertEquals("{\"city\": \"Oslo\"}", whole.toolCalls().getFirst().arguments());
    }

    private static String describe(ToolCallEvent e) {
        return switch (e) {
            case ToolCallEvent.Content c -> "content '" + c.text() + "'";
            case ToolCallEvent.CallStarted s -> "call " + s.name();
            case ToolCallEvent.ArgumentsDelta d -> "arguments '" + d.text() + "'";
            case ToolCallEvent.CallEnded end -> "end " + end.call().name() + " " + end.call().arguments()
                    + (end.call().complete() ? " complete" : " incomplete");
        };
    }

    @Test
    void autoWithAFormatAllowsACallOrTheAnswer() {
        assertEquals(Optional.of(ToolGrammar.callsOrJson(ToolCallFormat.HERMES, TOOLS, true, json(SCHEMA), "format")),
                chat(ToolChoice.auto(), AnswerFormat.fromOllamaFormat(json(SCHEMA))).grammar());
        assertEquals(Optional.of(ToolGrammar.callsOrJson(ToolCallFormat.HERMES, TOOLS, true, null, "format")),
                chat(ToolChoice.auto(), AnswerFormat.fromOllamaFormat(json("\"json\""))).grammar());
    }

    @Test
    void aRequiredCallIgnoresTheAnswerFormat() {
        String forced = ToolGrammar.forChoice(ToolCallFormat.HERMES, TOOLS, ToolChoice.required(), true).orElseThrow();
        assertEquals(Optional.of(forced), chat(ToolChoice.required(), AnswerFormat.text()).grammar());
        assertEquals(Optional.of(forced), chat(ToolChoice.required(), AnswerFormat.fromOllamaFormat(json(SCHEMA)))
                .grammar());
        assertEquals("tool_choice", assertThrows(InvalidParameterException.class,
                () -> chat(ToolChoice.function("nope"), AnswerFormat.text())).parameter());
    }

    @Test
    void noneLeavesTheToolsOutAndReadsNoCalls() {
        OutputPlan plan = chat(ToolChoice.none(), AnswerFormat.fromOllamaFormat(json(SCHEMA)));
        assertFalse(plan.hasTools());
        assertEquals(List.of(), plan.templateTools());
        assertEquals(Optional.of(JsonSchemaGrammar.fromSchema(json(SCHEMA), "format")), plan.grammar());
        assertEquals(Optional.empty(), OutputPlan.forChat(HERMES_TEMPLATE, null, List.of(), ToolChoice.auto(), true,
                AnswerFormat.text()).grammar());
    }

    @Test
    void aToolSchemaIsOnlyCheckedWhenAGrammarEnforcesIt() {
        JsonNode patterned = json("""
                [{"type":"function","function":{"name":"find","parameters":{"type":"object",
                 "properties":{"q":{"type":"string","pattern":"^a"}}}}}]""");
        List<ToolSpec> tools = ToolSpec.listFrom(patterned);
        assertEquals(Optional.empty(), OutputPlan.forChat(HERMES_TEMPLATE, patterned, tools, ToolChoice.auto(), true,
                AnswerFormat.text()).grammar(), "shown to the model, not enforced: no error");
        UnsupportedSchemaException e = assertThrows(UnsupportedSchemaException.class, () -> OutputPlan.forChat(
                HERMES_TEMPLATE, patterned, tools, ToolChoice.auto(), true, AnswerFormat.fromOllamaFormat(json(SCHEMA))));
        assertEquals("tools[0].function.parameters: JSON schema feature 'pattern' is not supported "
                + "(at /properties/q/pattern)", e.getMessage());
    }

    @Test
    void openAiResponseFormatsAreReadToo() {
        assertTrue(AnswerFormat.fromResponseFormat(json("{\"type\":\"text\"}")).isText());
        assertEquals(Optional.of(JsonSchemaGrammar.anyJsonObject()),
                AnswerFormat.fromResponseFormat(json("{\"type\":\"json_object\"}")).grammar());
        AnswerFormat schema = AnswerFormat.fromResponseFormat(json("{\"type\":\"json_schema\",\"json_schema\":"
                + "{\"name\":\"x\",\"schema\":" + SCHEMA + "}}"));
        assertEquals(json(SCHEMA), schema.schema());
        assertEquals("response_format.json_schema.schema", schema.parameter());
        assertEquals("response_format.json_schema.schema: JSON schema feature 'not' is not supported (at /not)",
                assertThrows(UnsupportedSchemaException.class, () -> AnswerFormat.fromResponseFormat(json(
                        "{\"type\":\"json_schema\",\"json_schema\":{\"schema\":{\"not\":{}}}}"))).getMessage());
        assertEquals("format: JSON schema feature 'not' is not supported (at /not)",
                assertThrows(UnsupportedSchemaException.class,
                        () -> AnswerFormat.fromOllamaFormat(json("{\"not\":{}}"))).getMessage());
    }
}
