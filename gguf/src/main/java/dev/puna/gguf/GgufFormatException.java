package dev.puna.gguf;

import java.io.IOException;

/**
 * A file is not a valid GGUF file. The message names the file and says what is wrong with it, e.g.
 * {@code "model.gguf: not a GGUF file (magic 0x464c457f)"}.
 */
public final class GgufFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception whose message is exactly {@code message}. */
    public GgufFormatException(String message) {
        super(message);
    }
}
