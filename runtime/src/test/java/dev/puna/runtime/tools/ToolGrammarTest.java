package dev.puna.runtime.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.puna.runtime.GrammarChecker;
import dev.puna.runtime.InvalidParameterException;
import dev.puna.runtime.grammar.UnsupportedSchemaException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Grammars for {@code tool_choice} through llama.cpp's real grammar engine: they force each format's call syntax with
 * schema-valid arguments, and what they accept parses back into the same calls.
 */
class ToolGrammarTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static GrammarChecker checker;
    private static List<ToolSpec> tools;

    @BeforeAll
    static void open() throws Exception {
        checker = GrammarChecker.open();
        tools = ToolSpec.listFrom(JSON.readTree("""
                [{"type": "function", "function": {"name": "get_weather", "description": "Weather in a city",
                  "parameters": {"type": "object", "properties": {"city": {"type": "string"},
                   "unit": {"enum": ["c", "f"]}}, "required": ["city"]}}},
                 {"type": "function", "function": {"name": "add",
                  "parameters": {"properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
                   "required": ["a", "b"]}}},
                 {"type": "function", "function": {"name": "ping"}}]"""));
    }

    @AfterAll
    static void close() {
        checker.close();
    }

    private static String grammar(ToolCallFormat format, ToolChoice choice, boolean parallel) {
        String gbnf = ToolGrammar.forChoice(format, tools, choice, parallel).orElseThrow();
        assertTrue(checker.parses(gbnf), gbnf);
        return gbnf;
    }

    /** Asserts the grammar accepts {@code output} and that the parser reads {@code expected} calls from it. */
    private static void assertCalls(ToolCallFormat format, String gbnf, String output, String... expected) {
        GrammarChecker.Result r = checker.check(gbnf, output);
        assertTrue(r.accepted(), () -> "should accept " + output + ": " + r + "\n" + gbnf);
        ParsedOutput parsed = ToolCallParser.builder(format).toolNames(List.of("get_weather", "add", "ping")).build()
                .parse(output);
        assertEquals("", parsed.content());
        assertEquals(List.of(expected), parsed.toolCalls().stream().map(c -> c.name() + " " + c.arguments()).toList());
    }

    private static void assertRejects(String gbnf, String output) {
        assertFalse(checker.accepts(gbnf, output), () -> "should reject " + output);
    }

    @Test
    void hermesRequired() {
        String g = grammar(ToolCallFormat.HERMES, ToolChoice.required(), true);
        assertCalls(ToolCallFormat.HERMES, g,
                "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>",
                "get_weather {\"city\": \"Paris\"}");
        assertCalls(ToolCallFormat.HERMES, g,
                "<tool_call>\n{\"name\": \"add\", \"arguments\": {\"a\": 1, \"b\": -2}}\n</tool_call>\n"
                        + "<tool_call>\n{\"name\": \"ping\", \"arguments\": {}}\n</tool_call>",
                "add {\"a\": 1, \"b\": -2}", "ping {}");
        assertRejects(g, "Sure! <tool_call>\n{\"name\": \"add\", \"arguments\": {\"a\": 1, \"b\": 2}}\n</tool_call>");
        assertRejects(g, "<tool_call>\n{\"name\": \"nope\", \"arguments\": {}}\n</tool_call>");
        assertRejects(g, "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": 5}}\n</tool_call>");
        assertRejects(g, "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"unit\": \"c\"}}\n</tool_call>");
        assertRejects(g, "<tool_call>\n{\"name\": \"add\", \"arguments\": {\"a\": 1, \"b\": 2}}");
        assertRejects(g, "");
    }

    @Test
    void namedFunctionAllowsOnlyThatFunction() {
        String g = grammar(ToolCallFormat.HERMES, ToolChoice.function("add"), true);
        assertCalls(ToolCallFormat.HERMES, g,
                "<tool_call>\n{\"name\": \"add\", \"arguments\": {\"a\": 1, \"b\": 2}}\n</tool_call>", "add {\"a\": 1, \"b\": 2}");
        assertRejects(g, "<tool_call>\n{\"name\": \"ping\", \"arguments\": {}}\n</tool_call>");
    }

    @Test
    void withoutParallelCallsOnlyOneCallIsAllowed() {
        String g = grammar(ToolCallFormat.HERMES, ToolChoice.required(), false);
        String one = "<tool_call>\n{\"name\": \"ping\", \"arguments\": {}}\n</tool_call>";
        assertCalls(ToolCallFormat.HERMES, g, one, "ping {}");
        assertRejects(g, one + "\n" + one);
    }

    @Test
    void llama3UsesParametersAndSemicolons() {
        String g = grammar(ToolCallFormat.LLAMA3, ToolChoice.required(), true);
        assertCalls(ToolCallFormat.LLAMA3, g, "{\"name\": \"add\", \"parameters\": {\"a\": 1, \"b\": 2}}",
                "add {\"a\": 1, \"b\": 2}");
        assertCalls(ToolCallFormat.LLAMA3, g, "{\"name\": \"ping\", \"parameters\": {}}; {\"name\": \"get_weather\", "
                + "\"parameters\": {\"city\": \"Oslo\", \"unit\": \"f\"}}", "ping {}", "get_weather {\"city\": \"Oslo\", \"unit\": \"f\"}");
        assertRejects(g, "{\"name\": \"add\", \"arguments\": {\"a\": 1, \"b\": 2}}");
    }

    @Test
    void mistralArray() {
        String g = grammar(ToolCallFormat.MISTRAL, ToolChoice.required(), true);
        assertCalls(ToolCallFormat.MISTRAL, g, "[TOOL_CALLS] [{\"name\": \"add\", \"arguments\": {\"a\": 1, \"b\": 2}}, "
                + "{\"name\": \"ping\", \"arguments\": {}}]", "add {\"a\": 1, \"b\": 2}", "ping {}");
        assertRejects(g, "[{\"name\": \"ping\", \"arguments\": {}}]");
    }

    @Test
    void genericObjectOrArray() {
        assertCalls(ToolCallFormat.GENERIC, grammar(ToolCallFormat.GENERIC, ToolChoice.required(), false),
                "{\"name\": \"ping\", \"arguments\": {\"anything\": [1]}}", "ping {\"anything\": [1]}");
        assertCalls(ToolCallFormat.GENERIC, grammar(ToolCallFormat.GENERIC, ToolChoice.required(), true),
                "[{\"name\": \"ping\", \"arguments\": {}}, {\"name\": \"add\", \"arguments\": {\"a\": 0, \"b\": 0}}]",
                "ping {}", "add {\"a\": 0, \"b\": 0}");
    }

    @Test
    void callsOrJsonAllowsACallOrAnAnswerValidAgainstTheSchema() throws Exception {
        String g = ToolGrammar.callsOrJson(ToolCallFormat.HERMES, tools, true, JSON.readTree("""
                {"type": "object", "properties": {"answer": {"type": "integer"}}, "required": ["answer"]}"""), "format");
        assertTrue(checker.parses(g), g);
        assertCalls(ToolCallFormat.HERMES, g,
                "<tool_call>\n{\"name\": \"add\", \"arguments\": {\"a\": 1, \"b\": 2}}\n</tool_call>\n"
                        + "<tool_call>\n{\"name\": \"ping\", \"arguments\": {}}\n</tool_call>",
                "add {\"a\": 1, \"b\": 2}", "ping {}");
        assertTrue(checker.accepts(g, "{\"answer\": 42}"));
        assertRejects(g, "{\"answer\": \"42\"}");
        assertRejects(g, "{\"name\": \"add\", \"arguments\": {\"a\": 1, \"b\": 2}}");
        assertRejects(g, "The answer is 42.");
        assertRejects(g, "<tool_call>\n{\"name\": \"add\", \"arguments\": {\"a\": 1}}\n</tool_call>");

        String anyObject = ToolGrammar.callsOrJson(ToolCallFormat.GENERIC, tools, false, null, "format");
        assertTrue(checker.accepts(anyObject, "{\"whatever\": [true]}"));
        assertCalls(ToolCallFormat.GENERIC, anyObject, "{\"name\": \"ping\", \"arguments\": {}}", "ping {}");
        assertRejects(anyObject, "[1]");
    }

    @Test
    void callsOrJsonNamesTheAnswerParameterInSchemaErrors() throws Exception {
        UnsupportedSchemaException e = assertThrows(UnsupportedSchemaException.class,
                () -> ToolGrammar.callsOrJson(ToolCallFormat.HERMES, tools, true,
                        JSON.readTree("{\"type\": \"string\", \"pattern\": \"^a\"}"), "format"));
        assertEquals("format: JSON schema feature 'pattern' is not supported (at /pattern)", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ToolGrammar.callsOrJson(ToolCallFormat.HERMES, List.of(), true, null, "format"));
    }

    @Test
    void autoAndNoneHaveNoGrammar() {
        assertTrue(ToolGrammar.forChoice(ToolCallFormat.HERMES, tools, ToolChoice.auto(), true).isEmpty());
        assertTrue(ToolGrammar.forChoice(ToolCallFormat.HERMES, tools, ToolChoice.none(), true).isEmpty());
    }

    @Test
    void badChoicesAreParameterErrors() throws Exception {
        InvalidParameterException unknown = assertThrows(InvalidParameterException.class,
                () -> ToolGrammar.forChoice(ToolCallFormat.HERMES, tools, ToolChoice.function("nope"), true));
        assertEquals("tool_choice: no tool named 'nope' in tools", unknown.getMessage());
        InvalidParameterException empty = assertThrows(InvalidParameterException.class,
                () -> ToolGrammar.forChoice(ToolCallFormat.HERMES, List.of(), ToolChoice.required(), true));
        assertEquals("tool_choice", empty.parameter());

        List<ToolSpec> patterned = List.of(tools.get(0), new ToolSpec("find", JSON.readTree("""
                {"type": "object", "properties": {"q": {"type": "string", "pattern": "^a"}}}""")));
        UnsupportedSchemaException e = assertThrows(UnsupportedSchemaException.class,
                () -> ToolGrammar.forChoice(ToolCallFormat.HERMES, patterned, ToolChoice.required(), true));
        assertEquals("tools[1].function.parameters", e.parameter());
        assertEquals("/properties/q/pattern", e.pointer());
    }

    @Test
    void toolListsAreValidated() throws Exception {
        assertEquals(List.of(), ToolSpec.listFrom(null));
        assertEquals("tools[1].function.name: duplicate tool name 'a'", assertThrows(InvalidParameterException.class,
                () -> ToolSpec.listFrom(JSON.readTree("[{\"type\": \"function\", \"function\": {\"name\": \"a\"}}, "
                        + "{\"type\": \"function\", \"function\": {\"name\": \"a\"}}]"))).getMessage());
        assertEquals("tools[0].type", assertThrows(InvalidParameterException.class, () -> ToolSpec.listFrom(
                JSON.readTree("[{\"type\": \"code_interpreter\"}]"))).parameter());
        assertEquals("tools[0].function", assertThrows(InvalidParameterException.class, () -> ToolSpec.listFrom(
                JSON.readTree("[{\"type\": \"function\"}]"))).parameter());
    }

    @Test
    void toolChoiceIsReadFromJson() throws Exception {
        assertEquals(ToolChoice.auto(), ToolChoice.fromJson(null));
        assertEquals(ToolChoice.none(), ToolChoice.fromJson(JSON.readTree("\"none\"")));
        assertEquals(ToolChoice.required(), ToolChoice.fromJson(JSON.readTree("\"required\"")));
        assertEquals(ToolChoice.function("add"), ToolChoice.fromJson(
                JSON.readTree("{\"type\": \"function\", \"function\": {\"name\": \"add\"}}")));
        assertEquals("tool_choice", assertThrows(InvalidParameterException.class,
                () -> ToolChoice.fromJson(JSON.readTree("\"any\""))).parameter());
        assertEquals("tool_choice", assertThrows(InvalidParameterException.class,
                () -> ToolChoice.fromJson(JSON.readTree("{\"type\": \"function\"}"))).parameter());
    }
}
