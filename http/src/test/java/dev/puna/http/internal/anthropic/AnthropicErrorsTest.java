package dev.puna.http.internal.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.puna.http.internal.ApiException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Anthropic's error shape and the error type of each kind of failure, whole and mid-stream. */
class AnthropicErrorsTest {
    @Test
    void eachKindHasAnthropicsErrorType() {
        record Case(ApiException error, String type) {
        }
        for (Case c : List.of(new Case(ApiException.badParameter("max_tokens", "m"), "invalid_request_error"),
                new Case(ApiException.unauthenticated("m", "invalid_api_key"), "authentication_error"),
                new Case(ApiException.forbidden("m"), "permission_error"),
                new Case(ApiException.modelNotFound("x"), "not_found_error"),
                new Case(ApiException.methodNotAllowed("m"), "invalid_request_error"),
                new Case(ApiException.payloadTooLarge(10), "request_too_large"),
                new Case(ApiException.unavailable("m", 1), "overloaded_error"),
                new Case(ApiException.internal("m", null), "api_error"),
                new Case(ApiException.notImplemented("model", "m"), "invalid_request_error"))) {
            assertEquals("{\"type\":\"error\",\"error\":{\"type\":\"" + c.type() + "\",\"message\":\""
                    + c.error().getMessage() + "\"}}", AnthropicErrors.INSTANCE.body(c.error()).toString());
        }
    }

    @Test
    void midStreamAnErrorIsAnErrorEvent() {
        assertEquals("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":"
                + "\"server shutting down\"}}\n\n", AnthropicErrors.INSTANCE.streamError(ApiException.unavailable(
                "server shutting down", 1)).toString());
    }
}
