package dev.puna.http.internal.gotemplate;

import dev.puna.runtime.chat.ChatMessage;
import dev.puna.runtime.chat.ToolCall;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A model's prompt template as Ollama runs it ({@code template/template.go}): a {@link GoTemplate} executed either
 * over the whole conversation ({@code .Messages}, {@code .System}, {@code .Tools}, when the template mentions
 * messages) or, for older templates, once per user/assistant turn with {@code .System}, {@code .Prompt} and
 * {@code .Response}, the last turn cut after {@code {{ .Response }}}. Consecutive messages of one role are joined
 * with a blank line first, as Ollama's {@code collate} does, and {@code .System} is every system message joined
 * likewise. {@code .Think}, {@code .ThinkLevel} and {@code .IsThinkSet} carry the request's {@code think}.
 *
 * <p>{@link #parse} also runs the template once over a conversation of every role (tool calls, tool results,
 * reasoning, tools), so that a template which would fail at request time is refused when it is created. Immutable
 * and thread-safe.
 */
public final class OllamaTemplate {
    /**
     * The request's {@code think}: {@code enabled} ({@code .Think}), the level string ({@code .ThinkLevel},
     * {@code "high"}, ... or empty) and whether the request set it at all ({@code .IsThinkSet}).
     */
    public record Think(boolean enabled, String level, boolean set) {
        /** The request did not say. */
        public static final Think UNSET = new Think(false, "", false);

        public Think {
            Objects.requireNonNull(level, "level");
        }
    }

    /** The tags around a model's reasoning, as its template writes them back: {@code <think>}, {@code </think>}. */
    public record ThinkingTags(String open, String close) {
    }

    private final GoTemplate template;
    private final GoTemplate lastTurn;
    private final Set<String> vars;
    private final ThinkingTags thinkingTags;

    private OllamaTemplate(GoTemplate template) {
        this.template = template;
        this.lastTurn = template.cutAfterResponse();
        this.vars = template.identifiers();
        this.thinkingTags = inferTags(template);
    }

    /**
     * Parses and trial-runs a template.
     *
     * @throws TemplateException naming what Puna cannot run, or what fails when the template runs
     */
    public static OllamaTemplate parse(String source) {
        OllamaTemplate t = new OllamaTemplate(GoTemplate.parse(source));
        t.trialRun();
        return t;
    }

    /** The template's text. */
    public String source() {
        return template.source();
    }

    /** Whether the template renders tools ({@code .Tools}). */
    public boolean rendersTools() {
        return vars.contains("tools");
    }

    /** Whether the template takes a fill-in-the-middle suffix ({@code .Suffix}). */
    public boolean rendersSuffix() {
        return vars.contains("suffix");
    }

    /**
     * The reasoning tags the template writes back around {@code {{ .Thinking }}} inside its range over the
     * messages (Ollama's {@code thinking.InferTags}); present exactly when the model supports thinking.
     */
    public Optional<ThinkingTags> thinkingTags() {
        return Optional.ofNullable(thinkingTags);
    }

