package dev.puna.http.internal.openai;

import dev.puna.runtime.GenerationResult;
import dev.puna.runtime.TokenLogprob;
import java.util.ArrayList;
import java.util.List;

/**
 * One choice of a response while it is generated: its index, the text and log-probabilities released so far, and
 * its result once it ended. Touched on the request's context only.
 */
final class ChoiceState {
    final int index;
    /** Which prompt of the request this choice completes (legacy completions take several). */
    final int prompt;
    /** Text written before the completion ({@code echo}), or the empty string. */
    final String echo;
    final boolean logprobs;
    final StringBuilder text = new StringBuilder();
    /** Log-probabilities of the tokens whose text was released, in order. */
    final List<TokenLogprob> released = new ArrayList<>();
    /** Log-probabilities of tokens whose text is still held back (a partial character, a possible stop string). */
    final List<TokenLogprob> pending = new ArrayList<>();
    /** Code points written so far, echo included: where the next token's {@code text_offset} is. */
    int offset;
    GenerationResult result;

    ChoiceState(int index, int prompt, String echo, boolean logprobs) {
        this.index = index;
        this.prompt = prompt;
        this.echo = echo;
        this.logprobs = logprobs;
        this.offset = echo.codePointCount(0, echo.length());
    }
}
