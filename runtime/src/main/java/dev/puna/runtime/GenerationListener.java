package dev.puna.runtime;

/**
 * Receives a generation's events, in order, on the thread running the generation (never concurrently). It
 * should return quickly: the next decode step waits for it. An exception thrown here ends the generation and
 * propagates to the caller of {@code generate}.
 */
@FunctionalInterface
public interface GenerationListener {
    /** A listener that ignores events (for callers that only want the final result). */
    GenerationListener NONE = event -> { };

    void onToken(TokenEvent event);
}
