package dev.puna.store;

/**
 * Base of every exception the model store throws on purpose. Unchecked, like the runtime's exceptions: the HTTP
 * layer maps each subtype to a status code ({@link #httpStatus()}) and renders the message as the error body.
 */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An error described by {@code message}. */
    public StoreException(String message) {
        super(message);
    }

    /** An error described by {@code message}, caused by {@code cause}. */
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The HTTP status an Ollama-compatible server answers with for this error: 500 here (a fault of the server or
     * its disk); subclasses that describe bad requests or missing models override it.
     */
    public int httpStatus() {
        return 500;
    }
}
