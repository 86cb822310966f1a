package dev.puna.http.internal.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.runtime.TokenLogprob;
import java.util.List;

/**
 * Chat choices: {@code message} in a {@code chat.completion}, {@code delta} in a {@code chat.completion.chunk}. The
 * first chunk of a choice carries {@code delta.role}, later ones {@code delta.content} (or
 * {@code delta.tool_calls} entries, see {@link #toolCallDelta}), the last one an empty delta and the
 * {@code finish_reason}. Nullable fields OpenAI always sends ({@code logprobs}, {@code finish_reason},
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
    public ObjectNode delta(ChoiceState choice, String text, List<TokenLogprob> logprobs) {
        ObjectNode delta = OpenAiJson.object();
        delta.put("content", text);
        return choice(choice.index, delta, choice.logprobs ? logprobs : null, null);
    }

    @Override
    public ObjectNode finish(ChoiceState choice, String finishReason) {
        return choice(choice.index, OpenAiJson.object(), null, finishReason);
    }

    @Override
    public ObjectNode whole(ChoiceState choice, String finishReason) {
        ObjectNode c = OpenAiJson.object();
        c.put("index", choice.index);
        ObjectNode message = c.putObject("message");
        message.put("role", "assistant");
        message.put("content", choice.text.toString());
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
