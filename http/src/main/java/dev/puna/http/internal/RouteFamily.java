package dev.puna.http.internal;

import io.vertx.ext.web.Router;

/**
 * One API the server speaks (Ollama's {@code /api/*}, OpenAI's {@code /v1/*}): its routes and its error format.
 * The server registers each family's routes on one router, after the shared handlers (request log, CORS, body
 * limit), and renders failures, including 404/405/413 for paths no route handled, with the renderer of the
 * first family that {@linkplain #owns owns} the path.
 */
public interface RouteFamily {
    /** Adds this family's routes. */
    void register(Router router);

    /** Whether errors on {@code path} should be rendered in this family's format. */
    boolean owns(String path);

    /** This family's error format. */
    ErrorRenderer errors();

    /**
     * Whether requests to {@code path} stream their body to the route themselves (blob uploads): such requests
     * pass no body handler, so neither the body size cap nor buffering in memory applies to them.
     */
    default boolean streamsBody(String path) {
        return false;
    }
}
