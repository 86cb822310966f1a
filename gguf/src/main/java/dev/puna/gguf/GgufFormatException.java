package dev.puna.gguf;

import java.io.IOException;

/**
 * A file is not a valid GGUF file. The message names the file and says what is wrong with it, e.g.
 * {@code "model.gguf: not a GGUF file (magic 0x464c457f)"}; {@link #problem()} is what is wrong alone, for messages
 * to clients that must not show a server's file paths.
 */
public final class GgufFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String problem;

    /** Creates an exception whose message is exactly {@code message} (and so is its {@link #problem()}). */
    public GgufFormatException(String message) {
        super(message);
        this.problem = message;
    }

    /** Creates an exception whose message is {@code file + ": " + problem}. */
    public GgufFormatException(String file, String problem) {
        super(file + ": " + problem);
        this.problem = problem;
    }

    /** What is wrong with the file, without its name, e.g. {@code "not a GGUF file (magic 0x464c457f)"}. */
    public String problem() {
        return problem;
    }
}
