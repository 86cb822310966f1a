package dev.puna.http.internal.openai;

import dev.puna.http.internal.output.OutputPlan;
import dev.puna.http.internal.output.ThinkingSplitter;
import dev.puna.runtime.GenerationResult;
import dev.puna.runtime.TokenLogprob;
import dev.puna.runtime.tools.ParsedOutput;
import dev.puna.runtime.tools.ToolCallParser;
import dev.puna.runtime.tools.ToolCallStream;
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
    /** Finds tool calls in the output when the model may call tools, else {@code null}. */
    final ToolCallParser parser;
    /** The streaming side of {@link #parser}, or {@code null}. */
    final ToolCallStream calls;
    /** Log-probabilities of released text that the tool-call stream still holds back. */
    final List<TokenLogprob> carried = new ArrayList<>();
    /** Whether a tool call was streamed. */
    boolean calledTools;
    /** Splits the reasoning off the output ({@code reasoning_content}), or {@code null}. */
    final ThinkingSplitter thinking;
    private ParsedOutput parsed;
    private ThinkingSplitter.Split split;

    ChoiceState(int index, int prompt, String echo, boolean logprobs, ToolCallParser parser,
                OutputPlan.Thinking thinking) {
        this.index = index;
        this.prompt = prompt;
        this.echo = echo;
        this.logprobs = logprobs;
        this.offset = echo.codePointCount(0, echo.length());
        this.parser = parser;
        this.calls = parser == null ? null : parser.stream();
        this.thinking = thinking == null ? null
                : new ThinkingSplitter(thinking.open(), thinking.close(), thinking.startInside());
    }

    /** A choice whose reasoning, if any, stays in its content. */
    ChoiceState(int index, int prompt, String echo, boolean logprobs, ToolCallParser parser) {
        this(index, prompt, echo, logprobs, parser, null);
    }

    /** The whole output's reasoning and the rest (once it ended; only with {@link #thinking}). */
    ThinkingSplitter.Split split() {
        if (split == null) {
            split = thinking.split(text.toString());
        }
        return split;
    }

    /** The output without its reasoning. */
    String answer() {
        return thinking == null ? text.toString() : split().content();
    }

    /** The whole output split into content and tool calls (once it ended; only with a {@link #parser}). */
    ParsedOutput parsed() {
        if (parsed == null) {
            parsed = parser.parse(answer());
        }
        return parsed;
    }
}
