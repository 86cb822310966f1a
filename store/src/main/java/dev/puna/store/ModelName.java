package dev.puna.store;

import java.util.Locale;
import java.util.Objects;

/**
 * A fully qualified model name, {@code host/namespace/model:tag}, parsed by Ollama's grammar
 * ({@code types/model/name.go}):
 * <pre>
 *   name      = [[host "/"] namespace "/"] model [":" tag]
 *   host      = [A-Za-z0-9_] [A-Za-z0-9_.:-]{0,349}     (an optional "http://" or "https://" is dropped)
 *   namespace = [A-Za-z0-9_] [A-Za-z0-9_-]{0,79}
 *   model     = [A-Za-z0-9_] [A-Za-z0-9_.-]{0,79}
 *   tag       = [A-Za-z0-9_] [A-Za-z0-9_.-]{0,79}
 * </pre>
 * Missing parts default to {@value #DEFAULT_HOST}, {@value #DEFAULT_NAMESPACE} and {@value #DEFAULT_TAG}.
 *
 * <p>Names match case-insensitively, as in Ollama: {@link #equals} and {@link #hashCode} ignore ASCII case, while
 * the parts keep the case they were written with (the store keeps the spelling a model was first stored under).
 *
 * <p>Because no part may contain a path separator, start with a dot, or hold anything but the characters above,
 * every name maps to a directory path inside the store; {@link #parse} is the only way to make one. Immutable.
 */
public final class ModelName {
    /** The registry a name without a host refers to. */
    public static final String DEFAULT_HOST = "registry.ollama.ai";
    /** The namespace a name without one refers to. */
    public static final String DEFAULT_NAMESPACE = "library";
    /** The tag a name without one refers to. */
    public static final String DEFAULT_TAG = "latest";

    private static final int MAX_HOST = 350;
    private static final int MAX_PART = 80;

    private final String host;
    private final String namespace;
    private final String model;
    private final String tag;

    private ModelName(String host, String namespace, String model, String tag) {
        this.host = host;
        this.namespace = namespace;
        this.model = model;
        this.tag = tag;
    }

