package dev.puna.http.internal.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.runtime.TokenLogprob;
import java.util.List;

/**
 * How one route writes its choices: chat ({@code chat.completion}, {@code message}/{@code delta}) or legacy
 * completions ({@code text_completion}, {@code text}). {@link GenerationRun} does everything else.
 */
interface ChoiceFormat {
    /** The {@code object} of a whole response. */
    String object();

    /** The {@code object} of a streamed chunk. */
    String chunkObject();

    /**
     * The choice of the chunk that opens choice {@code index} before any text (chat: {@code delta.role}), or
     * {@code null} when this format has none.
     */
    ObjectNode opening(int index);

    /**
     * The choices of the chunks that carry more text of {@code choice}, with the log-probabilities of its tokens:
     * usually one; none while text is held back (a possible tool call), several when it holds content and calls.
     */
    List<ObjectNode> delta(ChoiceState choice, String text, List<TokenLogprob> logprobs);

    /** The choices of the chunks still held back when {@code choice} ended, before its finishing chunk. */
    List<ObjectNode> flush(ChoiceState choice);

    /** OpenAI's {@code finish_reason} of an ended choice. */
    String finishReason(ChoiceState choice);

    /** The choice of the chunk that ends {@code choice}, carrying only its {@code finish_reason}. */
    ObjectNode finish(ChoiceState choice, String finishReason);

    /** The choice of a whole (non-streamed) response. */
    ObjectNode whole(ChoiceState choice, String finishReason);
}
