package dev.puna.http;

/**
 * Where a {@link PunaServer} is in its life, as {@code GET /health} reports it: 200 only while {@link #SERVING};
 * 503 while {@link #STARTING} (listening, not ready yet) and while {@link #DRAINING} (shutting down: a load balancer
 * should stop sending requests while those in flight finish).
 */
public enum ServerState {
    STARTING, SERVING, DRAINING
}
