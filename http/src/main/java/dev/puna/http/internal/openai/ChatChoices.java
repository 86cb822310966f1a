package dev.puna.http.internal.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.output.ThinkingSplitter;
import dev.puna.runtime.TokenLogprob;
import dev.puna.runtime.tools.ParsedOutput;
import dev.puna.runtime.tools.ParsedToolCall;
import dev.puna.runtime.tools.ToolCallEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * Chat choices: {@code message} in a {@code chat.completion}, {@code delta} in a {@code chat.completion.chunk}. The
 * first chunk of a choice carries {@code delta.role}, later ones {@code delta.content} or, when the model may call
 * tools, {@code delta.tool_calls} entries as its output's {@code ToolCallStream} finds them (see
 * {@link #toolCallDelta}), the last one an empty delta and the {@code finish_reason} ({@code tool_calls} when it
 * called tools). A whole response carries the parsed {@code message.tool_calls}. Nullable fields OpenAI always sends ({@code logprobs}, {@code finish_reason},
 * {@code refusal}) are sent as {@code null}, as the SDKs require them present.
 */
final class ChatChoices implements ChoiceFormat {
    static final ChatChoices INSTANCE = new ChatChoices();

    private ChatChoices() {
    }

    @Override
    public String object() {
        return "chat.completion";
    }

    @Override
    public String chunkObject() {
        return "chat.completion.chunk";
    }

    @Override
    public ObjectNode opening(int index) {
        ObjectNode delta = OpenAiJson.object();
        delta.put("role", "assistant");
        delta.put("content", "");
        return choice(index, delta, null, null);
    }

    @Override
    public List<ObjectNode> delta(ChoiceState choice, String text, List<TokenLogprob> logprobs) {
        if (choice.thinking != null) {
            choice.carried.addAll(logprobs);
            return pieces(choice, choice.thinking.push(text));
        }
        if (choice.calls == null) {
            return List.of(content(choice.index, text, choice.logprobs ? logprobs : null));
        }
        choice.carried.addAll(logprobs);
        return chunks(choice, choice.calls.push(text));
    }

    @Override
    public List<ObjectNode> flush(ChoiceState choice) {
        List<ObjectNode> out = new ArrayList<>();
        if (choice.thinking != null) {
            out.addAll(pieces(choice, choice.thinking.finish()));
        }
        if (choice.calls != null) {
            out.addAll(chunks(choice, choice.calls.finish()));
        }
        return out;
    }

    /**
     * Reasoning as {@code delta.reasoning_content} chunks (as llama-server streams it), the answer as usual; the
     * log-probabilities held so far go with the first chunk.
     */
    private static List<ObjectNode> pieces(ChoiceState choice, List<ThinkingSplitter.Piece> pieces) {
        List<ObjectNode> out = new ArrayList<>();
        for (ThinkingSplitter.Piece p : pieces) {
            if (p.thinking()) {
                ObjectNode delta = OpenAiJson.object();
                delta.put("reasoning_content", p.text());
                out.add(choice(choice.index, delta, takeCarried(choice), null));
            } else if (choice.calls == null) {
                out.add(content(choice.index, p.text(), takeCarried(choice)));
            } else {
                out.addAll(chunks(choice, choice.calls.push(p.text())));
            }
        }
        return out;
    }

    private static List<TokenLogprob> takeCarried(ChoiceState choice) {
        if (!choice.logprobs) {
            return null;
        }
        List<TokenLogprob> taken = List.copyOf(choice.carried);
        choice.carried.clear();
        return taken;
    }

    /**
     * What the tool-call stream found, as chunks: content deltas, and {@code delta.tool_calls} entries for calls
     * (the start naming the call, then argument fragments). Log-probabilities of the text go with the first chunk
     * that carries some of it.
     */
    private static List<ObjectNode> chunks(ChoiceState choice, List<ToolCallEvent> events) {
        List<ObjectNode> out = new ArrayList<>(events.size());
        for (ToolCallEvent e : events) {
            ObjectNode c = switch (e) {
                case ToolCallEvent.Content content -> content(choice.index, content.text(), null);
                case ToolCallEvent.CallStarted start -> {
                    choice.calledTools = true;
                    yield toolCallDelta(choice.index, start.index(), start.id(), start.name(), "");
                }
                case ToolCallEvent.ArgumentsDelta args -> toolCallDelta(choice.index, args.index(), null, null,
                        args.text());
                case ToolCallEvent.CallEnded ended -> null;
            };
            if (c == null) {
                continue;
            }
            if (choice.logprobs && !choice.carried.isEmpty()) {
                logprobs(c, choice.carried);
                choice.carried.clear();
            }
            out.add(c);
        }
        return out;
    }

