package dev.puna.runtime.tools;

/**
 * What a {@link ToolCallStream} found in the text fed so far. In order, per call: {@link CallStarted}, any number of
 * {@link ArgumentsDelta}s, {@link CallEnded}; {@link Content} events can come before, between and after calls.
 * These map directly onto OpenAI's streamed {@code delta.content} and {@code delta.tool_calls} (start: id, type and
 * function name with empty arguments; deltas: argument fragments) and onto Ollama's {@code message.tool_calls} (sent
 * whole at {@link CallEnded}).
 */
public sealed interface ToolCallEvent {
    /** Reply text outside tool calls. */
    record Content(String text) implements ToolCallEvent {
    }

    /** A call began: its name is known. */
    record CallStarted(int index, String id, String name) implements ToolCallEvent {
    }

    /** More of a call's arguments text; the deltas of one call concatenate to {@link ParsedToolCall#arguments()}. */
    record ArgumentsDelta(int index, String text) implements ToolCallEvent {
    }

    /** A call ended (or the output ended inside it: see {@link ParsedToolCall#complete()}). */
    record CallEnded(ParsedToolCall call) implements ToolCallEvent {
    }
}
