package dev.puna.runtime.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.puna.runtime.InvalidParameterException;
import dev.puna.runtime.grammar.internal.Gbnf;
import dev.puna.runtime.grammar.internal.GrammarBuilder;
import dev.puna.runtime.grammar.internal.JsonRules;
import dev.puna.runtime.grammar.internal.SchemaConverter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * GBNF grammars that force a model to call tools, in its own {@link ToolCallFormat}, with arguments valid against
 * each tool's {@code parameters} schema (converted as {@link dev.puna.runtime.grammar.JsonSchemaGrammar} does, same
 * guarantees and refusals). For {@code tool_choice} {@code required} (any of the tools) or a named function; for
 * {@code auto} and {@code none} there is no grammar.
 *
 * <p>The forced shapes, with {@code CALL} = {@code {"name": "<tool>", "<key>": <arguments>}} ({@code key} is
 * {@code parameters} for {@link ToolCallFormat#LLAMA3}, else {@code arguments}) and bounded whitespace:
 * <ul>
 *   <li>{@link ToolCallFormat#HERMES}: {@code <tool_call>\nCALL\n</tool_call>}, several separated by newlines;</li>
 *   <li>{@link ToolCallFormat#LLAMA3}: {@code CALL}, several separated by {@code ;};</li>
 *   <li>{@link ToolCallFormat#MISTRAL}: {@code [TOOL_CALLS][CALL, ...]};</li>
 *   <li>{@link ToolCallFormat#GENERIC}: {@code CALL}, or {@code [CALL, ...]} when parallel calls are allowed.</li>
 * </ul>
 * {@link ToolCallParser} reads all of these back. Pure and thread-safe.
 */
public final class ToolGrammar {
    private ToolGrammar() {
    }

    /**
     * The grammar for a {@code tool_choice}.
     *
     * @param format the model's tool-call format
     * @param tools the request's tools
     * @param choice the tool choice
     * @param parallel whether several calls may be made (OpenAI's {@code parallel_tool_calls}, default true)
     * @return the grammar, or empty for {@code auto} and {@code none}
     * @throws InvalidParameterException if {@code required} comes without tools or a named function is not among
     *     them (parameter {@code tool_choice}), or a tool's parameters schema cannot be enforced (parameter
     *     {@code tools[i].function.parameters}, as a {@link dev.puna.runtime.grammar.UnsupportedSchemaException} or
     *     {@link dev.puna.runtime.grammar.InvalidSchemaException})
     */
    public static Optional<String> forChoice(ToolCallFormat format, List<ToolSpec> tools, ToolChoice choice,
                                             boolean parallel) {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(tools, "tools");
        Objects.requireNonNull(choice, "choice");
        List<ToolSpec> allowed = switch (choice) {
            case ToolChoice.Auto a -> null;
            case ToolChoice.None n -> null;
            case ToolChoice.Required r -> {
                if (tools.isEmpty()) {
                    throw new InvalidParameterException("tool_choice", "\"required\" needs at least one tool");
                }
                yield tools;
            }
            case ToolChoice.Function f -> tools.stream().filter(t -> t.name().equals(f.name())).findFirst()
                    .map(List::of)
                    .orElseThrow(() -> new InvalidParameterException("tool_choice",
                            "no tool named '" + f.name() + "' in tools"));
        };
        if (allowed == null) {
            return Optional.empty();
        }
        GrammarBuilder g = new GrammarBuilder();
        g.root(calls(g, format, tools, allowed, parallel));
        return Optional.of(g.build());
    }

    /**
     * A grammar that lets the model either call tools or answer with JSON: for a request that has tools the model may
     * use (OpenAI's {@code tool_choice: "auto"}, Ollama's {@code tools}) and a structured-output format for its answer
     * (Ollama's {@code format}, OpenAI's {@code response_format}). The calls are forced as
     * {@link #forChoice forChoice(format, tools, required, parallel)} forces them, the answer as
     * {@link dev.puna.runtime.grammar.JsonSchemaGrammar#fromSchema(JsonNode, String)} does (or
     * {@link dev.puna.runtime.grammar.JsonSchemaGrammar#anyJsonObject()} without a schema); nothing else is
     * grammatical, so free text is not possible.
     *
     * @param format the model's tool-call format
     * @param tools the request's tools; at least one
     * @param parallel whether several calls may be made
     * @param answerSchema the JSON schema of the answer, or {@code null} for any JSON object
     * @param answerParameter the request parameter that carried the schema, named by schema errors (e.g.
     *     {@code format})
     * @return the grammar
     * @throws IllegalArgumentException if {@code tools} is empty
     * @throws InvalidParameterException as {@link #forChoice} for the tools' schemas, or as
     *     {@link dev.puna.runtime.grammar.JsonSchemaGrammar#fromSchema(JsonNode, String)} for the answer's
     */
    public static String callsOrJson(ToolCallFormat format, List<ToolSpec> tools, boolean parallel,
                                     JsonNode answerSchema, String answerParameter) {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(tools, "tools");
        Objects.requireNonNull(answerParameter, "answerParameter");
        if (tools.isEmpty()) {
            throw new IllegalArgumentException("callsOrJson needs at least one tool");
        }
        GrammarBuilder g = new GrammarBuilder();
        String calls = g.rule("tool-calls", calls(g, format, tools, tools, parallel));
        String answer = answerSchema == null ? JsonRules.object(g)
                : new SchemaConverter(answerSchema, g, answerParameter).convert("answer");
        g.root(calls + " | " + answer);
        return g.build();
    }

    /** The body of a rule for one or more calls of the {@code allowed} tools in {@code format}. */
    private static String calls(GrammarBuilder g, ToolCallFormat format, List<ToolSpec> tools, List<ToolSpec> allowed,
                                boolean parallel) {
        String ws = JsonRules.ws(g);
        List<String> calls = new ArrayList<>();
        for (ToolSpec tool : allowed) {
            String parameter = "tools[" + tools.indexOf(tool) + "].function.parameters";
            String arguments = tool.parameters() == null ? JsonRules.object(g)
                    : new SchemaConverter(asObjectSchema(tool.parameters()), g, parameter).convert(tool.name() + "-args");
            calls.add(g.rule(tool.name() + "-call", "\"{\" " + ws + " " + Gbnf.literal("\"name\"") + " " + ws + " \":\" "
                    + ws + " " + Gbnf.literal(TextNode.valueOf(tool.name()).toString()) + " " + ws + " \",\" " + ws
                    + " " + Gbnf.literal("\"" + format.argumentsKey() + "\"") + " " + ws + " \":\" " + ws + " "
                    + arguments + " " + ws + " \"}\""));
        }
        String call = calls.size() == 1 ? calls.get(0) : g.rule("call", String.join(" | ", calls));
        return switch (format) {
            case HERMES -> {
                String block = g.rule("tool-call-block", "\"<tool_call>\\n\" " + call + " \"\\n</tool_call>\"");
                yield parallel ? block + " ( \"\\n\" " + block + " )*" : block;
            }
            case LLAMA3 -> parallel ? call + " ( \";\" " + ws + " " + call + " )*" : call;
            case MISTRAL -> "\"[TOOL_CALLS]\" " + ws + " \"[\" " + call
                    + (parallel ? " ( \",\" " + ws + " " + call + " )*" : "") + " \"]\"";
            case GENERIC -> parallel ? "\"[\" " + ws + " " + call + " ( \",\" " + ws + " " + call + " )* \"]\"" : call;
        };
    }

    /** Tool parameters describe an object; a schema that does not say so gets {@code "type": "object"}. */
    private static JsonNode asObjectSchema(JsonNode parameters) {
        if (parameters.isObject() && !parameters.has("type") && !parameters.has("$ref") && !parameters.has("anyOf")
                && !parameters.has("oneOf") && !parameters.has("allOf") && !parameters.has("enum")
                && !parameters.has("const")) {
            ObjectNode copy = ((ObjectNode) parameters).deepCopy();
            copy.put("type", "object");
            return copy;
        }
        return parameters;
    }
}