    /** {@code tool_calls} when the model called tools (and was not cut off), else as the generation ended. */
    @Override
    public String finishReason(ChoiceState choice) {
        String reason = OpenAiJson.finishReason(choice.result.finishReason());
        boolean called = choice.parser != null && (choice.calledTools || choice.parsed().hasToolCalls());
        return called && reason.equals("stop") ? "tool_calls" : reason;
    }

    /** The last chunk; it carries the log-probabilities of text no chunk showed (a tool call's closing marker). */
    @Override
    public ObjectNode finish(ChoiceState choice, String finishReason) {
        List<TokenLogprob> rest = choice.logprobs && !choice.carried.isEmpty() ? List.copyOf(choice.carried) : null;
        choice.carried.clear();
        return choice(choice.index, OpenAiJson.object(), rest, finishReason);
    }

    @Override
    public ObjectNode whole(ChoiceState choice, String finishReason) {
        ObjectNode c = OpenAiJson.object();
        c.put("index", choice.index);
        ObjectNode message = c.putObject("message");
        message.put("role", "assistant");
        if (choice.thinking != null && !choice.split().thinking().isEmpty()) {
            message.put("reasoning_content", choice.split().thinking());
        }
        if (choice.parser == null) {
            message.put("content", choice.answer());
        } else {
            ParsedOutput parsed = choice.parsed();
            // OpenAI sends null content for a reply that only calls tools.
            message.put("content", parsed.content().isEmpty() && parsed.hasToolCalls() ? null : parsed.content());
            if (parsed.hasToolCalls()) {
                ArrayNode calls = message.putArray("tool_calls");
                for (ParsedToolCall call : parsed.toolCalls()) {
                    ObjectNode entry = calls.addObject();
                    entry.put("id", call.id());
                    entry.put("type", "function");
                    entry.putObject("function").put("name", call.name()).put("arguments", call.arguments());
                }
            }
        }
        message.putNull("refusal");
        logprobs(c, choice.logprobs ? choice.released : null);
        c.put("finish_reason", finishReason);
        return c;
    }

    /**
     * A chunk choice carrying one tool call's start or argument fragment as a {@code delta.tool_calls} entry:
     * the first fragment of a call names it ({@code id}, {@code type}, {@code function.name}, empty
     * {@code arguments}), later ones carry only {@code index} and {@code function.arguments}.
     *
     * @param id the call's id on its first fragment, else {@code null}
     * @param name the function's name on the first fragment, else {@code null}
     */
    static ObjectNode toolCallDelta(int choice, int call, String id, String name, String arguments) {
        ObjectNode delta = OpenAiJson.object();
        ObjectNode entry = delta.putArray("tool_calls").addObject();
        entry.put("index", call);
        if (id != null) {
            entry.put("id", id);
            entry.put("type", "function");
        }
        ObjectNode function = entry.putObject("function");
        if (name != null) {
            function.put("name", name);
        }
        function.put("arguments", arguments);
        return choice(choice, delta, null, null);
    }

    private static ObjectNode content(int index, String text, List<TokenLogprob> logprobs) {
        ObjectNode delta = OpenAiJson.object();
        delta.put("content", text);
        return choice(index, delta, logprobs, null);
    }

    private static ObjectNode choice(int index, ObjectNode delta, List<TokenLogprob> logprobs, String finishReason) {
        ObjectNode c = OpenAiJson.object();
        c.put("index", index);
        c.set("delta", delta);
        logprobs(c, logprobs);
        c.put("finish_reason", finishReason);
        return c;
    }

    private static void logprobs(ObjectNode choice, List<TokenLogprob> logprobs) {
        if (logprobs == null) {
            choice.putNull("logprobs");
            return;
        }
        ObjectNode o = choice.putObject("logprobs");
        ArrayNode content = OpenAiJson.chatLogprobs(logprobs);
        o.set("content", content);
        o.putNull("refusal");
    }
}
