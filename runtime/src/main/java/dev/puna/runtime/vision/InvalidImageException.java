package dev.puna.runtime.vision;

import dev.puna.runtime.InvalidParameterException;

/**
 * An image payload Puna cannot use: not a PNG, JPEG, GIF or WebP file, a corrupt or truncated one, or one too large
 * to decode safely. Always the client's mistake, so it is an {@link InvalidParameterException} (HTTP 400) whose
 * parameter is {@code images}; {@link #problem()} is the reason alone, for an API that names the field its own way.
 */
public final class InvalidImageException extends InvalidParameterException {
    private static final long serialVersionUID = 1L;
    private final String problem;

    public InvalidImageException(String problem) {
        super("images", problem);
        this.problem = problem;
    }

    /** What is wrong with the image, without the parameter name. */
    public String problem() {
        return problem;
    }
}
