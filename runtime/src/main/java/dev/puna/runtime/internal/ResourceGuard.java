package dev.puna.runtime.internal;

import dev.puna.runtime.ResourceClosedException;

/**
 * Guards one native object: callers {@link #acquire()} it around every use, {@link #close()} marks it closed,
 * and the native free runs exactly once, when the object is closed and no call is using it any more. So a close
 * that races with a call on another thread never frees memory under that call: the caller that releases last
 * frees it, and every later acquire throws {@link ResourceClosedException}. A model shared by sessions uses the
 * same counting: each session holds one acquisition for its whole life.
 */
public final class ResourceGuard {
    private final String description;
    private final Runnable free;
    private int users;
    private boolean closing;
    private boolean freed;

    /**
     * @param description what the object is, for exception messages ("model /path/x.gguf")
     * @param free releases the native object; run once, never concurrently with a user
     */
    public ResourceGuard(String description, Runnable free) {
        this.description = description;
        this.free = free;
    }

    /** Registers a use. Pair with {@link #release()} in a finally block. */
    public synchronized void acquire() {
        if (closing) {
            throw new ResourceClosedException(description + " is closed");
        }
        users++;
    }

    /** Ends a use; frees the native object if it was closed meanwhile and this was the last use. */
    public void release() {
        boolean doFree;
        synchronized (this) {
            if (users <= 0) {
                throw new IllegalStateException("release without acquire on " + description);
            }
            users--;
            doFree = closing && users == 0 && !freed;
            if (doFree) {
                freed = true;
            }
        }
        if (doFree) {
            free.run();
        }
    }

    /**
     * Closes the object: later acquires fail; the native free runs now if nobody uses it, otherwise when the
     * last user releases. Idempotent.
     */
    public void close() {
        boolean doFree;
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
            doFree = users == 0;
            if (doFree) {
                freed = true;
            }
        }
        if (doFree) {
            free.run();
        }
    }

    /** Whether {@link #close()} was called (the object may still be in use by a call finishing). */
    public synchronized boolean isClosed() {
        return closing;
    }

    /** Whether the native object has been freed. */
    public synchronized boolean isFreed() {
        return freed;
    }

    public String description() {
        return description;
    }
}
