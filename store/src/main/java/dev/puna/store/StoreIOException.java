package dev.puna.store;

import java.io.IOException;

/** Reading or writing the store's files failed (disk full, permissions, ...). HTTP 500. */
public final class StoreIOException extends StoreException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what the store was doing
     * @param cause the I/O error
     */
    public StoreIOException(String message, IOException cause) {
        super(message + ": " + cause, cause);
    }
}
