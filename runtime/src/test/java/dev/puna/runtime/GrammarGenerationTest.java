package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.puna.runtime.grammar.JsonSchemaGrammar;
import dev.puna.runtime.tools.ParsedOutput;
import dev.puna.runtime.tools.ToolCallFormat;
import dev.puna.runtime.tools.ToolCallParser;
import dev.puna.runtime.tools.ToolChoice;
import dev.puna.runtime.tools.ToolGrammar;
import dev.puna.runtime.tools.ToolSpec;
import dev.puna.testkit.TestModels;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generation constrained by a schema grammar on the scripted model: its greedy choice (" world" after "Hello") is
 * masked by the grammar at every step, so it produces the highest-scoring grammatical token instead, which is
 * deterministic.
 */
class GrammarGenerationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Model model;
    private static Session session;

    @BeforeAll
    static void load() {
        model = Model.load(Models.scripted());
        session = model.newSession(Models.session());
    }

    @AfterAll
    static void close() {
        session.close();
        model.close();
    }

    @Test
    void schemaGrammarTurnsTheScriptIntoValidJson() throws Exception {
        JsonNode schema = JSON.readTree("""
                {"type": "object", "properties": {"ok": {"type": "boolean"},
                 "n": {"type": "integer", "minimum": 0, "maximum": 99}, "tag": {"enum": ["x", "yy"]}},
                 "required": ["ok", "n", "tag"], "additionalProperties": false}""");
        assertEquals(TestModels.HELLO_COMPLETION, session.generate(Models.greedy(TestModels.HELLO_PROMPT)).text());

        GenerationResult r = session.generate(GenerateRequest.builder().prompt(TestModels.HELLO_PROMPT)
                .sampling(SamplingParams.builder().temperature(0).grammar(JsonSchemaGrammar.fromSchema(schema)).build())
                .maxTokens(100).build());

        assertEquals("{\"ok\" :true\n, \"n\" :55,\n\"tag\":\n\"yy\" }", r.text());
        assertEquals(FinishReason.EOS, r.finishReason(), "the grammar allows nothing after the closing brace but EOS");
        JsonNode value = JSON.readTree(r.text());
        assertEquals(3, value.size());
        assertTrue(value.get("ok").isBoolean());
        assertEquals(55, value.get("n").intValue());
        assertEquals("yy", value.get("tag").textValue());
    }

    @Test
    void toolGrammarForcesACallThatParsesBack() throws Exception {
        List<ToolSpec> tools = ToolSpec.listFrom(JSON.readTree("""
                [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
                  "properties": {"city": {"type": "string", "maxLength": 8}}, "required": ["city"]}}}]"""));
        String grammar = ToolGrammar.forChoice(ToolCallFormat.HERMES, tools, ToolChoice.required(), false).orElseThrow();

        GenerationResult r = session.generate(GenerateRequest.builder().prompt(TestModels.HELLO_PROMPT)
                .sampling(SamplingParams.builder().temperature(0).grammar(grammar).build()).maxTokens(100).build());

        assertEquals("<tool_call>\n{\"name\" :\n\"get_weather\", \"arguments\":{\"city\" :\n\" one two\"\n}\n}\n"
                + "</tool_call>", r.text());
        assertEquals(FinishReason.EOS, r.finishReason());
        ParsedOutput parsed = ToolCallParser.builder(ToolCallFormat.HERMES).toolNames(List.of("get_weather")).build()
                .parse(r.text());
        assertEquals("", parsed.content());
        assertEquals(1, parsed.toolCalls().size());
        assertEquals("get_weather", parsed.toolCalls().get(0).name());
        assertEquals(" one two", parsed.toolCalls().get(0).argumentsJson().orElseThrow().get("city").textValue());
    }
}
