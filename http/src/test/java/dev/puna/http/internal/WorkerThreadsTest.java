package dev.puna.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** WorkerThreads.prestart leaves the worker pool with all its threads, where a new Vert.x starts with none. */
class WorkerThreadsTest {
    private static long workerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("vert.x-worker-thread-")).count();
    }

    @Test
    void everyWorkerThreadRunsBeforeTheFirstRequest() throws Exception {
        long before = workerThreads();
        Vertx vertx = Vertx.vertx();
        try {
            assertEquals(before, workerThreads()); // the control: a new pool starts its threads on demand
            WorkerThreads.prestart(vertx).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(before + VertxOptions.DEFAULT_WORKER_POOL_SIZE, workerThreads());
            // a blocking task afterwards finds a thread and starts no other
            vertx.executeBlocking(() -> null, false).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(before + VertxOptions.DEFAULT_WORKER_POOL_SIZE, workerThreads());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
