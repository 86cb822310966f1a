package dev.puna.runtime;

/**
 * One step of a generation stream, delivered in order on the generating thread.
 *
 * <p>{@code text} is the text released by this step. It can be empty (the token ended inside a multi-byte
 * UTF-8 character, or might begin a stop string and is held back) or longer than the token (held-back text
 * released). Concatenating every event's text gives exactly {@link GenerationResult#text()}. The last event of
 * a stream may carry only released text; its {@code token} is then {@link #NO_TOKEN}.
 *
 * @param index position of the token in the completion, counting from 0 ({@code -1} for a text-only event)
 * @param token the generated token id, or {@link #NO_TOKEN}
 * @param text the text released by this step, never {@code null}
 * @param logprob the token's log-probability when requested, else {@code null}
 */
public record TokenEvent(int index, int token, String text, TokenLogprob logprob) {
    /** Token id of a text-only event. */
    public static final int NO_TOKEN = -1;
}
