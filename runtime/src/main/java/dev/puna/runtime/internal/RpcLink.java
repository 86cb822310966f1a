package dev.puna.runtime.internal;

import dev.puna.runtime.RpcWorkerException;
import dev.puna.runtime.rpc.RpcEndpoint;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * One model's tie to its RPC workers, from before its load until it is freed: who to tell when a worker is lost
 * (the load waiting for llama.cpp, the engines running on it) and whether one was.
 */
public final class RpcLink implements AutoCloseable {
    private final List<RpcEndpoint> endpoints;
    private final List<Consumer<RpcWorkerException>> listeners = new CopyOnWriteArrayList<>();
    private volatile RpcWorkerException lost;

    private RpcLink(List<RpcEndpoint> endpoints) {
        this.endpoints = List.copyOf(endpoints);
    }

    /**
     * Checks the workers answer and registers the link.
     *
     * @throws RpcWorkerException when one does not
     */
    public static RpcLink open(List<RpcEndpoint> endpoints) {
        RpcWorkers.requireReachable(endpoints);
        RpcLink link = new RpcLink(endpoints);
        RpcWorkers.register(link);
        return link;
    }

    public List<RpcEndpoint> endpoints() {
        return endpoints;
    }

    /** Tells {@code listener} when a worker is lost; at once if one already was. */
    public void onLost(Consumer<RpcWorkerException> listener) {
        listeners.add(listener);
        RpcWorkerException e = lost;
        if (e != null) {
            listener.accept(e);
        }
    }

    /** Why the model is unusable, or null while its workers answer. */
    public RpcWorkerException lost() {
        return lost;
    }

    /** Throws {@link #lost()} if set. */
    public void requireAlive() {
        RpcWorkerException e = lost;
        if (e != null) {
            throw new RpcWorkerException(e.getMessage());
        }
    }

    void lose(RpcWorkerException e) {
        if (lost != null) {
            return;
        }
        lost = e;
        for (Consumer<RpcWorkerException> l : listeners) {
            try {
                l.accept(e);
            } catch (RuntimeException ignored) {
                // one listener's failure must not keep the others from hearing
            }
        }
    }

    @Override
    public void close() {
        RpcWorkers.deregister(this);
    }
}
