package dev.puna.store;

/**
 * A Modelfile that cannot be parsed or converted: an unknown command or parameter, a bad value, an unterminated
 * quote, a missing FROM. The message starts with {@code (line N)} when a line is to blame. HTTP 400.
 */
public final class ModelfileException extends InvalidRequestException {
    private static final long serialVersionUID = 1L;
    private final int line;

    /**
     * @param line the 1-based line, or 0
     * @param message what is wrong
     */
    public ModelfileException(int line, String message) {
        super(line > 0 ? "(line %d): %s".formatted(line, message) : message);
        this.line = line;
    }

    /** Like {@link #ModelfileException(int, String)}, with the cause. */
    public ModelfileException(int line, String message, Throwable cause) {
        super(line > 0 ? "(line %d): %s".formatted(line, message) : message, cause);
        this.line = line;
    }

    /** The 1-based line the problem is on, or 0 when it concerns the whole file. */
    public int line() {
        return line;
    }
}
