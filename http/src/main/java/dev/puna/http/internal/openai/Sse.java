package dev.puna.http.internal.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpServerResponse;

/**
 * Server-sent events as OpenAI streams them: every event is one {@code data: <json>} line and a blank line; the
 * stream ends with {@code data: [DONE]}. No {@code event:} names or ids, which OpenAI's SDKs do not expect.
 */
final class Sse {
    /** The last event of every stream. */
    static final String DONE = "data: [DONE]\n\n";

    private Sse() {
    }

    /** One event carrying {@code json}. */
    static String event(ObjectNode json) {
        return "data: " + OpenAiJson.write(json) + "\n\n";
    }

    /** Writes the head of an event stream unless it is written already. */
    static void head(HttpServerResponse response) {
        if (!response.headWritten()) {
            response.setChunked(true).setStatusCode(200)
                    .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                    .putHeader("Cache-Control", "no-cache");
        }
    }
}