    /**
     * Parses {@code name} and fills in the defaults.
     *
     * @throws InvalidModelNameException naming the part that breaks the grammar
     */
    public static ModelName parse(String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidModelNameException(String.valueOf(name), "the name is empty");
        }
        String s = name;
        String tag = null;
        // ':' is not allowed in a tag but is in a host ("localhost:5000/ns/model"): only a colon after the last
        // slash starts the tag.
        int colon = s.lastIndexOf(':');
        if (colon > s.lastIndexOf('/')) {
            tag = s.substring(colon + 1);
            s = s.substring(0, colon);
            require(name, "tag", tag, MAX_PART, false);
        }
        String host = null;
        String namespace = null;
        String model;
        int slash = s.lastIndexOf('/');
        if (slash < 0) {
            model = s;
        } else {
            model = s.substring(slash + 1);
            s = s.substring(0, slash);
            int slash2 = s.lastIndexOf('/');
            if (slash2 < 0) {
                namespace = s;
            } else {
                namespace = s.substring(slash2 + 1);
                host = s.substring(0, slash2);
                if (host.startsWith("http://")) {
                    host = host.substring("http://".length());
                } else if (host.startsWith("https://")) {
                    host = host.substring("https://".length());
                }
                require(name, "host", host, MAX_HOST, true);
            }
            require(name, "namespace", namespace, MAX_PART, false);
        }
        require(name, "model", model, MAX_PART, false);
        return new ModelName(host == null ? DEFAULT_HOST : host, namespace == null ? DEFAULT_NAMESPACE : namespace,
                model, tag == null ? DEFAULT_TAG : tag);
    }

    /**
     * Whether {@code name} parses; for callers that only need a yes or no (e.g. while walking directories).
     */
    public static boolean isValid(String name) {
        try {
            parse(name);
            return true;
        } catch (InvalidModelNameException e) {
            return false;
        }
    }

    /**
     * Builds a name from its four parts, each validated like {@link #parse} does (for names read back from the
     * store's directory tree).
     *
     * @throws InvalidModelNameException naming the part that breaks the grammar
     */
    public static ModelName of(String host, String namespace, String model, String tag) {
        String shown = host + "/" + namespace + "/" + model + ":" + tag;
        require(shown, "host", host, MAX_HOST, true);
        require(shown, "namespace", namespace, MAX_PART, false);
        require(shown, "model", model, MAX_PART, false);
        require(shown, "tag", tag, MAX_PART, false);
        return new ModelName(host, namespace, model, tag);
    }

    private static void require(String name, String kind, String part, int max, boolean isHost) {
        if (part == null || part.isEmpty()) {
            throw new InvalidModelNameException(name, "the " + kind + " is empty");
        }
        if (part.length() > max) {
            throw new InvalidModelNameException(name,
                    "the %s is %d characters long; at most %d are allowed".formatted(kind, part.length(), max));
        }
        if (!wordChar(part.charAt(0))) {
            throw new InvalidModelNameException(name,
                    "the %s must start with a letter, a digit or '_'".formatted(kind));
        }
        boolean dots = !kind.equals("namespace");
        for (int i = 1; i < part.length(); i++) {
            char c = part.charAt(i);
            boolean ok = wordChar(c) || c == '-' || (c == '.' && dots) || (c == ':' && isHost);
            if (!ok) {
                throw new InvalidModelNameException(name, "the %s may only contain letters, digits, '_', '-'%s"
                        .formatted(kind, isHost ? ", '.' and ':'" : dots ? " and '.'" : ""));
            }
        }
    }

    private static boolean wordChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }

    /** The registry host, e.g. {@code registry.ollama.ai} or {@code localhost:5000}. */
    public String host() {
        return host;
    }

    /** The namespace (a user or organisation), e.g. {@code library}. */
    public String namespace() {
        return namespace;
    }

    /** The model, e.g. {@code llama3.2}. */
    public String model() {
        return model;
    }

    /** The tag, e.g. {@code latest} or {@code 8b-instruct-q4_K_M}. */
    public String tag() {
        return tag;
    }

    /** This name with another tag. */
    public ModelName withTag(String newTag) {
        return of(host, namespace, model, newTag);
    }

    /** The repository path a registry serves this model under: {@code namespace/model}. */
    public String repository() {
        return namespace + "/" + model;
    }

    /**
     * Ollama's short display form ({@code DisplayShortest}): {@code model:tag} for the default host and namespace,
     * {@code namespace/model:tag} for the default host, else {@code host/namespace/model:tag}. What {@code
     * /api/tags} shows as {@code name} and {@code model}.
     */
    public String displayShortest() {
        if (!host.equalsIgnoreCase(DEFAULT_HOST)) {
            return host + "/" + namespace + "/" + model + ":" + tag;
        }
        if (!namespace.equalsIgnoreCase(DEFAULT_NAMESPACE)) {
            return namespace + "/" + model + ":" + tag;
        }
        return model + ":" + tag;
    }

    /** A key equal for names that match case-insensitively: the full name in lower case. */
    public String key() {
        return toString().toLowerCase(Locale.ROOT);
    }

    /** Whether this names a Hugging Face repository ({@code hf.co} or {@code huggingface.co}). */
    public boolean isHuggingFace() {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("hf.co") || h.equals("huggingface.co");
    }

    /** Case-insensitive, like Ollama's {@code EqualFold}. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ModelName n && key().equals(n.key());
    }

    @Override
    public int hashCode() {
        return Objects.hash(key());
    }

    /** The full name: {@code host/namespace/model:tag}. */
    @Override
    public String toString() {
        return host + "/" + namespace + "/" + model + ":" + tag;
    }
}
