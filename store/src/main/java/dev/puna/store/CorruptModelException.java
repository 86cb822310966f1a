package dev.puna.store;

/**
 * A model's manifest or config blob exists but cannot be used: invalid JSON, a layer blob missing from disk, no
 * model layer. The message names the model and the file. HTTP 500: the store, not the request, is at fault.
 */
public final class CorruptModelException extends StoreException {
    private static final long serialVersionUID = 1L;

    public CorruptModelException(String message) {
        super(message);
    }

    public CorruptModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
