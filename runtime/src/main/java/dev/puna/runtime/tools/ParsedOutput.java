package dev.puna.runtime.tools;

import java.util.List;
import java.util.Objects;

/**
 * A model's reply split into text and tool calls.
 *
 * @param content the text outside tool calls (markers and the whitespace between calls removed); may be empty
 * @param toolCalls the calls in order; incomplete ones (output cut off inside) are included, marked
 */
public record ParsedOutput(String content, List<ParsedToolCall> toolCalls) {
    /** Validates and copies. */
    public ParsedOutput {
        Objects.requireNonNull(content, "content");
        toolCalls = List.copyOf(toolCalls);
    }

    /** Whether the reply holds at least one tool call. */
    public boolean hasToolCalls() {
        return !toolCalls.isEmpty();
    }
}
