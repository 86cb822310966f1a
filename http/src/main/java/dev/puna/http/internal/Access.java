package dev.puna.http.internal;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * Who may call: with API keys configured, every request needs one ({@code Authorization: Bearer <key>}, or
 * {@code x-api-key: <key>} as Anthropic's clients send it) except the public routes, matched on the exact method
 * and path, never by prefix, so a new route is protected unless it is added here: {@code GET /}, {@code HEAD /},
 * {@code GET /api/version}, {@code GET /health}, and {@code GET /metrics} when {@code PUNA_METRICS_PUBLIC=true}.
 * CORS preflights are answered before this check (a browser sends no credentials with them). A missing or wrong
 * key is a 401 with {@code WWW-Authenticate: Bearer} in the format of the family owning the path.
 */
final class Access implements Handler<RoutingContext> {
    private static final Set<String> PUBLIC = Set.of("GET /", "HEAD /", "GET /api/version", "GET /health");

    private final ApiKeys keys;
    private final boolean metricsPublic;
    private final Function<RoutingContext, ErrorRenderer> renderer;

    Access(ApiKeys keys, boolean metricsPublic, Function<RoutingContext, ErrorRenderer> renderer) {
        this.keys = keys;
        this.metricsPublic = metricsPublic;
        this.renderer = renderer;
    }

    @Override
    public void handle(RoutingContext rc) {
        if (!keys.enabled() || isPublic(rc)) {
            rc.next();
            return;
        }
        String key = presentedKey(rc.request());
        if (key == null) {
            Responses.fail(rc, ApiException.unauthenticated("missing API key: send it as 'Authorization: Bearer "
                    + "<key>' (or 'x-api-key: <key>')", null), renderer.apply(rc));
        } else if (!keys.accepts(key)) {
            Responses.fail(rc, ApiException.unauthenticated("invalid API key", "invalid_api_key"),
                    renderer.apply(rc));
        } else {
            rc.next();
        }
    }

    private boolean isPublic(RoutingContext rc) {
        HttpServerRequest r = rc.request();
        String path = r.path();
        // Both spellings must match: a raw path that normalizes to a public one ("/x/../health") is not public.
        if (path == null || !path.equals(rc.normalizedPath())) {
            return false;
        }
        if (metricsPublic && r.method() == HttpMethod.GET && path.equals("/metrics")) {
            return true;
        }
        return PUBLIC.contains(r.method().name() + " " + path);
    }

    /** The key from {@code Authorization: Bearer} (scheme in any case), else {@code x-api-key}; null if none. */
    static String presentedKey(HttpServerRequest r) {
        String auth = r.getHeader("Authorization");
        if (auth != null && !auth.isBlank()) {
            String a = auth.strip();
            if (a.equalsIgnoreCase("bearer")) {
                return null; // "Bearer" and nothing after it: no key given
            }
            if (a.length() > 7 && a.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
                return a.substring(7).strip();
            }
            return a; // another scheme: no key of ours, so it is a wrong one, not a missing one
        }
        String apiKey = r.getHeader("x-api-key");
        return apiKey == null || apiKey.isBlank() ? null : apiKey.strip();
    }
}
