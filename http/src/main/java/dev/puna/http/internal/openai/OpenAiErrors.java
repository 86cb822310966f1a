package dev.puna.http.internal.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.ErrorRenderer;
import dev.puna.http.internal.JsonBody;
import io.vertx.core.buffer.Buffer;

/**
 * OpenAI's error format, {@code {"error":{"message","type","param","code"}}}, with the {@code type} and
 * {@code code} OpenAI uses for each status, so that SDKs raise the exception a caller expects (400
 * {@code BadRequestException}, 404 {@code NotFoundException}, ...). After a stream began, the same object is sent as
 * an SSE event, then {@code data: [DONE]}, which is how OpenAI clients learn of a failure mid-stream.
 */
public final class OpenAiErrors implements ErrorRenderer {
    public static final OpenAiErrors INSTANCE = new OpenAiErrors();

    private OpenAiErrors() {
    }

    @Override
    public Buffer body(ApiException error) {
        return Buffer.buffer(OpenAiJson.write(object(error)));
    }

    @Override
    public Buffer streamError(ApiException error) {
        return Buffer.buffer(Sse.event(object(error)) + Sse.DONE);
    }

    /** The error object for {@code error}. */
    static ObjectNode object(ApiException error) {
        ObjectNode o = JsonBody.MAPPER.createObjectNode();
        ObjectNode e = o.putObject("error");
        e.put("message", error.getMessage());
        e.put("type", type(error));
        e.put("param", error.param());
        e.put("code", code(error));
        return o;
    }

    private static String type(ApiException error) {
        return switch (error.kind()) {
            // OpenAI itself answers a missing or wrong key with invalid_request_error (and code invalid_api_key).
            case BAD_REQUEST, NOT_FOUND, METHOD_NOT_ALLOWED, PAYLOAD_TOO_LARGE, FORBIDDEN, NOT_IMPLEMENTED,
                 UNAUTHENTICATED -> "invalid_request_error";
            case UNAUTHORIZED -> "authentication_error";
            case CLIENT_CLOSED, INTERNAL, BAD_GATEWAY, UNAVAILABLE -> "server_error";
        };
    }

    private static String code(ApiException error) {
        if (error.code() != null) {
            return error.code();
        }
        return switch (error.kind()) {
            case NOT_FOUND -> "model".equals(error.param()) ? "model_not_found" : null;
            case METHOD_NOT_ALLOWED -> "method_not_allowed";
            case PAYLOAD_TOO_LARGE -> "request_too_large";
            case NOT_IMPLEMENTED -> "unsupported_feature";
            case UNAVAILABLE -> "server_busy";
            case BAD_REQUEST, UNAUTHORIZED, UNAUTHENTICATED, FORBIDDEN, CLIENT_CLOSED, INTERNAL, BAD_GATEWAY -> null;
        };
    }
}
