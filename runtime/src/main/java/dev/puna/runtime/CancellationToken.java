package dev.puna.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * Cancels a generation from any thread. The generation stops within one decode step: between tokens it checks
 * the flag, and during a long prompt evaluation llama.cpp's abort callback sees it after the current graph node.
 * A token can be cancelled before the generation starts, which ends it immediately.
 */
public final class CancellationToken {
    private volatile boolean cancelled;
    private final List<Runnable> listeners = new ArrayList<>();

    /** Requests cancellation. Idempotent, thread-safe. */
    public void cancel() {
        List<Runnable> toRun;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            toRun = List.copyOf(listeners);
        }
        toRun.forEach(Runnable::run);
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /**
     * Runs {@code action} on cancellation (immediately if already cancelled). Returns a handle that removes
     * the action again; used by the runtime to raise the native abort flag for the generation in flight.
     */
    public AutoCloseable onCancel(Runnable action) {
        boolean runNow;
        synchronized (this) {
            runNow = cancelled;
            if (!runNow) {
                listeners.add(action);
            }
        }
        if (runNow) {
            action.run();
        }
        return () -> {
            synchronized (this) {
                listeners.remove(action);
            }
        };
    }
}
