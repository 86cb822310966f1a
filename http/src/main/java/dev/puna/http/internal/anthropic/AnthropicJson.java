package dev.puna.http.internal.anthropic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.ResponseIds;
import dev.puna.runtime.FinishReason;
import io.vertx.core.http.HttpServerResponse;

/** JSON and server-sent-event helpers of the Anthropic routes. */
final class AnthropicJson {
    private AnthropicJson() {
    }

    static ObjectNode object() {
        return JsonBody.MAPPER.createObjectNode();
    }

    static String write(Object o) {
        return JsonBody.write(o);
    }

    /** A fresh id as Anthropic writes them: {@code msg_} or {@code toolu_} and 24 letters and digits. */
    static String id(String prefix) {
        return ResponseIds.next(prefix + "_");
    }

    /** One named server-sent event: Anthropic's streams carry the event type in {@code event:} and in the data. */
    static String event(String type, ObjectNode data) {
        return "event: " + type + "\ndata: " + write(data) + "\n\n";
    }

    /** Writes the head of an event stream unless it is written already. */
    static void head(HttpServerResponse response) {
        if (!response.headWritten()) {
            response.setChunked(true).setStatusCode(200)
                    .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                    .putHeader("Cache-Control", "no-cache");
        }
    }

    /**
     * {@code stop_reason} for how a generation ended (a request stop sequence is told apart by the caller):
     * the model's own end is {@code end_turn}, a token limit or a full context {@code max_tokens}.
     */
    static String stopReason(FinishReason reason) {
        return switch (reason) {
            case LENGTH, CONTEXT_FULL -> "max_tokens";
            case STOP, EOS, CANCELLED -> "end_turn";
        };
    }

    /**
     * Anthropic's {@code usage}: {@code input_tokens} are the prompt tokens evaluated, those reused from the KV
     * cache are {@code cache_read_input_tokens} (the three add up to the prompt, as in Anthropic's accounting).
     */
    static ObjectNode usage(int promptTokens, int cachedTokens, int outputTokens) {
        ObjectNode u = object();
        u.put("input_tokens", promptTokens - cachedTokens);
        u.put("cache_creation_input_tokens", 0);
        u.put("cache_read_input_tokens", cachedTokens);
        u.put("output_tokens", outputTokens);
        return u;
    }
}
