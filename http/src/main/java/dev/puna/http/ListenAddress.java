package dev.puna.http;

/**
 * A host and port in Ollama's {@code OLLAMA_HOST} syntax, as {@code PUNA_HOST} takes them: {@code host},
 * {@code host:port}, {@code :port}, {@code [v6]:port}, optionally prefixed with {@code http://}. The server binds
 * it ({@link ServerConfig.Builder#listen}); the CLI's client commands connect to it, which is why the parsing lives
 * here and not in {@link ServerConfig}, whose builder reads the machine's memory through JMX.
 *
 * @param host the host, {@code 127.0.0.1} when the spec names none
 * @param port the port, {@value ServerConfig#DEFAULT_PORT} when the spec names none; 0 picks a free one
 */
public record ListenAddress(String host, int port) {
    /**
     * @throws ServerConfigException naming {@code PUNA_HOST} for anything that is not a host and port
     */
    public ListenAddress {
        if (port < 0 || port > 65535) {
            throw Invalid.because("port must be between 0 and 65535, got " + port);
        }
    }

    /**
     * Parses {@code spec}.
     *
     * @throws ServerConfigException naming {@code PUNA_HOST} for anything else
     */
    public static ListenAddress parse(String spec) {
        String s = spec.strip();
        int scheme = s.indexOf("://");
        if (scheme >= 0) {
            if (!s.substring(0, scheme).equalsIgnoreCase("http")) {
                throw Invalid.because("only http:// is supported, got '" + spec + "'");
            }
            s = s.substring(scheme + 3);
        }
        int slash = s.indexOf('/');
        if (slash >= 0) {
            s = s.substring(0, slash);
        }
        String h;
        String p = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw Invalid.because("unclosed '[' in '" + spec + "'");
            }
            h = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (rest.startsWith(":")) {
                p = rest.substring(1);
            } else if (!rest.isEmpty()) {
                throw Invalid.because("unexpected '" + rest + "' in '" + spec + "'");
            }
        } else if (s.indexOf(':') != s.lastIndexOf(':')) {
            h = s; // a bare IPv6 address
        } else {
            int colon = s.indexOf(':');
            h = colon < 0 ? s : s.substring(0, colon);
            p = colon < 0 ? null : s.substring(colon + 1);
        }
        if (h.isEmpty()) {
            h = "127.0.0.1";
        }
        if (!h.matches("[A-Za-z0-9._:%-]+")) {
            throw Invalid.because("invalid host '" + h + "' in '" + spec + "'");
        }
        int portNumber = ServerConfig.DEFAULT_PORT;
        if (p != null) {
            try {
                portNumber = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw Invalid.because("invalid port '" + p + "' in '" + spec + "'");
            }
        }
        return new ListenAddress(h, portNumber);
    }

    /**
     * Builds the exception in a class of its own: the verifier loads the classes a method throws, and
     * {@link ServerConfigException} extends the runtime's {@code PunaException}, which a CLI client command
     * (connecting to a valid {@code PUNA_HOST}) should not load.
     */
    private static final class Invalid {
        static RuntimeException because(String message) {
            return new ServerConfigException("PUNA_HOST", message);
        }
    }
}
