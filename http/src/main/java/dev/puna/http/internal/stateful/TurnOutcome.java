package dev.puna.http.internal.stateful;

import dev.puna.runtime.FinishReason;
import dev.puna.runtime.tools.ParsedToolCall;
import java.util.List;

/**
 * How a {@link Turn} ended.
 *
 * @param content the reply's text outside tool calls
 * @param toolCalls the tool calls found in the reply, in order
 * @param finishReason why generation ended ({@code CANCELLED} when the turn was cancelled, before or during it)
 * @param promptTokens tokens of the prompt
 * @param cachedTokens of them, those reused from a KV cache instead of evaluated
 * @param completionTokens tokens generated
 * @param promptTooLong whether the prompt could not be cut down to {@link Turn#maxPromptTokens()}, so nothing was
 *     generated
 */
public record TurnOutcome(String content, List<ParsedToolCall> toolCalls, FinishReason finishReason, int promptTokens,
                          int cachedTokens, int completionTokens, boolean promptTooLong) {
    public TurnOutcome {
        toolCalls = List.copyOf(toolCalls);
    }

    /** Whether the turn was cancelled. */
    public boolean cancelled() {
        return finishReason == FinishReason.CANCELLED;
    }

    /** Whether generation stopped at the token limit ({@code LENGTH}) or because the context was full. */
    public boolean cutOff() {
        return finishReason == FinishReason.LENGTH || finishReason == FinishReason.CONTEXT_FULL;
    }
}
