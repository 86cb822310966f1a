package dev.puna.store;

/**
 * A model's manifest or config blob exists but cannot be used: invalid JSON, a layer blob missing from disk, no
 * model layer. The message names the model and the file. HTTP 500: the store, not the request, is at fault.
 */
public final class CorruptModelException extends StoreException {
    private static final long serialVersionUID = 1L;

    /** A damaged model described by {@code message}, which names the model and the file. */
    public CorruptModelException(String message) {
        super(message);
    }

    /** A damaged model described by {@code message}, found because of {@code cause}. */
    public CorruptModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
