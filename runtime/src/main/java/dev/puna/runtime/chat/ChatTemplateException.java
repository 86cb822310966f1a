package dev.puna.runtime.chat;

import dev.puna.runtime.PunaException;
import java.io.Serial;
import java.util.OptionalInt;

/**
 * A chat template could not be compiled or rendered, or the template itself rejected the conversation.
 *
 * <ul>
 *   <li>{@linkplain #raisedByTemplate() Raised by the template}: the template called
 *       {@code raise_exception(message)}; {@link #getMessage()} is that message, verbatim (for example Mistral's
 *       {@code "After the optional system message, conversation roles must alternate user/assistant/..."}).
 *       The request is at fault, not the template.</li>
 *   <li>Otherwise a Jinja syntax or runtime error; the message carries Jinjava's description and the template
 *       line, which {@link #line()} also returns.</li>
 * </ul>
 */
public final class ChatTemplateException extends PunaException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final int line;
    private final boolean raisedByTemplate;

    /**
     * A template error without a known line.
     *
     * @param message what went wrong
     */
    public ChatTemplateException(String message) {
        this(message, null, 0, false);
    }

    /**
     * A template error without a known line, caused by {@code cause}.
     *
     * @param message what went wrong
     * @param cause the underlying failure
     */
    public ChatTemplateException(String message, Throwable cause) {
        this(message, cause, 0, false);
    }

    /**
     * A template error at a known line.
     *
     * @param message what went wrong; for {@code raisedByTemplate}, the template's message verbatim
     * @param cause the underlying failure, or {@code null}
     * @param line 1-based template line, or 0 when unknown
     * @param raisedByTemplate whether the template called {@code raise_exception}
     */
    public ChatTemplateException(String message, Throwable cause, int line, boolean raisedByTemplate) {
        super(message, cause);
        this.line = Math.max(0, line);
        this.raisedByTemplate = raisedByTemplate;
    }

    /** The 1-based line of the template where the error occurred, when known. */
    public OptionalInt line() {
        return line > 0 ? OptionalInt.of(line) : OptionalInt.empty();
    }

    /**
     * Whether the template rejected the conversation with {@code raise_exception}; then {@link #getMessage()} is
     * the template's message, unchanged.
     */
    public boolean raisedByTemplate() {
        return raisedByTemplate;
    }
}