    /**
     * The prompt for a conversation.
     *
     * @param messages the conversation, system messages included
     * @param tools the request's tools as JSON-like maps (OpenAI's shape), or empty
     * @param think the request's {@code think}
     * @param clock for {@code currentDate}
     * @throws TemplateException when the template fails on these values
     */
    public String render(List<ChatMessage> messages, List<Map<String, Object>> tools, Think think, Clock clock) {
        List<ChatMessage> collated = new ArrayList<>();
        List<String> system = new ArrayList<>();
        for (ChatMessage m : messages) {
            if (m.role().equals("system")) {
                system.add(text(m.content()));
            }
            if (!collated.isEmpty() && collated.getLast().role().equals(m.role())) {
                ChatMessage prev = collated.removeLast();
                List<ToolCall> calls = new ArrayList<>(prev.toolCalls());
                calls.addAll(m.toolCalls());
                collated.add(new ChatMessage(prev.role(), text(prev.content()) + "\n\n" + text(m.content()), calls,
                        prev.toolName(), prev.toolCallId(), prev.thinking()));
            } else {
                collated.add(m);
            }
        }
        if (vars.contains("messages")) {
            Map<String, Object> values = thinkValues(think);
            values.put("System", String.join("\n\n", system));
            values.put("Messages", TemplateValues.messages(collated));
            values.put("Tools", TemplateValues.tools(tools));
            values.put("Response", "");
            return template.execute(values, clock);
        }
        // Older templates: one execution per turn, the last one cut after .Response.
        StringBuilder out = new StringBuilder();
        String sys = "";
        String prompt = "";
        String response = "";
        for (ChatMessage m : collated) {
            switch (m.role()) {
                case "system" -> {
                    if (!prompt.isEmpty() || !response.isEmpty()) {
                        out.append(template.execute(turn(sys, prompt, response, think), clock));
                        prompt = "";
                        response = "";
                    }
                    sys = text(m.content());
                }
                case "user" -> {
                    if (!response.isEmpty()) {
                        out.append(template.execute(turn(sys, prompt, response, think), clock));
                        sys = "";
                        response = "";
                    }
                    prompt = text(m.content());
                }
                case "assistant" -> response = text(m.content());
                default -> {
                    // tool results have no place in a template without .Messages, as in Ollama
                }
            }
        }
        out.append(lastTurn.execute(turn(sys, prompt, response, think), clock));
        return out.toString();
    }

    /** A fill-in-the-middle prompt for a template that takes {@code .Suffix}: {@code .Prompt} and {@code .Suffix}. */
    public String renderInsert(String prompt, String suffix, Think think, Clock clock) {
        Map<String, Object> values = thinkValues(think);
        values.put("Prompt", prompt);
        values.put("Suffix", suffix);
        values.put("Response", "");
        return template.execute(values, clock);
    }

    private static Map<String, Object> turn(String system, String prompt, String response, Think think) {
        Map<String, Object> values = thinkValues(think);
        values.put("System", system);
        values.put("Prompt", prompt);
        values.put("Response", response);
        return values;
    }

    private static Map<String, Object> thinkValues(Think think) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("Think", think.enabled());
        values.put("ThinkLevel", think.level());
        values.put("IsThinkSet", think.set());
        return values;
    }

    private static String text(String s) {
        return s == null ? "" : s;
    }

    /** Runs the template over a conversation of every kind, so that errors surface at create time. */
    private void trialRun() {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("city", "Oslo");
        List<ChatMessage> conversation = List.of(
                ChatMessage.system("You are terse."),
                ChatMessage.user("What is the weather?"),
                new ChatMessage("assistant", "", List.of(new ToolCall("call_1", "get_weather", args)), null, null,
                        "The user wants the weather."),
                ChatMessage.tool("sunny", "call_1", "get_weather"),
                ChatMessage.assistant("It is sunny."),
                ChatMessage.user("Thanks"));
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("type", "object");
        parameters.put("required", List.of("city"));
        parameters.put("properties", Map.of("city", Map.of("type", "string", "description", "the city")));
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", "get_weather");
        function.put("description", "Gets the weather");
        function.put("parameters", parameters);
        Map<String, Object> tool = new LinkedHashMap<>();
        tool.put("type", "function");
        tool.put("function", function);
        Clock clock = Clock.systemUTC();
        for (Think think : List.of(Think.UNSET, new Think(true, "high", true), new Think(false, "", true))) {
            render(conversation, List.of(tool), think, clock);
            render(List.of(ChatMessage.user("Hi")), List.of(), think, clock);
        }
        if (rendersSuffix()) {
            renderInsert("def f(", "):", Think.UNSET, clock);
        }
    }

    /** Ollama's {@code thinking.InferTags}: the text just around {@code {{ .Thinking }}} in the messages loop. */
    private static ThinkingTags inferTags(GoTemplate t) {
        List<String> around = t.textAround("Thinking");
        if (around.size() != 2) {
            return null;
        }
        String open = lastLine(around.get(0).strip());
        String close = firstLine(around.get(1).strip());
        return open.isEmpty() || close.isEmpty() ? null : new ThinkingTags(open, close);
    }

    private static String lastLine(String s) {
        int nl = s.lastIndexOf('\n');
        return (nl < 0 ? s : s.substring(nl + 1)).strip();
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }
}
