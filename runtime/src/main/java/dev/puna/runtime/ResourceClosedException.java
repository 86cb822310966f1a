package dev.puna.runtime;

/**
 * A model, session or other native-backed object was used after {@code close()}, or was closed while a call
 * on another thread was using it. The native memory is never touched after it is freed; this exception is what
 * the caller sees instead of a crash.
 */
public final class ResourceClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public ResourceClosedException(String message) {
        super(message);
    }
}
