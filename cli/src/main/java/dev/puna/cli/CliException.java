package dev.puna.cli;

/**
 * A failure the CLI reports as one line, {@code Error: <message>}, with exit code 1: the server is not running,
 * answered with an error, or a local file is unusable. Not for bugs (those keep their stack trace).
 */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    CliException(String message) {
        this(message, 0, null);
    }

    CliException(String message, Throwable cause) {
        this(message, 0, cause);
    }

    /** An error the server answered with {@code status}. */
    CliException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status the server answered with, or 0 when the failure was not an error answer. */
    int status() {
        return status;
    }
}
