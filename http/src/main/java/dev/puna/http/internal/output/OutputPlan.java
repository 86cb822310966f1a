package dev.puna.http.internal.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.puna.runtime.tools.ParsedOutput;
import dev.puna.runtime.tools.ToolCallFormat;
import dev.puna.runtime.tools.ToolCallParser;
import dev.puna.runtime.tools.ToolChoice;
import dev.puna.runtime.tools.ToolGrammar;
import dev.puna.runtime.tools.ToolSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How one request's output requirements apply to the model that serves it: the grammar to sample with, whether the
 * prompt lists the tools, and how tool calls are read back from the text. Built on a worker thread once the model is
 * loaded (the tool-call format comes from its chat template), then used for one generation.
 *
 * <table>
 *   <caption>Grammar by tool choice and answer format</caption>
 *   <tr><th>tools / choice</th><th>free text</th><th>JSON answer</th></tr>
 *   <tr><td>no tools, or {@code none}</td><td>none</td><td>the answer's</td></tr>
 *   <tr><td>{@code auto} (Ollama's only mode)</td><td>none: text or calls, as the model likes</td>
 *       <td>a tool call or the JSON answer ({@link ToolGrammar#callsOrJson})</td></tr>
 *   <tr><td>{@code required}, a named function</td><td colspan="2">the forced calls ({@link ToolGrammar#forChoice});
 *       a call is not an answer, so the answer format does not apply</td></tr>
 * </table>
 *
 * <p>With {@code none} the tools are left out of the prompt (and no calls are parsed), as OpenAI specifies. Immutable;
 * {@link #stream()} gives each generation its own state.
 */
public final class OutputPlan {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final OutputPlan TEXT = new OutputPlan(null, null, List.of());

    private final String grammar;
    private final ToolCallParser parser;
    private final List<Map<String, Object>> templateTools;
    private final Thinking thinking;

    /**
     * The reasoning block a thinking model writes before its answer, read out of the output.
     *
     * @param open the opening tag ({@code <think>})
     * @param close the closing tag ({@code </think>})
     * @param startInside whether the prompt already opened the block
     */
    public record Thinking(String open, String close, boolean startInside) {
    }

    /** A whole reply: the reasoning (empty when none), and the rest split into content and tool calls. */
    public record Reply(String thinking, ParsedOutput output) {
    }

    private OutputPlan(String grammar, ToolCallParser parser, List<Map<String, Object>> templateTools) {
        this(grammar, parser, templateTools, null);
    }

    private OutputPlan(String grammar, ToolCallParser parser, List<Map<String, Object>> templateTools,
                       Thinking thinking) {
        this.grammar = grammar;
        this.parser = parser;
        this.templateTools = templateTools;
        this.thinking = thinking;
    }

    /** This plan, with the model's reasoning split from its answer ({@code think}); null leaves it as it is. */
    public OutputPlan withThinking(Thinking thinking) {
        return thinking == null ? this : new OutputPlan(grammar, parser, templateTools, thinking);
    }

    /** Whether the reasoning is split from the answer. */
    public boolean splitsThinking() {
        return thinking != null;
    }

    /** Free text, no tools: no grammar, every piece of output is content. */
    public static OutputPlan text() {
        return TEXT;
    }

    /** No tools, and the answer in {@code answer}'s format. */
    public static OutputPlan answer(AnswerFormat answer) {
        return answer.isText() ? TEXT : new OutputPlan(answer.grammar().orElseThrow(), null, List.of());
    }

    /**
     * The plan for a chat request.
     *
     * @param chatTemplate the model's chat template (its tool-call format is detected from it), or {@code null}
     * @param toolsJson the request's {@code tools} array as sent (the template renders it as is), or {@code null}
     * @param tools the same tools, read with {@link ToolSpec#listFrom}
     * @param choice the tool choice ({@link ToolChoice#auto()} for Ollama)
     * @param parallel whether several calls may be made in one reply
     * @param answer the format of a non-call answer
     * @throws dev.puna.runtime.InvalidParameterException when a tool's parameters schema must be enforced and cannot
     *     be, or the choice names no tool of the request
     */
    public static OutputPlan forChat(String chatTemplate, JsonNode toolsJson, List<ToolSpec> tools, ToolChoice choice,
                                     boolean parallel, AnswerFormat answer) {
        Objects.requireNonNull(tools, "tools");
        Objects.requireNonNull(choice, "choice");
        Objects.requireNonNull(answer, "answer");
        if (tools.isEmpty() || choice instanceof ToolChoice.None) {
            return answer(answer);
        }
        ToolCallFormat format = ToolCallFormat.detect(chatTemplate);
        String grammar = switch (choice) {
            case ToolChoice.Auto a -> answer.isText() ? null
                    : ToolGrammar.callsOrJson(format, tools, parallel, answer.schema(), answer.parameter());
            default -> ToolGrammar.forChoice(format, tools, choice, parallel).orElseThrow();
        };
        ToolCallParser parser = ToolCallParser.builder(format).toolNames(tools.stream().map(ToolSpec::name).toList())
                .build();
        return new OutputPlan(grammar, parser, templateTools(toolsJson));
    }

    /** The tools as the chat template sees them: the request's objects as JSON-like maps, in order. */
    private static List<Map<String, Object>> templateTools(JsonNode toolsJson) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (toolsJson != null && toolsJson.isArray()) {
            for (JsonNode tool : toolsJson) {
                @SuppressWarnings("unchecked")
                Map<String, Object> map = JSON.convertValue(tool, Map.class);
                out.add(map);
            }
        }
        return List.copyOf(out);
    }

    /** The grammar to sample with, if any. */
    public Optional<String> grammar() {
        return Optional.ofNullable(grammar);
    }

    /** Whether tool calls are read from the output. */
    public boolean hasTools() {
        return parser != null;
    }

    /** The tools for {@code ChatRequest.Builder.tools}: empty when the prompt should not list any. */
    public List<Map<String, Object>> templateTools() {
        return templateTools;
    }

    /** The tool-call format, when tool calls are read. */
    public Optional<ToolCallFormat> toolCallFormat() {
        return parser == null ? Optional.empty() : Optional.of(parser.format());
    }

    /** A stream for one generation's text, split into reasoning, content and tool calls as it arrives. */
    public ReplyStream stream() {
        return new ReplyStream(parser == null ? null : parser.stream(), splitter());
    }

    /** A whole reply split into content and tool calls (all content when there are no tools). */
    public ParsedOutput parse(String text) {
        return parser == null ? new ParsedOutput(text, List.of()) : parser.parse(text);
    }

    /** A whole reply: its reasoning split off first (when {@link #splitsThinking}), then the rest parsed. */
    public Reply reply(String text) {
        if (thinking == null) {
            return new Reply("", parse(text));
        }
        ThinkingSplitter.Split split = splitter().split(text);
        return new Reply(split.thinking(), parse(split.content()));
    }

    /** A new splitter for one generation, or null when the reasoning is not split. */
    public ThinkingSplitter splitter() {
        return thinking == null ? null : new ThinkingSplitter(thinking.open(), thinking.close(), thinking.startInside());
    }
}
