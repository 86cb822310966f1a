package dev.puna.http.internal.stateful;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.JsonBody;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * A server-sent event stream with named events, as the Assistants and Responses APIs stream them: each event is
 * {@code event: <name>} and one {@code data:} line of JSON. Writes go through the response's own context in the
 * order they are made, so events may be produced on another thread or context. Writing to a client that left does
 * nothing (the work goes on: runs are server-side objects).
 */
public final class NamedSse {
    private final HttpServerResponse response;
    private final Context context;

    /** Starts writing to {@code response}, owned by {@code context}. */
    public NamedSse(HttpServerResponse response, Context context) {
        this.response = response;
        this.context = context;
    }

    /** Sends the stream's head (status 200, {@code text/event-stream}); call on the response's context. */
    public void open() {
        if (!response.headWritten()) {
            response.setChunked(true).setStatusCode(200)
                    .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                    .putHeader("Cache-Control", "no-cache");
        }
    }

    /** One event. */
    public void event(String name, ObjectNode data) {
        write("event: " + name + "\ndata: " + write(data) + "\n\n", false);
    }

    /** One event whose data is {@code raw} as is (e.g. {@code [DONE]}), then the end of the stream. */
    public void end(String name, String raw) {
        write("event: " + name + "\ndata: " + raw + "\n\n", true);
    }

    /** Ends the stream without another event. */
    public void end() {
        write(null, true);
    }

    private void write(String text, boolean last) {
        context.runOnContext(v -> {
            if (response.closed() || response.ended()) {
                return;
            }
            open();
            if (last) {
                if (text == null) {
                    response.end();
                } else {
                    response.end(Buffer.buffer(text));
                }
            } else {
                response.write(Buffer.buffer(text));
            }
        });
    }

    private static String write(ObjectNode data) {
        try {
            return JsonBody.MAPPER.writeValueAsString(data);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
