package dev.puna.store.internal.registry;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed {@code WWW-Authenticate} header: {@code Bearer realm="https://auth.example/token",
 * service="registry.example",scope="repository:ns/model:pull"} or {@code Basic realm="..."}.
 *
 * @param scheme {@code bearer} or {@code basic} (lower case)
 * @param params the parameters, keys in lower case
 */
public record AuthChallenge(String scheme, Map<String, String> params) {

    /** Parses one challenge; empty if the header is not one this client understands. */
    public static Optional<AuthChallenge> parse(String header) {
        if (header == null) {
            return Optional.empty();
        }
        String h = header.trim();
        int space = h.indexOf(' ');
        String scheme = (space < 0 ? h : h.substring(0, space)).toLowerCase(Locale.ROOT);
        if (!scheme.equals("bearer") && !scheme.equals("basic")) {
            return Optional.empty();
        }
        Map<String, String> params = new LinkedHashMap<>();
        int i = space < 0 ? h.length() : space + 1;
        while (i < h.length()) {
            while (i < h.length() && (h.charAt(i) == ' ' || h.charAt(i) == ',')) {
                i++;
            }
            int eq = h.indexOf('=', i);
            if (eq < 0) {
                break;
            }
            String key = h.substring(i, eq).trim().toLowerCase(Locale.ROOT);
            i = eq + 1;
            StringBuilder value = new StringBuilder();
            if (i < h.length() && h.charAt(i) == '"') {
                i++;
                while (i < h.length() && h.charAt(i) != '"') {
                    if (h.charAt(i) == '\\' && i + 1 < h.length()) {
                        i++;
                    }
                    value.append(h.charAt(i++));
                }
                i++; // closing quote
            } else {
                while (i < h.length() && h.charAt(i) != ',') {
                    value.append(h.charAt(i++));
                }
            }
            params.put(key, value.toString().trim());
        }
        return Optional.of(new AuthChallenge(scheme, params));
    }

    /** The token service URL (Bearer). */
    public String realm() {
        return params.getOrDefault("realm", "");
    }
}
