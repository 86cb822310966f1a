package dev.puna.http.internal;

import io.vertx.ext.web.RoutingContext;

/**
 * Runs a step of a route inside a future callback, failing the request with whatever it throws: Vert.x only
 * turns exceptions into failures for the handler it calls itself, and a request whose callback threw would
 * otherwise never be answered.
 */
public final class Guard {
    private Guard() {
    }

    public static void run(RoutingContext rc, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            rc.fail(e);
        }
    }
}
