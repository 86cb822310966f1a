package dev.puna.http.internal;

import dev.puna.http.ServerConfig;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;

/**
 * Builds the server's router: the shared handlers every request passes (request log, Host check, CORS allowlist,
 * API key check, capped body, except for the paths a family {@linkplain RouteFamily#streamsBody streams}), each {@link RouteFamily}'s
 * routes, and one failure path that renders every error (thrown by a route,
 * 404/405 for unmatched requests, 413 for oversized bodies) in the format of the family owning the path.
 */
public final class ServerRouter {
    private ServerRouter() {
    }

    /** The router for {@code families}, in order of precedence, with metrics of its own (for tests). */
    public static Router create(Vertx vertx, ServerConfig config, List<RouteFamily> families) {
        return create(vertx, config, families, new Metrics(java.util.Map::of));
    }

    /** The router for {@code families}, in order of precedence, reporting to {@code metrics} and serving them. */
    public static Router create(Vertx vertx, ServerConfig config, List<RouteFamily> families, Metrics metrics) {
        return create(vertx, config, families, metrics, ApiKeys.of(config.apiKeys(), config.apiKeyFile()));
    }

    /**
     * The router for {@code families}, in order of precedence, reporting to {@code metrics} and serving them, with
     * the API keys {@code keys} (which the caller may reload).
     */
    public static Router create(Vertx vertx, ServerConfig config, List<RouteFamily> families, Metrics metrics,
                                ApiKeys keys) {
        return create(vertx, config, families, metrics, keys, null);
    }

    /**
     * The router as above, serving {@code GET /health} with {@code health} (null: no such route).
     */
    public static Router create(Vertx vertx, ServerConfig config, List<RouteFamily> families, Metrics metrics,
                                ApiKeys keys, io.vertx.core.Handler<RoutingContext> health) {
        return create(vertx, config, families, metrics, keys, health, ServerLifecycle.serving());
    }

    /**
     * The router as above, letting requests in while {@code lifecycle} does (a draining server answers 503).
     */
    public static Router create(Vertx vertx, ServerConfig config, List<RouteFamily> families, Metrics metrics,
                                ApiKeys keys, io.vertx.core.Handler<RoutingContext> health,
                                ServerLifecycle lifecycle) {
        Router router = Router.router(vertx);
        RequestLog log = new RequestLog(metrics);
        router.route().handler(log);
        router.route().handler(new HostCheck(config.host(), config.allowedHosts(), rc -> renderer(families, rc)));
        router.route().handler(CorsOrigins.handler(config.origins(), rc -> renderer(families, rc)));
        // After CORS, which answers preflights (browsers send them without credentials) and adds its headers to
        // the 401s, so that a page can read why it was refused.
        router.route().handler(new Access(keys, config.metricsPublic(), rc -> renderer(families, rc)));
        // After the checks above, so that a draining server still refuses strangers as it always does.
        router.route().handler(lifecycle);
        BodyHandler body = BodyHandler.create(false).setBodyLimit(config.maxBodyBytes());
        router.route().handler(rc -> {
            String path = rc.normalizedPath();
            if (families.stream().anyMatch(f -> f.streamsBody(path))) {
                rc.next();
            } else {
                body.handle(rc);
            }
        });
        router.get("/metrics").handler(metrics.handler());
        if (health != null) {
            router.get("/health").handler(health);
        }
        for (RouteFamily family : families) {
            family.register(router);
        }
        log.routePatterns(router.getRoutes().stream().map(io.vertx.ext.web.Route::getPath)
                .filter(java.util.Objects::nonNull).distinct().toList());
        router.route().failureHandler(rc -> {
            Throwable failure = rc.failure();
            ApiException error;
            if (rc.statusCode() == 413) {
                error = ApiException.payloadTooLarge(config.maxBodyBytes());
            } else if (failure == null || (!(Errors.unwrap(failure) instanceof dev.puna.runtime.PunaException)
                    && !(Errors.unwrap(failure) instanceof ApiException) && rc.statusCode() >= 400
                    && rc.statusCode() < 500)) {
                // A Vert.x handler (CORS, body) failed the request with a status of its own.
                int status = rc.statusCode() > 0 ? rc.statusCode() : 500;
                error = ApiException.ofStatus(status, failure != null && failure.getMessage() != null
                        ? failure.getMessage() : statusText(status));
            } else {
                error = Errors.toApi(failure);
            }
            Responses.fail(rc, error, renderer(families, rc));
        });
        router.errorHandler(404, rc -> Responses.fail(rc,
                ApiException.notFound("404 page not found: " + rc.request().method() + " " + rc.request().path()),
                renderer(families, rc)));
        router.errorHandler(405, rc -> Responses.fail(rc,
                ApiException.methodNotAllowed("405 method not allowed: " + rc.request().method() + " "
                        + rc.request().path()), renderer(families, rc)));
        return router;
    }

    private static String statusText(int status) {
        return switch (status) {
            case 400 -> "bad request";
            case 403 -> "forbidden";
            default -> "request failed with status " + status;
        };
    }

    private static ErrorRenderer renderer(List<RouteFamily> families, RoutingContext rc) {
        String path = rc.request().path();
        for (RouteFamily f : families) {
            if (f.owns(path)) {
                return f.errors();
            }
        }
        return families.getLast().errors();
    }

}
