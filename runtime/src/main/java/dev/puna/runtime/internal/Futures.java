package dev.puna.runtime.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Waiting for work another thread does, and getting its own exception back rather than a wrapper. */
public final class Futures {
    private Futures() {
    }

    /**
     * {@link CompletableFuture#join()}, uninterruptibly, rethrowing the unchecked exception or error the future failed
     * with as it is, so the caller sees what the other thread threw (a checked cause stays wrapped).
     */
    public static <T> T joinUnwrapped(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}
