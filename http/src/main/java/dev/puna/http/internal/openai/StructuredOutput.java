package dev.puna.http.internal.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.CatalogModel;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.PromptTemplates;
import dev.puna.runtime.InvalidParameterException;
import dev.puna.runtime.Model;
import dev.puna.runtime.SamplingParams;
import dev.puna.runtime.grammar.JsonSchemaGrammar;
import dev.puna.runtime.tools.ToolCallFormat;
import dev.puna.runtime.tools.ToolCallParser;
import dev.puna.runtime.tools.ToolChoice;
import dev.puna.runtime.tools.ToolGrammar;
import dev.puna.runtime.tools.ToolSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The chat fields that constrain what the model may write: {@code response_format} ({@code text},
 * {@code json_object}, {@code json_schema}) and {@code tools} / {@code tool_choice} / {@code parallel_tool_calls}.
 * Their shapes are checked completely when the request is read (a 400 naming the field); none is ever silently
 * ignored.
 *
 * <ul>
 *   <li>{@code response_format} is enforced: it becomes a GBNF grammar ({@link JsonSchemaGrammar}), so the output
 *       is a JSON object, or JSON valid against the schema; a schema feature that cannot be enforced is a 400
 *       naming it.</li>
 *   <li>{@code tools} go to the chat template; the model's tool-call format is detected from its template
 *       ({@link ToolCallFormat#detect}); {@code tool_choice} {@code required} or a named function becomes a grammar
 *       that forces calls with arguments valid against the tool's schema ({@link ToolGrammar}); the output is
 *       searched for calls ({@link ToolCallParser}), streamed as {@code delta.tool_calls}. With
 *       {@code tool_choice: "none"} the tools are left out of the prompt, which is what that choice means.</li>
 * </ul>
 *
 * @param grammar the grammar {@code response_format} asks for, if any
 * @param tools the declared tools (empty when none)
 * @param definitions the tools as the request wrote them, for the chat template
 * @param toolChoice {@code tool_choice}, {@code auto} by default
 * @param parallelToolCalls {@code parallel_tool_calls}, default true
 */
record StructuredOutput(Optional<String> grammar, List<ToolSpec> tools, List<Map<String, Object>> definitions,
                        ToolChoice toolChoice, boolean parallelToolCalls) {
    /** What a loaded model needs to call tools: the prompt's tool list, a forcing grammar, the output's parser. */
    record ToolCalling(List<Map<String, Object>> definitions, Optional<String> grammar, ToolCallParser parser) {
    }

    /** OpenAI's rule for function and schema names. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    static StructuredOutput read(JsonBody body) {
        ObjectNode responseFormat = body.object("response_format");
        ArrayNode toolsNode = body.array("tools");
        JsonNode toolChoiceNode = body.raw("tool_choice");
        Boolean parallel = body.bool("parallel_tool_calls");
        if (body.has("functions") || body.has("function_call")) {
            throw ApiException.badParameter(body.has("functions") ? "functions" : "function_call",
                    "the deprecated \"functions\" and \"function_call\" fields are not supported: use \"tools\" and "
                            + "\"tool_choice\"");
        }
        List<ToolSpec> tools;
        ToolChoice toolChoice;
        Optional<String> grammar;
        try {
            if (responseFormat != null && "json_schema".equals(responseFormat.path("type").asText())) {
                JsonNode jsonSchema = responseFormat.get("json_schema");
                if (jsonSchema != null && jsonSchema.isObject()) {
                    JsonBody js = JsonBody.of((ObjectNode) jsonSchema, "response_format.json_schema");
                    String name = js.string("name");
                    if (name == null || !NAME.matcher(name).matches()) {
                        throw ApiException.badParameter("response_format.json_schema.name",
                                "\"response_format.json_schema.name\" is required: 1 to 64 letters, digits, '_' or '-'");
                    }
                    js.bool("strict");
                    js.string("description");
                }
            }
            grammar = JsonSchemaGrammar.forResponseFormat(responseFormat);
            tools = ToolSpec.listFrom(toolsNode);
            for (int i = 0; i < tools.size(); i++) {
                ToolSpec t = tools.get(i);
                if (!NAME.matcher(t.name()).matches()) {
                    throw ApiException.badParameter("tools[" + i + "].function.name", "invalid function name '"
                            + t.name() + "': 1 to 64 letters, digits, '_' or '-'");
                }
                if (t.parameters() != null && !t.parameters().isObject()) {
                    throw ApiException.badParameter("tools[" + i + "].function.parameters", "invalid value for "
                            + "\"tools[" + i + "].function.parameters\": expected a JSON schema object, got "
                            + JsonBody.describe(t.parameters()));
                }
            }
            toolChoice = ToolChoice.fromJson(toolChoiceNode);
        } catch (InvalidParameterException e) {
            // The runtime names the parameter; its message starts with the name, as ours do.
            throw ApiException.badParameter(e.parameter(), e.getMessage());
        }
        if (toolChoiceNode != null && tools.isEmpty()) {
            throw ApiException.badParameter("tool_choice", "\"tool_choice\" is only allowed when \"tools\" are given");
        }
        if (toolChoice instanceof ToolChoice.Function f && tools.stream().noneMatch(t -> t.name().equals(f.name()))) {
            throw ApiException.badParameter("tool_choice", "\"tool_choice\" names the function '" + f.name()
                    + "', which is not among the tools");
        }
        boolean forcing = toolChoice instanceof ToolChoice.Required || toolChoice instanceof ToolChoice.Function;
        if (grammar.isPresent() && forcing) {
            throw ApiException.badParameter("response_format", "\"response_format\" cannot be combined with a "
                    + "\"tool_choice\" that forces tool calls: both would constrain the same output");
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> definitions = toolsNode == null ? List.of()
                : JsonBody.MAPPER.convertValue(toolsNode, List.class);
        return new StructuredOutput(grammar, tools, definitions, toolChoice, parallel == null || parallel);
    }

    /** Whether the model is offered tools it may call. */
    boolean callsTools() {
        return !tools.isEmpty() && !(toolChoice instanceof ToolChoice.None);
    }

    /**
     * Tool calling on {@code model} (on a worker thread), or {@code null} when the model may not call tools.
     *
     * @throws ApiException 400 naming the tool whose parameters schema cannot be enforced
     */
    ToolCalling toolCalling(Model model, CatalogModel entry) {
        if (!callsTools()) {
            return null;
        }
        ToolCallFormat format = ToolCallFormat.detect(PromptTemplates.templateText(model, entry));
        Optional<String> forcing;
        try {
            forcing = ToolGrammar.forChoice(format, tools, toolChoice, parallelToolCalls);
        } catch (InvalidParameterException e) {
            throw ApiException.badParameter(e.parameter(), e.getMessage());
        }
        ToolCallParser parser = ToolCallParser.builder(format).toolNames(tools.stream().map(ToolSpec::name).toList())
                .build();
        return new ToolCalling(definitions, forcing, parser);
    }

    /** The grammar {@code response_format} or a forced tool call asks for, if any, applied to {@code sampling}. */
    SamplingParams apply(SamplingParams sampling, ToolCalling toolCalling) {
        Optional<String> g = toolCalling != null && toolCalling.grammar().isPresent() ? toolCalling.grammar() : grammar;
        return g.isEmpty() ? sampling : sampling.toBuilder().grammar(g.get()).build();
    }
}
