package dev.puna.http.internal.responses;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.Responses;
import dev.puna.http.internal.openai.OpenAiErrors;
import dev.puna.http.internal.stateful.NamedSse;
import io.vertx.ext.web.RoutingContext;

/**
 * Where a response's progress goes: a stream of typed events, one JSON answer at the end, or nowhere (a background
 * response nobody streams).
 */
interface ResponseSink {
    /** One stream event of {@code type} with {@code fields} (its {@code sequence_number} added). */
    void event(String type, ObjectNode fields);

    /** The response ended (completed, incomplete, cancelled or failed): {@code response} as it ended. */
    void finish(ObjectNode response);

    /** The response could not run at all (nothing was generated): an error in OpenAI's format. */
    void fail(ApiException error);

    /** Nobody listens. */
    ResponseSink NONE = new ResponseSink() {
        @Override
        public void event(String type, ObjectNode fields) {
        }

        @Override
        public void finish(ObjectNode response) {
        }

        @Override
        public void fail(ApiException error) {
        }
    };

    /** One JSON object at the end: the response, or the error with its status. */
    static ResponseSink json(RoutingContext rc) {
        return new ResponseSink() {
            @Override
            public void event(String type, ObjectNode fields) {
            }

            @Override
            public void finish(ObjectNode response) {
                Responses.json(rc, 200, ResponsesApi.write(response));
            }

            @Override
            public void fail(ApiException error) {
                Responses.fail(rc, error, OpenAiErrors.INSTANCE);
            }
        };
    }

    /**
     * Server-sent events as OpenAI streams responses: {@code event: <type>} and data
     * {@code {"type":<type>,"sequence_number":n,...}}, n counting from 0; the terminal event
     * ({@code response.completed}, {@code response.incomplete}, {@code response.failed}) ends the stream. No
     * top-level {@code error} key ever appears in the data (openai-java refuses it).
     */
    static ResponseSink stream(NamedSse sse) {
        return new ResponseSink() {
            private int sequence;

            @Override
            public void event(String type, ObjectNode fields) {
                ObjectNode e = JsonBody.MAPPER.createObjectNode();
                e.put("type", type);
                e.put("sequence_number", sequence++);
                e.setAll(fields);
                sse.event(type, e);
            }

            @Override
            public void finish(ObjectNode response) {
                String status = response.path("status").asText();
                String type = switch (status) {
                    case "incomplete" -> "response.incomplete";
                    // OpenAI defines no event for a cancelled response: failed is the one that says it did not finish.
                    case "failed", "cancelled" -> "response.failed";
                    default -> "response.completed";
                };
                ObjectNode e = JsonBody.MAPPER.createObjectNode();
                e.put("type", type);
                e.put("sequence_number", sequence++);
                e.set("response", response);
                sse.event(type, e);
                sse.end();
            }

            @Override
            public void fail(ApiException error) {
                // Before anything was streamed the client still gets a response.failed, so its helper ends cleanly.
                ObjectNode e = JsonBody.MAPPER.createObjectNode();
                e.put("type", "error");
                e.put("sequence_number", sequence++);
                e.put("code", error.code() != null ? error.code() : error.status() >= 500 ? "server_error"
                        : "invalid_request_error");
                e.put("message", error.getMessage());
                e.put("param", error.param());
                sse.event("error", e);
                sse.end();
            }
        };
    }
}
