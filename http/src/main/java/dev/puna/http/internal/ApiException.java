package dev.puna.http.internal;

import java.util.Objects;

/**
 * The one error type of the HTTP layer: a status, a message for the client, and what each API's error format
 * may add (the offending parameter for OpenAI's {@code param}, a Retry-After for 503). Handlers throw it or fail
 * with it; {@link Errors#toApi} maps every other exception onto it; each API family renders it in its own
 * format through an {@link ErrorRenderer}.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The kinds of failure, each with its HTTP status. */
    public enum Kind {
        BAD_REQUEST(400),
        /** A registry refused the credentials (or their absence) for a pull or push. */
        UNAUTHORIZED(401),
        /**
         * The caller's own API key for this server is missing or wrong (sent with {@code WWW-Authenticate: Bearer});
         * after {@link #UNAUTHORIZED} so that {@link ApiException#ofStatus} keeps choosing that one for a 401.
         */
        UNAUTHENTICATED(401),
        FORBIDDEN(403),
        NOT_FOUND(404),
        METHOD_NOT_ALLOWED(405),
        PAYLOAD_TOO_LARGE(413),
        /** The client went away before the response was complete (Ollama's 499). */
        CLIENT_CLOSED(499),
        INTERNAL(500),
        NOT_IMPLEMENTED(501),
        /** An upstream server (a model registry) failed: the server itself is fine. */
        BAD_GATEWAY(502),
        /** Too many requests queued, or no room to load a model now: try again later. */
        UNAVAILABLE(503);

        private final int status;

        Kind(int status) {
            this.status = status;
        }

        /** The HTTP status code. */
        public int status() {
            return status;
        }
    }

    private final Kind kind;
    private final String param;
    private final int retryAfterSeconds;
    private final String code;

    private ApiException(Kind kind, String message, String param, int retryAfterSeconds, Throwable cause) {
        this(kind, message, param, retryAfterSeconds, cause, null);
    }

    private ApiException(Kind kind, String message, String param, int retryAfterSeconds, Throwable cause,
                         String code) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.param = param;
        this.retryAfterSeconds = retryAfterSeconds;
        this.code = code;
    }

    /**
     * This error with a machine-readable code of the API's own ({@code previous_response_not_found}, ...), which
     * formats with a {@code code} field (OpenAI's) show instead of the one they derive from the kind.
     */
    public ApiException withCode(String newCode) {
        return new ApiException(kind, getMessage(), param, retryAfterSeconds, getCause(), newCode);
    }

    /**
     * A 401 for a request without an acceptable API key of this server.
     *
     * @param code a machine-readable code for formats that carry one ({@code invalid_api_key} for a wrong key),
     *     or null (a missing key)
     */
    public static ApiException unauthenticated(String message, String code) {
        return new ApiException(Kind.UNAUTHENTICATED, message, null, 0, null, code);
    }

    public static ApiException badRequest(String message) {
        return new ApiException(Kind.BAD_REQUEST, message, null, 0, null);
    }

    /** A 400 about one request field or option, named as the client wrote it. */
    public static ApiException badParameter(String param, String message) {
        return new ApiException(Kind.BAD_REQUEST, message, param, 0, null);
    }

    public static ApiException notFound(String message) {
        return new ApiException(Kind.NOT_FOUND, message, null, 0, null);
    }

    /** Ollama's wording for an unknown model. */
    public static ApiException modelNotFound(String name) {
        return new ApiException(Kind.NOT_FOUND, "model '" + name + "' not found", "model", 0, null);
    }

    /** A 403: the request may not be made here at all (a Host or Origin this server does not serve). */
    public static ApiException forbidden(String message) {
        return new ApiException(Kind.FORBIDDEN, message, null, 0, null);
    }

    public static ApiException methodNotAllowed(String message) {
        return new ApiException(Kind.METHOD_NOT_ALLOWED, message, null, 0, null);
    }

    public static ApiException payloadTooLarge(long limit) {
        return new ApiException(Kind.PAYLOAD_TOO_LARGE,
                "request body is larger than " + limit + " bytes (PUNA_MAX_BODY_SIZE)", null, 0, null);
    }

    public static ApiException clientClosed() {
        return new ApiException(Kind.CLIENT_CLOSED, "client closed the connection", null, 0, null);
    }

    /** A feature the API defines that this server does not implement yet: never silently ignored. */
    public static ApiException notImplemented(String param, String message) {
        return new ApiException(Kind.NOT_IMPLEMENTED, message, param, 0, null);
    }

    public static ApiException unavailable(String message, int retryAfterSeconds) {
        return new ApiException(Kind.UNAVAILABLE, message, null, retryAfterSeconds, null);
    }

    /**
     * An error for a status another component chose (a Vert.x handler that failed the request with a code),
     * with {@code message}; statuses without a kind of their own become 400 or 500.
     */
    public static ApiException ofStatus(int status, String message) {
        for (Kind k : Kind.values()) {
            if (k.status == status) {
                return new ApiException(k, message, null, 0, null);
            }
        }
        return new ApiException(status >= 400 && status < 500 ? Kind.BAD_REQUEST : Kind.INTERNAL, message, null, 0,
                null);
    }

    public static ApiException internal(String message, Throwable cause) {
        return new ApiException(Kind.INTERNAL, message, null, 0, cause);
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP status code. */
    public int status() {
        return kind.status();
    }

    /** The request field or option at fault, or {@code null}. */
    public String param() {
        return param;
    }

    /** A machine-readable error code chosen where the error was raised (e.g. {@code invalid_api_key}), or null. */
    public String code() {
        return code;
    }

    /** Seconds for a Retry-After header, or 0 for none. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
