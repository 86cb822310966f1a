package dev.puna.http.internal;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The CORS allowlist: Ollama's default origins (localhost, 127.0.0.1 and 0.0.0.0 on any port over http or https;
 * the app, file, tauri and vscode-webview schemes) plus {@code PUNA_ORIGINS}, whose entries may use {@code *}
 * wildcards ({@code *} alone allows every origin). Requests without an Origin header (every non-browser client)
 * are not affected.
 */
public final class CorsOrigins {
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

    /** The Vert.x handler enforcing the allowlist. */
    public static CorsHandler handler(List<String> extra) {
        return CorsHandler.create().addOriginsWithRegex(patterns(extra))
                .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
                        HttpMethod.DELETE, HttpMethod.HEAD, HttpMethod.OPTIONS))
                .allowedHeaders(Set.of("Authorization", "Content-Type", "User-Agent", "Accept", "X-Requested-With",
                        "OpenAI-Beta", "X-Stainless-Arch", "X-Stainless-Async", "X-Stainless-Custom-Poll-Interval",
                        "X-Stainless-Helper-Method", "X-Stainless-Lang", "X-Stainless-OS",
                        "X-Stainless-Package-Version", "X-Stainless-Poll-Helper", "X-Stainless-Retry-Count",
                        "X-Stainless-Runtime", "X-Stainless-Runtime-Version", "X-Stainless-Timeout"));
    }
}
