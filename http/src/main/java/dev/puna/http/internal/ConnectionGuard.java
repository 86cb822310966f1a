package dev.puna.http.internal;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Bounds what connections may hold: at most {@code PUNA_MAX_CONNECTIONS} open at once (one more is closed as it
 * arrives); a new connection must deliver complete request headers within {@code PUNA_HEADER_TIMEOUT}, so a client
 * that trickles its headers byte by byte (slowloris) is dropped while the event loops keep serving everyone else;
 * and a connection with no request in flight is closed after {@code PUNA_IDLE_TIMEOUT}, which also bounds how long
 * the headers of a keep-alive connection's next request may take. A request in flight is never timed out here:
 * generations may take minutes without a byte on the wire (a model loading, a queue, a long non-streamed answer).
 *
 * <p>Install {@link #connected} as the server's connection handler and {@link #handle} as the router's first
 * handler. Each connection's state is touched only on its event loop.
 */
public final class ConnectionGuard implements Handler<RoutingContext> {
    private static final Logger LOG = LogManager.getLogger(ConnectionGuard.class);
    /** Refusals are logged at most this often, so a flood cannot flood the log too. */
    private static final long LOG_EVERY_NANOS = 10_000_000_000L;

    private final Vertx vertx;
    private final int maxConnections;
    private final long headerTimeoutMillis;
    private final long idleTimeoutMillis;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong lastRefusalLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
    private final Map<HttpConnection, State> states = new ConcurrentHashMap<>();

    /** One connection's requests in flight and its pending timer. */
    private static final class State {
        int inFlight;
        long timer = -1;
        boolean closed;
    }

    /**
     * @param headerTimeout zero: none
     * @param idleTimeout zero: none
     */
    public ConnectionGuard(Vertx vertx, int maxConnections, Duration headerTimeout, Duration idleTimeout) {
        this.vertx = vertx;
        this.maxConnections = maxConnections;
        this.headerTimeoutMillis = headerTimeout.toMillis();
        this.idleTimeoutMillis = idleTimeout.toMillis();
    }

    /** Open connections now. */
    public int open() {
        return open.get();
    }

    /** The server's connection handler. */
    public void connected(HttpConnection conn) {
        int now = open.incrementAndGet();
        State state = new State();
        conn.closeHandler(v -> {
            state.closed = true;
            cancel(state);
            states.remove(conn);
            open.decrementAndGet();
        });
        if (now > maxConnections) {
            long last = lastRefusalLog.get();
            if (System.nanoTime() - last >= LOG_EVERY_NANOS && lastRefusalLog.compareAndSet(last, System.nanoTime())) {
                LOG.warn("refusing connections from {} and others: {} are open (PUNA_MAX_CONNECTIONS)",
                        conn.remoteAddress(), maxConnections);
            }
            conn.close();
            return;
        }
        states.put(conn, state);
        arm(conn, state, headerTimeoutMillis, "its request headers took longer than PUNA_HEADER_TIMEOUT");
    }

    /** The router's first handler: a request's headers arrived; the connection is busy until it ends. */
    @Override
    public void handle(RoutingContext rc) {
        HttpConnection conn = rc.request().connection();
        State state = conn == null ? null : states.get(conn);
        if (state != null) {
            state.inFlight++;
            cancel(state);
            rc.addEndHandler(ended -> {
                state.inFlight--;
                if (state.inFlight == 0 && !state.closed) {
                    arm(conn, state, idleTimeoutMillis, "it was idle for PUNA_IDLE_TIMEOUT");
                }
            });
        }
        rc.next();
    }

    private void arm(HttpConnection conn, State state, long millis, String why) {
        cancel(state);
        if (millis <= 0) {
            return;
        }
        state.timer = vertx.setTimer(millis, id -> {
            state.timer = -1;
            if (state.inFlight == 0 && !state.closed) {
                LOG.debug("closing the connection from {}: {}", conn.remoteAddress(), why);
                conn.close();
            }
        });
    }

    private void cancel(State state) {
        if (state.timer >= 0) {
            vertx.cancelTimer(state.timer);
            state.timer = -1;
        }
    }
}
