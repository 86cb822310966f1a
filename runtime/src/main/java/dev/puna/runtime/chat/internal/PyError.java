package dev.puna.runtime.chat.internal;

import java.io.Serial;

/**
 * A Python-level error inside a template (a {@code TypeError} or {@code ValueError} in Jinja): a bad argument to
 * a string method or filter. Jinjava records it as a template error; {@link JinjaEngine} turns that into a
 * {@link dev.puna.runtime.chat.ChatTemplateException}.
 *
 * <p>Deliberately not an {@link IllegalArgumentException}: Jinjava's method dispatch swallows those and
 * returns None, which would hide the mistake.
 */
final class PyError extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    PyError(String message) {
        super(message, null, false, false);
    }
}
