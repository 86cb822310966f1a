package dev.puna.http.internal;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/** Writing whole JSON responses and error responses, the same way for every route. */
public final class Responses {
    /** Routing-context key under which a route notes the failure it answered with, for the request log. */
    public static final String ERROR_KEY = "puna.error";

    private Responses() {
    }

    /** Ends the response with {@code status} and a JSON body. */
    public static void json(RoutingContext rc, int status, String json) {
        HttpServerResponse r = rc.response();
        r.setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8");
        if (rc.request().method() == HttpMethod.HEAD) {
            r.putHeader("Content-Length", Integer.toString(json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
            r.end();
        } else {
            r.end(json);
        }
    }

    /**
     * Ends the response with {@code error} in {@code renderer}'s format, unless the response already ended or its
     * connection closed. A stream that already sent its head gets the renderer's mid-stream error instead.
     */
    public static void fail(RoutingContext rc, ApiException error, ErrorRenderer renderer) {
        rc.put(ERROR_KEY, error);
        HttpServerResponse r = rc.response();
        if (r.ended() || r.closed()) {
            return;
        }
        if (r.headWritten()) {
            r.end(renderer.streamError(error));
            return;
        }
        r.setStatusCode(error.status()).putHeader("Content-Type", "application/json; charset=utf-8");
        if (error.kind() == ApiException.Kind.UNAUTHENTICATED) {
            r.putHeader("WWW-Authenticate", "Bearer");
        }
        if (error.retryAfterSeconds() > 0) {
            r.putHeader("Retry-After", Integer.toString(error.retryAfterSeconds()));
        }
        if (rc.request().method() == HttpMethod.HEAD) {
            r.end();
        } else {
            r.end(renderer.body(error));
        }
    }
}
