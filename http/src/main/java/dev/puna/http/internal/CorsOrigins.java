package dev.puna.http.internal;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The CORS allowlist: Ollama's default origins (localhost, 127.0.0.1 and 0.0.0.0 on any port over http or https;
 * the app, file, tauri and vscode-webview schemes) plus {@code PUNA_ORIGINS}, whose entries may use {@code *}
 * wildcards ({@code *} alone allows every origin). Requests without an Origin header (every non-browser client)
 * are not affected.
 *
 * <p>An allowed origin gets {@code Access-Control-Allow-Origin} (the origin itself, with {@code Vary: Origin}) on
 * every response; its preflight ({@code OPTIONS} with {@code Access-Control-Request-Method}) is answered 204 at once,
 * before the key check (browsers send preflights without credentials), with exactly {@link #METHODS} and
 * {@link #HEADERS}. A disallowed origin gets a 403 in the family's format and no CORS header at all.
 */
public final class CorsOrigins {
    /** The methods a preflight allows, as sent. */
    public static final String METHODS = "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS";
    /**
     * The request headers a preflight allows, as sent: Ollama's list (what OpenAI's SDKs send from a browser,
     * the {@code x-stainless-*} family included) plus the key and version headers of Anthropic's clients.
     */
    public static final String HEADERS = String.join(", ", List.of("Authorization", "Content-Type", "User-Agent",
            "Accept", "X-Requested-With", "OpenAI-Beta", "x-api-key", "anthropic-version", "anthropic-beta",
            "anthropic-dangerous-direct-browser-access", "X-Stainless-Arch", "X-Stainless-Async",
            "X-Stainless-Custom-Poll-Interval", "X-Stainless-Helper-Method", "X-Stainless-Lang", "X-Stainless-OS",
            "X-Stainless-Package-Version", "X-Stainless-Poll-Helper", "X-Stainless-Retry-Count",
            "X-Stainless-Runtime", "X-Stainless-Runtime-Version", "X-Stainless-Timeout"));
    /** How long a browser may cache a preflight answer, in seconds. */
    static final String MAX_AGE = "600";

    private CorsOrigins() {
    }

    /** The regular expressions an origin is matched against (whole-string). */
    public static List<String> patterns(List<String> extra) {
        List<String> out = new ArrayList<>();
        out.add("https?://(localhost|127\\.0\\.0\\.1|0\\.0\\.0\\.0|\\[::1\\])(:[0-9]+)?");
        for (String scheme : List.of("app", "file", "tauri", "vscode-webview")) {
            out.add(Pattern.quote(scheme + "://") + ".*");
        }
        for (String origin : extra) {
            out.add(glob(origin));
        }
        return out;
    }

    /** {@code http://*.example.com} → a regex where each {@code *} matches anything. */
    static String glob(String origin) {
        StringBuilder b = new StringBuilder();
        String[] parts = origin.split("\\*", -1);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                b.append(".*");
            }
            if (!parts[i].isEmpty()) {
                b.append(Pattern.quote(parts[i]));
            }
        }
        return b.toString();
    }

    /** The handler enforcing the allowlist; refusals are rendered by {@code renderer}. */
    public static Handler<RoutingContext> handler(List<String> extra, Function<RoutingContext, ErrorRenderer> renderer) {
        Pattern allowed = Pattern.compile(String.join("|", patterns(extra).stream().map(p -> "(?:" + p + ")")
                .toList()));
        return rc -> {
            HttpServerResponse response = rc.response();
            response.headers().add("Vary", "Origin");
            String origin = rc.request().getHeader("Origin");
            if (origin == null) {
                rc.next();
                return;
            }
            if (!allowed.matcher(origin).matches()) {
                Responses.fail(rc, ApiException.forbidden("forbidden: origin '" + (origin.length() > 100
                        ? origin.substring(0, 100) + "..." : origin) + "' is not allowed (PUNA_ORIGINS)"),
                        renderer.apply(rc));
                return;
            }
            response.putHeader("Access-Control-Allow-Origin", origin);
            if (rc.request().method() == HttpMethod.OPTIONS
                    && rc.request().getHeader("Access-Control-Request-Method") != null) {
                response.putHeader("Access-Control-Allow-Methods", METHODS)
                        .putHeader("Access-Control-Allow-Headers", HEADERS)
                        .putHeader("Access-Control-Max-Age", MAX_AGE)
                        .putHeader("Content-Length", "0")
                        .setStatusCode(204).end();
                return;
            }
            rc.next();
        };
    }
}
