package dev.puna.http.internal;

import java.util.regex.Pattern;

/**
 * Ollama's model name syntax, {@code [host/][namespace/]model[:tag]}, checked before a catalog is asked, so that a
 * malformed name is a 400 ("invalid model name") and never reaches a store as a path.
 */
public final class ModelNames {
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:-]{0,349}");
    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_-]{0,79}|[A-Za-z0-9_]");
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}");

    private ModelNames() {
    }

    /** Whether {@code name} is a well-formed model name. */
    public static boolean isValid(String name) {
        if (name == null || name.isEmpty()) {
            return false;
        }
        String rest = name;
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        if (tag != null && !PART.matcher(tag).matches()) {
            return false;
        }
        String[] parts = rest.split("/", -1);
        if (parts.length > 3) {
            return false;
        }
        String model = parts[parts.length - 1];
        if (!PART.matcher(model).matches()) {
            return false;
        }
        if (parts.length >= 2 && !NAMESPACE.matcher(parts[parts.length - 2]).matches()) {
            return false;
        }
        return parts.length < 3 || HOST.matcher(parts[0]).matches();
    }

    /**
     * One spelling for every way of writing the same model name, for matching names from settings against the names
     * requests use: lower case (names are case-insensitive), Ollama's default host and namespace dropped
     * ({@code registry.ollama.ai/library/x} is {@code x}), and the default tag added ({@code x} is {@code x:latest}).
     */
    public static String canonical(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        if (n.startsWith("registry.ollama.ai/")) {
            n = n.substring("registry.ollama.ai/".length());
        }
        if (n.startsWith("library/")) {
            n = n.substring("library/".length());
        }
        return n.lastIndexOf(':') > n.lastIndexOf('/') ? n : n + ":latest";
    }

    /**
     * Checks a request's {@code model} field.
     *
     * @throws ApiException 400 "model is required" for a missing name, "invalid model name" for a malformed one
     */
    public static String require(String name) {
        if (name == null || name.isBlank()) {
            throw ApiException.badParameter("model", "model is required");
        }
        if (!isValid(name)) {
            throw ApiException.badParameter("model", "invalid model name '" + name + "'");
        }
        return name;
    }
}
