package dev.puna.http.internal.stateful;

import dev.puna.runtime.tools.ToolCallEvent;

/**
 * Receives a {@link Turn}'s progress, in order, on the turn's Vert.x context (never on the decode thread): the reply
 * as {@link ToolCallEvent}s (text, and tool calls as they are written), then exactly one of {@link #onEnd} or
 * {@link #onFailure}. Implementations must not block.
 */
public interface TurnListener {
    /** More of the reply: text, or a tool call starting, growing or ending. */
    void onEvent(ToolCallEvent event);

    /** The turn ended (completed, cut off, cancelled, or its prompt did not fit). */
    void onEnd(TurnOutcome outcome);

    /** The turn failed: the model could not be found or loaded, the prompt could not be rendered, the engine failed. */
    void onFailure(Throwable error);
}
