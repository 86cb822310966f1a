package dev.puna.state;

/** A failure of the state database: it cannot be opened or migrated, or a statement failed. */
public class StateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StateException(String message) {
        super(message);
    }

    public StateException(String message, Throwable cause) {
        super(message, cause);
    }
}
