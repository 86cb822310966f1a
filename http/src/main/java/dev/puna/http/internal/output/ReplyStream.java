package dev.puna.http.internal.output;

import dev.puna.runtime.tools.ToolCallEvent;
import dev.puna.runtime.tools.ToolCallStream;
import java.util.ArrayList;
import java.util.List;

/**
 * One generation's streamed text as {@link ToolCallEvent}s: with tools, a {@link ToolCallStream} finds the calls
 * (tool-call text never comes out as content; text that might begin a call is held back until it is certain);
 * without, every piece is {@link ToolCallEvent.Content} as it arrives. When the model's reasoning is split off
 * ({@code think}), a {@link ThinkingSplitter} takes it out first: {@link #takeThinking} returns what the last
 * {@link #push} or {@link #finish} found of it, which always comes before any content. Feed each token event's text
 * to {@link #push} in order, then call {@link #finish} once. For one generation; not thread-safe (use it on the
 * request's context).
 */
public final class ReplyStream {
    private final ToolCallStream calls;
    private final ThinkingSplitter thinking;
    private final StringBuilder thought = new StringBuilder();

    ReplyStream(ToolCallStream calls, ThinkingSplitter thinking) {
        this.calls = calls;
        this.thinking = thinking;
    }

    /** The events the next piece of text makes certain, in order (possibly none). */
    public List<ToolCallEvent> push(String text) {
        if (thinking == null) {
            return answer(text);
        }
        return pieces(thinking.push(text));
    }

    /** The last events: held-back text, and a call the output ended inside (as incomplete). */
    public List<ToolCallEvent> finish() {
        List<ToolCallEvent> out = new ArrayList<>();
        if (thinking != null) {
            out.addAll(pieces(thinking.finish()));
        }
        if (calls != null) {
            out.addAll(calls.finish());
        }
        return out;
    }

    /** The reasoning found since the last call, or the empty string. */
    public String takeThinking() {
        String t = thought.toString();
        thought.setLength(0);
        return t;
    }

    private List<ToolCallEvent> pieces(List<ThinkingSplitter.Piece> pieces) {
        List<ToolCallEvent> out = new ArrayList<>();
        for (ThinkingSplitter.Piece p : pieces) {
            if (p.thinking()) {
                thought.append(p.text());
            } else {
                out.addAll(answer(p.text()));
            }
        }
        return out;
    }

    private List<ToolCallEvent> answer(String text) {
        if (calls != null) {
            return calls.push(text);
        }
        return text.isEmpty() ? List.of() : List.of(new ToolCallEvent.Content(text));
    }
}
