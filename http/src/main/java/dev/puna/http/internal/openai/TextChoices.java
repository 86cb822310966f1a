package dev.puna.http.internal.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.runtime.TokenLogprob;
import java.util.List;

/**
 * Legacy completion choices ({@code text_completion}): {@code text}, {@code index}, {@code logprobs} in the legacy
 * {@code {tokens, token_logprobs, top_logprobs, text_offset}} shape, {@code finish_reason}. With {@code echo} the
 * prompt's text comes first: at the start of a whole choice, or as the first chunk of a streamed one.
 */
final class TextChoices implements ChoiceFormat {
    static final TextChoices INSTANCE = new TextChoices();

    private TextChoices() {
    }

    @Override
    public String object() {
        return "text_completion";
    }

    @Override
    public String chunkObject() {
        return "text_completion";
    }

    @Override
    public ObjectNode opening(int index) {
        return null;
    }

    @Override
    public List<ObjectNode> delta(ChoiceState choice, String text, List<TokenLogprob> logprobs) {
        // The echoed prompt goes out with the first text of its choice.
        String echo = choice.text.isEmpty() ? choice.echo : "";
        return List.of(choice(choice.index, echo + text, choice.logprobs
                ? OpenAiJson.completionLogprobs(logprobs, choice.offset) : null, null));
    }

    @Override
    public List<ObjectNode> flush(ChoiceState choice) {
        return List.of();
    }

    @Override
    public String finishReason(ChoiceState choice) {
        return OpenAiJson.finishReason(choice.result.finishReason());
    }

    @Override
    public ObjectNode finish(ChoiceState choice, String finishReason) {
        String echo = choice.text.isEmpty() ? choice.echo : "";
        return choice(choice.index, echo, null, finishReason);
    }

    @Override
    public ObjectNode whole(ChoiceState choice, String finishReason) {
        return choice(choice.index, choice.echo + choice.text, choice.logprobs
                ? OpenAiJson.completionLogprobs(choice.released, choice.echo.codePointCount(0, choice.echo.length()))
                : null, finishReason);
    }

    private static ObjectNode choice(int index, String text, ObjectNode logprobs, String finishReason) {
        ObjectNode c = OpenAiJson.object();
        c.put("text", text);
        c.put("index", index);
        if (logprobs == null) {
            c.putNull("logprobs");
        } else {
            c.set("logprobs", logprobs);
        }
        c.put("finish_reason", finishReason);
        return c;
    }
}
