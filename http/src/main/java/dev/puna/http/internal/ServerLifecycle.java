package dev.puna.http.internal;

import dev.puna.http.ServerState;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server's {@link ServerState} and the requests it has in flight, for a graceful shutdown. As the first
 * handler after the request log it lets requests in only while the server is {@link ServerState#SERVING} (others
 * get 503 in their API's format, with Retry-After, so a balancer's retry goes elsewhere), counts those it let in
 * until their response ends or their connection closes, and knows every open {@link GenerationStream}, so a drain
 * can wait for the requests and, at its deadline, {@linkplain GenerationStream#shutdown() cancel the generations}
 * with a proper end of stream.
 *
 * <p>{@code /health} and {@code /metrics} are still served while draining: readiness probes and scrapers must see
 * the drain rather than a refused request.
 *
 * <p>Thread-safe.
 */
public final class ServerLifecycle implements Handler<RoutingContext> {
    /** Routing-context key of the lifecycle, for {@link GenerationStream#open}. */
    static final String KEY = "puna.lifecycle";
    private static final Set<String> SERVED_WHILE_DRAINING = Set.of("/health", "/metrics");

    private volatile ServerState state;
    /** Set once the drain's deadline passed: a stream opened after it is cancelled at once. */
    private volatile boolean cancelling;
    private final Set<GenerationStream> streams = ConcurrentHashMap.newKeySet();
    private final Object lock = new Object();
    private int inFlight; // guarded by lock

    private ServerLifecycle(ServerState state) {
        this.state = state;
    }

    /** A lifecycle for a server that is about to bind ({@link ServerState#STARTING}). */
    public static ServerLifecycle starting() {
        return new ServerLifecycle(ServerState.STARTING);
    }

    /** A lifecycle already {@link ServerState#SERVING} (routers assembled by tests). */
    public static ServerLifecycle serving() {
        return new ServerLifecycle(ServerState.SERVING);
    }

    /** The 503 a request gets once the server is shutting down, before it began or in place of its answer. */
    public static ApiException shuttingDown() {
        return ApiException.unavailable("server is shutting down", 1);
    }

    /** The current state. */
    public ServerState state() {
        return state;
    }

    /** The server listens: requests are let in. */
    public void listening() {
        state = ServerState.SERVING;
    }

    /**
     * Stops letting requests in.
     *
     * @return whether this call began the drain (false when it was draining or stopped already)
     */
    public synchronized boolean startDraining() {
        if (state == ServerState.DRAINING || state == ServerState.STOPPED) {
            return false;
        }
        state = ServerState.DRAINING;
        return true;
    }

    /** The server closed. */
    public void stopped() {
        state = ServerState.STOPPED;
    }

    /** Requests let in whose responses have not ended yet. */
    public int inFlight() {
        synchronized (lock) {
            return inFlight;
        }
    }

    /**
     * Waits until no request is in flight, at most {@code timeout}.
     *
     * @return whether none is; false also when interrupted (the interrupt flag is kept)
     */
    public boolean awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (inFlight > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Cancels every open generation stream, and from now on every stream that opens, as a shutdown does.
     *
     * @return how many streams were open
     */
    public int cancelStreams() {
        cancelling = true;
        int n = 0;
        for (GenerationStream s : streams) {
            s.shutdown();
            n++;
        }
        return n;
    }

    void register(GenerationStream stream) {
        streams.add(stream);
        if (cancelling) {
            stream.shutdown();
        }
    }

    void unregister(GenerationStream stream) {
        streams.remove(stream);
    }

    @Override
    public void handle(RoutingContext rc) {
        ServerState s = state;
        if (s != ServerState.SERVING && !SERVED_WHILE_DRAINING.contains(rc.normalizedPath())) {
            rc.fail(s == ServerState.STARTING ? ApiException.unavailable("server is starting", 1) : shuttingDown());
            return;
        }
        rc.put(KEY, this);
        synchronized (lock) {
            inFlight++;
        }
        rc.addEndHandler(ended -> {
            synchronized (lock) {
                inFlight--;
                lock.notifyAll();
            }
        });
        rc.next();
    }
}
