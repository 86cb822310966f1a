package dev.puna.runtime;

/** An {@link Engine}'s queue is full: the request was not accepted (HTTP 503 with Retry-After). */
public final class QueueFullException extends PunaException {
    private final int maxQueue;

    public QueueFullException(int maxQueue) {
        super("server busy: " + maxQueue + " requests are already waiting; retry later");
        this.maxQueue = maxQueue;
    }

    /** The queue's capacity. */
    public int maxQueue() {
        return maxQueue;
    }
}
