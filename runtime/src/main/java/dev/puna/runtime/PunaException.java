package dev.puna.runtime;

/**
 * Base of every exception the Puna runtime throws on purpose. Unchecked, because callers of an inference
 * library rarely can recover locally; the HTTP layer maps each subtype to a status code and an error body in
 * the client's API format.
 */
public class PunaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PunaException(String message) {
        super(message);
    }

    public PunaException(String message, Throwable cause) {
        super(message, cause);
    }
}
