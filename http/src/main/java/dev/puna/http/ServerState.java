package dev.puna.http;

/**
 * Where a {@link PunaServer} is in its life, for readiness checks: only {@link #SERVING} takes new requests.
 */
public enum ServerState {
    /** Binding its address; requests that arrive get 503. */
    STARTING,
    /** Taking requests. */
    SERVING,
    /**
     * Shutting down ({@link PunaServer#drain}): requests in flight go on, new ones get 503 in their API's format.
     */
    DRAINING,
    /** Closed: no longer listening, models unloaded. */
    STOPPED
}
