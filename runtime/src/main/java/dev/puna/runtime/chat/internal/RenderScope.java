package dev.puna.runtime.chat.internal;

import java.time.ZonedDateTime;

/**
 * Per-render state that the template functions need: the clock for {@code strftime_now} and the message of the
 * first {@code raise_exception}. Bound to the rendering thread for the duration of one render, because Jinjava
 * calls template functions as static methods with no handle on the render that called them.
 *
 * <p>Confined to one thread.
 */
final class RenderScope implements AutoCloseable {
    private static final ThreadLocal<RenderScope> CURRENT = new ThreadLocal<>();

    private final ZonedDateTime now;
    private final RenderScope previous;
    private String raisedMessage;
    private int raisedLine;

    private RenderScope(ZonedDateTime now, RenderScope previous) {
        this.now = now;
        this.previous = previous;
    }

    /** Binds a new scope to this thread until {@link #close()}. */
    static RenderScope open(ZonedDateTime now) {
        RenderScope scope = new RenderScope(now, CURRENT.get());
        CURRENT.set(scope);
        return scope;
    }

    /** The scope of the render running on this thread. */
    static RenderScope current() {
        RenderScope scope = CURRENT.get();
        if (scope == null) {
            throw new IllegalStateException("no chat template render is running on this thread");
        }
        return scope;
    }

    ZonedDateTime now() {
        return now;
    }

    /** Records a {@code raise_exception}; the first one wins, as it would end the render in Python. */
    void raise(String message, int line) {
        if (raisedMessage == null) {
            raisedMessage = message;
            raisedLine = line;
        }
    }

    /** The message of the first {@code raise_exception}, or {@code null}. */
    String raisedMessage() {
        return raisedMessage;
    }

    int raisedLine() {
        return raisedLine;
    }

    @Override
    public void close() {
        if (previous == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(previous);
        }
    }
}
