package dev.puna.http.internal.gotemplate;

/**
 * A Go template that cannot be parsed, uses a construct this engine does not run, or fails while executing (a
 * field a value does not have, a function applied to the wrong kind of value). The message names the construct.
 */
public final class TemplateException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public TemplateException(String message) {
        super(message);
    }
}
