package dev.puna.runtime.completion;

import dev.puna.runtime.InvalidParameterException;

/**
 * A code-completion template is malformed (an unclosed brace), names a placeholder that does not exist, or names a
 * special token the model does not have. {@link #placeholder()} is the offending placeholder as written, without
 * braces (empty for a malformed template).
 */
public final class CompletionTemplateException extends InvalidParameterException {
    private static final long serialVersionUID = 1L;
    private final String placeholder;

    /**
     * @param placeholder the offending placeholder as written, without braces ({@code ""} if none)
     * @param message what is wrong
     */
    public CompletionTemplateException(String placeholder, String message) {
        super("template", message);
        this.placeholder = placeholder;
    }

    /** The offending placeholder as written, without braces ({@code ""} if the template is malformed). */
    public String placeholder() {
        return placeholder;
    }
}
