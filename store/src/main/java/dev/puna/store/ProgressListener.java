package dev.puna.store;

/**
 * Receives the {@link Progress} updates of a store operation. Every operation calls its listener only on the
 * thread that called the operation, in order, so an implementation needs no synchronization of its own; it should
 * return quickly (e.g. write one NDJSON line). An exception thrown by the listener aborts the operation (leaving
 * the store consistent, as a cancellation does) and propagates to the caller.
 */
@FunctionalInterface
public interface ProgressListener {
    /** A listener that ignores every update. */
    ProgressListener NONE = progress -> { };

    /** Receives one update. */
    void onProgress(Progress progress);
}
