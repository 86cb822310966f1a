package dev.puna.runtime.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Whole-output parsing of tool calls in each format, and format detection from real chat templates. */
class ToolCallParserTest {
    private static final List<String> TOOLS = List.of("get_weather", "add");

    private static ParsedOutput parse(ToolCallFormat format, String output) {
        return ToolCallParser.builder(format).toolNames(TOOLS).random(new Random(1)).build().parse(output);
    }

    /** The calls as "name arguments" lines, and the content, for compact assertions. */
    private static String summary(ParsedOutput out) {
        StringBuilder s = new StringBuilder("content=[" + out.content() + "]");
        for (ParsedToolCall c : out.toolCalls()) {
            s.append('\n').append(c.index()).append(' ').append(c.name()).append(' ').append(c.arguments());
            if (!c.complete()) {
                s.append(" (incomplete)");
            }
        }
        return s.toString();
    }

    private static String template(String name) throws IOException {
        try (InputStream in = ToolCallParserTest.class.getResourceAsStream("/chat/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @CsvSource({"qwen2.5-instruct.jinja, HERMES", "qwen3.jinja, HERMES", "llama-3.1-instruct.jinja, LLAMA3",
            "mistral-7b-instruct-v0.3.jinja, MISTRAL", "chatml.jinja, GENERIC", "gemma-3-it.jinja, GENERIC"})
    void formatIsDetectedFromTheChatTemplate(String file, ToolCallFormat expected) throws IOException {
        assertEquals(expected, ToolCallFormat.detect(template(file)));
    }

    @Test
    void noTemplateMeansGeneric() {
        assertEquals(ToolCallFormat.GENERIC, ToolCallFormat.detect(null));
    }

    @Test
    void hermesSingleCall() {
        ParsedOutput out = parse(ToolCallFormat.HERMES,
                "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>");
        assertEquals("content=[]\n0 get_weather {\"city\": \"Paris\"}", summary(out));
        ParsedToolCall call = out.toolCalls().get(0);
        assertTrue(call.id().matches("call_[A-Za-z0-9]{24}"), call.id());
        assertEquals("Paris", call.argumentsJson().orElseThrow().get("city").textValue());
    }

    @Test
    void hermesContentAndParallelCalls() {
        ParsedOutput out = parse(ToolCallFormat.HERMES, "Let me check.\n<tool_call>\n{\"name\": \"get_weather\", "
                + "\"arguments\": {\"city\": \"Paris\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"add\", "
                + "\"arguments\": {\"a\": 1, \"b\": 2}}\n</tool_call>");
        assertEquals("content=[Let me check.\n]\n0 get_weather {\"city\": \"Paris\"}\n1 add {\"a\": 1, \"b\": 2}",
                summary(out));
        assertNotEquals(out.toolCalls().get(0).id(), out.toolCalls().get(1).id());
    }

    @Test
    void hermesQwen3ThinkingStaysContent() {
        ParsedOutput out = parse(ToolCallFormat.HERMES, "<think>\nNeed weather.\n</think>\n\n<tool_call>\n"
                + "{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>");
        assertEquals("content=[<think>\nNeed weather.\n</think>\n\n]\n0 get_weather {\"city\": \"Oslo\"}", summary(out));
    }

    @Test
    void argumentsGivenAsAJsonStringAreUnquoted() {
        ParsedOutput out = parse(ToolCallFormat.HERMES,
                "<tool_call>\n{\"name\": \"add\", \"arguments\": \"{\\\"a\\\": 1}\"}\n</tool_call>");
        assertEquals("content=[]\n0 add {\"a\": 1}", summary(out));
    }

    @Test
    void missingArgumentsBecomeAnEmptyObject() {
        assertEquals("content=[]\n0 get_weather {}",
                summary(parse(ToolCallFormat.HERMES, "<tool_call>\n{\"name\": \"get_weather\"}\n</tool_call>")));
    }

    @Test
    void argumentsBeforeTheNameAreReleasedOnceTheNameIsKnown() {
        assertEquals("content=[]\n0 add {\"a\": 1}", summary(parse(ToolCallFormat.HERMES,
                "<tool_call>{\"arguments\": {\"a\": 1}, \"name\": \"add\"}</tool_call>")));
    }

    @Test
    void aTagWithoutACallIsContent() {
        String text = "<tool_call>\nnot json\n</tool_call>";
        assertEquals("content=[" + text + "]", summary(parse(ToolCallFormat.HERMES, text)));
    }

    @Test
    void outputCutOffInsideACallGivesAnIncompleteCall() {
        ParsedOutput out = parse(ToolCallFormat.HERMES,
                "<tool_call>\n{\"name\": \"add\", \"arguments\": {\"a\": 1, \"b\"");
        assertEquals("content=[]\n0 add {\"a\": 1, \"b\" (incomplete)", summary(out));
        assertFalse(out.toolCalls().get(0).argumentsJson().isPresent());
    }

    @Test
    void outputCutOffBeforeTheNameIsContent() {
        String text = "<tool_call>\n{\"name\": \"ad";
        assertEquals("content=[" + text + "]", summary(parse(ToolCallFormat.HERMES, text)));
    }

    @Test
    void plainTextIsContentEvenWhenItEndsLikeAMarker() {
        assertEquals("content=[Use the <tool]", summary(parse(ToolCallFormat.HERMES, "Use the <tool")));
        assertEquals("content=[Hello]", summary(parse(ToolCallFormat.LLAMA3, "Hello")));
        assertEquals("content=[  ]", summary(parse(ToolCallFormat.LLAMA3, "  ")));
    }

    @Test
    void llama3JsonReply() {
        assertEquals("content=[]\n0 get_weather {\"city\": \"Paris\"}", summary(parse(ToolCallFormat.LLAMA3,
                "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}")));
        assertEquals("content=[]\n0 get_weather {\"city\": \"Paris\"}", summary(parse(ToolCallFormat.LLAMA3,
                "{\"type\": \"function\", \"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}")));
    }

    @Test
    void llama3PythonTagAndSeveralCalls() {
        assertEquals("content=[]\n0 add {\"a\": 1, \"b\": 2}\n1 get_weather {\"city\": \"Rome\"}",
                summary(parse(ToolCallFormat.LLAMA3, "<|python_tag|>{\"name\": \"add\", \"parameters\": {\"a\": 1, "
                        + "\"b\": 2}}; {\"name\": \"get_weather\", \"parameters\": {\"city\": \"Rome\"}}")));
    }

    @Test
    void jsonAnswersThatAreNotCallsStayContent() {
        for (String answer : List.of("{\"answer\": 42}", "{\"name\": \"Bob\", \"age\": 3}", "{\"name\": \"Bob\"}",
                "Sure: {\"name\": \"add\", \"parameters\": {}}", "{\"name\": ")) {
            assertEquals("content=[" + answer + "]", summary(parse(ToolCallFormat.LLAMA3, answer)), answer);
        }
    }

    @Test
    void textAfterABareCallIsContent() {
        assertEquals("content=[\nDone.]\n0 add {}",
                summary(parse(ToolCallFormat.LLAMA3, "{\"name\": \"add\", \"parameters\": {}}\nDone.")));
    }

    @Test
    void mistralArray() {
        ParsedOutput out = parse(ToolCallFormat.MISTRAL, "[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": "
                + "{\"city\": \"Paris\"}, \"id\": \"abc123def\"}, {\"name\": \"add\", \"arguments\": {\"a\": 1}}]");
        assertEquals("content=[]\n0 get_weather {\"city\": \"Paris\"}\n1 add {\"a\": 1}", summary(out));
        assertTrue(out.toolCalls().get(0).id().matches("[A-Za-z0-9]{9}"), out.toolCalls().get(0).id());
    }

    @Test
    void mistralArrayWithoutTheControlTokenText() {
        assertEquals("content=[]\n0 add {\"a\": 1}",
                summary(parse(ToolCallFormat.MISTRAL, " [{\"name\": \"add\", \"arguments\": {\"a\": 1}}]")));
    }

    @Test
    void mistralNameArgsVariant() {
        assertEquals("content=[]\n0 get_weather {\"city\": \"Paris\"}\n1 add {\"a\": 2}",
                summary(parse(ToolCallFormat.MISTRAL, "[TOOL_CALLS]get_weather[ARGS]{\"city\": \"Paris\"}"
                        + "[TOOL_CALLS]add[CALL_ID]a1b2c3d4e[ARGS]{\"a\": 2}")));
    }

    @Test
    void genericBareObjectsArraysAndOpenAiShape() {
        assertEquals("content=[]\n0 add {\"a\": 1}",
                summary(parse(ToolCallFormat.GENERIC, "{\"name\": \"add\", \"arguments\": {\"a\": 1}}")));
        assertEquals("content=[]\n0 add {\"a\": 1}\n1 add {\"a\": 2}", summary(parse(ToolCallFormat.GENERIC,
                "[{\"name\": \"add\", \"arguments\": {\"a\": 1}}, {\"name\": \"add\", \"arguments\": {\"a\": 2}}]")));
        assertEquals("content=[]\n0 add {\"a\": 1}", summary(parse(ToolCallFormat.GENERIC,
                "{\"type\": \"function\", \"function\": {\"name\": \"add\", \"arguments\": {\"a\": 1}}}")));
        assertEquals("content=[ok ]\n0 add {}", summary(parse(ToolCallFormat.GENERIC,
                "ok <tool_call>{\"name\": \"add\", \"arguments\": {}}</tool_call>")));
    }

    @Test
    void hermesAcceptsABareCallOnlyToAKnownTool() {
        assertEquals("content=[]\n0 add {}",
                summary(parse(ToolCallFormat.HERMES, "{\"name\": \"add\", \"arguments\": {}}")));
        String unnamed = "{\"name\": \"add\", \"arguments\": {}}";
        assertEquals("content=[" + unnamed + "]", summary(ToolCallParser.of(ToolCallFormat.HERMES).parse(unnamed)));
    }

    @Test
    void idsComeFromTheInjectedRandomSource() {
        String text = "<tool_call>{\"name\": \"add\"}</tool_call>";
        String first = parse(ToolCallFormat.HERMES, text).toolCalls().get(0).id();
        assertEquals(first, parse(ToolCallFormat.HERMES, text).toolCalls().get(0).id());
        ToolCallParser other = ToolCallParser.builder(ToolCallFormat.HERMES).random(new Random(2)).build();
        assertNotEquals(first, other.parse(text).toolCalls().get(0).id());
    }
}
