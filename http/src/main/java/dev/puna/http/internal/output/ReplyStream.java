package dev.puna.http.internal.output;

import dev.puna.runtime.tools.ToolCallEvent;
import dev.puna.runtime.tools.ToolCallStream;
import java.util.List;

/**
 * One generation's streamed text as {@link ToolCallEvent}s: with tools, a {@link ToolCallStream} finds the calls
 * (tool-call text never comes out as content; text that might begin a call is held back until it is certain);
 * without, every piece is {@link ToolCallEvent.Content} as it arrives. Feed each token event's text to {@link #push}
 * in order, then call {@link #finish} once. For one generation; not thread-safe (use it on the request's context).
 */
public final class ReplyStream {
    private final ToolCallStream calls;

    ReplyStream(ToolCallStream calls) {
        this.calls = calls;
    }

    /** The events the next piece of text makes certain, in order (possibly none). */
    public List<ToolCallEvent> push(String text) {
        if (calls != null) {
            return calls.push(text);
        }
        return text.isEmpty() ? List.of() : List.of(new ToolCallEvent.Content(text));
    }

    /** The last events: held-back text, and a call the output ended inside (as incomplete). */
    public List<ToolCallEvent> finish() {
        return calls == null ? List.of() : calls.finish();
    }
}
