package dev.puna.http.internal.anthropic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.ErrorRenderer;
import io.vertx.core.buffer.Buffer;

/**
 * Anthropic's error format, {@code {"type":"error","error":{"type":...,"message":...}}}, with the error type
 * Anthropic uses for each status ({@code invalid_request_error} 400, {@code authentication_error} 401,
 * {@code permission_error} 403, {@code not_found_error} 404, {@code request_too_large} 413, {@code api_error} 500,
 * {@code overloaded_error} for a full queue), so that the SDKs raise the exception a caller expects. After a stream
 * began, the same object is an {@code event: error} server-sent event, which is how Anthropic's clients learn of a
 * failure mid-stream.
 */
public final class AnthropicErrors implements ErrorRenderer {
    public static final AnthropicErrors INSTANCE = new AnthropicErrors();

    private AnthropicErrors() {
    }

    @Override
    public Buffer body(ApiException error) {
        return Buffer.buffer(AnthropicJson.write(object(error)));
    }

    @Override
    public Buffer streamError(ApiException error) {
        return Buffer.buffer(AnthropicJson.event("error", object(error)));
    }

    /** The error object for {@code error}. */
    static ObjectNode object(ApiException error) {
        ObjectNode o = AnthropicJson.object();
        o.put("type", "error");
        o.putObject("error").put("type", type(error)).put("message", error.getMessage());
        return o;
    }

    static String type(ApiException error) {
        return switch (error.kind()) {
            case BAD_REQUEST, METHOD_NOT_ALLOWED, NOT_IMPLEMENTED -> "invalid_request_error";
            case UNAUTHORIZED, UNAUTHENTICATED -> "authentication_error";
            case FORBIDDEN -> "permission_error";
            case NOT_FOUND -> "not_found_error";
            case PAYLOAD_TOO_LARGE -> "request_too_large";
            case UNAVAILABLE -> "overloaded_error";
            case CLIENT_CLOSED, INTERNAL, BAD_GATEWAY -> "api_error";
        };
    }
}
