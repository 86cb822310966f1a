package dev.puna.http.internal.ollama;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.Errors;
import dev.puna.http.internal.Responses;
import dev.puna.http.internal.ServerContext;
import dev.puna.http.internal.StoreServices;
import dev.puna.store.OperationCancelledException;
import dev.puna.store.Progress;
import dev.puna.store.ProgressListener;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs one request's long store operation (pull, push, create) on the server's store threads and answers with its
 * progress as Ollama does: NDJSON lines {@code {status, digest, total, completed}} while it runs, or with
 * {@code "stream": false} one object, the last update ({@code {"status":"success"}}).
 *
 * <ul>
 *   <li><b>Threads.</b> The operation calls {@link #onProgress} on its own thread; each line is handed to the
 *       request's context ({@link Context#runOnContext}, FIFO), so lines reach the client in order, followed by
 *       the end or the error.</li>
 *   <li><b>Backpressure.</b> At most {@value #MAX_PENDING} lines wait for the event loop, and while the client's
 *       write queue is full the operation's progress call waits for the drain handler, as Ollama's unbuffered
 *       progress channel makes a pull wait for a slow reader. Memory stays bounded whatever the client does.</li>
 *   <li><b>Cancellation.</b> A client that disconnects interrupts the operation ({@code Future.cancel(true)});
 *       the store stops with {@link OperationCancelledException} and stays consistent (a pull keeps its partial
 *       download for a resume).</li>
 *   <li><b>Errors.</b> An error before the first line is a normal error response with its status; after it, a
 *       final {@code {"error":...}} line (status 200), as Ollama streams it.</li>
 * </ul>
 */
final class ProgressStream implements ProgressListener {
    /** Progress lines that may wait for the event loop before the operation waits. */
    static final int MAX_PENDING = 16;

    /** The store operation, run on a store thread; reports to the listener on that thread. */
    @FunctionalInterface
    interface Operation {
        void run(ProgressListener listener);
    }

    private final RoutingContext rc;
    private final Context context;
    private final boolean stream;
    private final String what;
    private final Object lock = new Object();
    /** Guarded by lock: lines handed to the event loop and not written yet. */
    private int pending;
    /** Guarded by lock: the client's write queue is full; cleared by its drain handler. */
    private boolean congested;
    private volatile boolean gone;
    private volatile Future<?> task;
    /** Without streaming: the latest update, which is the answer. */
    private volatile Progress last;

    private ProgressStream(RoutingContext rc, boolean stream, String what) {
        this.rc = rc;
        this.context = rc.vertx().getOrCreateContext();
        this.stream = stream;
        this.what = what;
    }

    /**
     * Starts {@code operation} for the request {@code rc} (call on its context).
     *
     * @param what the operation's name for the cancellation message, e.g. {@code pull}
     * @throws ApiException 501 without a store, 503 when the server is shutting down
     */
    static void start(ServerContext sc, RoutingContext rc, boolean stream, String what, Operation operation) {
        StoreServices services = sc.store();
        ProgressStream ps = new ProgressStream(rc, stream, what);
        rc.response().closeHandler(v -> ps.cancel());
        rc.response().exceptionHandler(e -> ps.cancel());
        try {
            ps.task = services.operations().submit(() -> ps.run(operation));
        } catch (RejectedExecutionException e) {
            throw ApiException.unavailable("server is shutting down", 5);
        }
        if (ps.gone) {
            ps.task.cancel(true); // the client left before the task was known
        }
    }

    private void run(Operation operation) {
        try {
            operation.run(this);
            context.runOnContext(v -> finish());
        } catch (Throwable e) {
            context.runOnContext(v -> Responses.fail(rc, Errors.toApi(e), OllamaErrors.INSTANCE));
        }
    }

    private void cancel() {
        gone = true;
        Future<?> t = task;
        if (t != null) {
            t.cancel(true);
        }
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /** Called by the operation on its thread: queues one line, waiting while the client is behind. */
    @Override
    public void onProgress(Progress progress) {
        if (gone) {
            throw new OperationCancelledException(what);
        }
        if (!stream) {
            last = progress;
            return;
        }
        synchronized (lock) {
            while ((pending >= MAX_PENDING || congested) && !gone) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new OperationCancelledException(what);
                }
            }
            if (gone) {
                throw new OperationCancelledException(what);
            }
            pending++;
        }
        Buffer line = Buffer.buffer(OllamaJson.write(json(progress)) + "\n");
        context.runOnContext(v -> write(line));
    }

    /** On the event loop. */
    private void write(Buffer line) {
        HttpServerResponse r = rc.response();
        boolean full = false;
        if (!r.closed() && !r.ended()) {
            head(r);
            r.write(line);
            full = r.writeQueueFull();
            if (full) {
                r.drainHandler(v -> {
                    synchronized (lock) {
                        congested = false;
                        lock.notifyAll();
                    }
                });
            }
        }
        synchronized (lock) {
            pending--;
            congested = full;
            lock.notifyAll();
        }
    }

    /** On the event loop, after the operation succeeded. */
    private void finish() {
        HttpServerResponse r = rc.response();
        if (r.closed() || r.ended()) {
            return;
        }
        if (stream) {
            head(r);
            r.end();
        } else {
            Progress p = last != null ? last : Progress.status("success");
            Responses.json(rc, 200, OllamaJson.write(json(p)));
        }
    }

    private static void head(HttpServerResponse r) {
        if (!r.headWritten()) {
            r.setChunked(true).setStatusCode(200).putHeader("Content-Type", "application/x-ndjson");
        }
    }

    /** Ollama's {@code ProgressResponse}: digest, total and completed are left out when empty or zero. */
    static ObjectNode json(Progress p) {
        ObjectNode o = OllamaJson.object();
        o.put("status", p.status());
        if (p.digest() != null && !p.digest().isEmpty()) {
            o.put("digest", p.digest());
        }
        if (p.total() != 0) {
            o.put("total", p.total());
        }
        if (p.completed() != 0) {
            o.put("completed", p.completed());
        }
        return o;
    }
}
