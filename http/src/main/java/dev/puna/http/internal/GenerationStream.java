package dev.puna.http.internal;

import dev.puna.runtime.CancellationToken;
import dev.puna.runtime.Engine;
import dev.puna.runtime.GenerateRequest;
import dev.puna.runtime.GenerationHandle;
import dev.puna.runtime.GenerationResult;
import dev.puna.runtime.TokenEvent;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The one place that connects an engine generation to an HTTP response, for every API family.
 *
 * <ul>
 *   <li><b>Threads.</b> The engine calls its listener on its decode thread; this class hands each event to the
 *       request's Vert.x context with {@link Context#runOnContext}, whose queue is FIFO, so the {@link Sink} sees
 *       the tokens in order, then the end, all on the event loop and never blocking the decoder.</li>
 *   <li><b>Backpressure.</b> {@link #write} pauses the generation while the response's write queue is full and
 *       resumes it from the drain handler: a slow reader holds its slot but not the others.</li>
 *   <li><b>Cancellation.</b> The stream owns the request's {@link CancellationToken}; the response's close and
 *       exception handlers cancel it, so a client that disconnects (while waiting for a model, a slot or tokens)
 *       stops its generation within one decode step and frees the slot.</li>
 *   <li><b>Shutdown.</b> A server that drains {@linkplain #shutdown() cancels} the streams still running at its
 *       deadline through the same token; {@link #cancelledByShutdown()} tells the sink to end the response as a
 *       shutdown (a final object or error event) rather than as a client that went away.</li>
 * </ul>
 *
 * <p>A stream may carry several generations for one response (OpenAI's {@code n} choices): they share the
 * cancellation and are paused and resumed together.
 *
 * <p>Create it on the request's context with {@link #open}; {@link #submit} may be called from a worker thread.
 */
public final class GenerationStream {
    /** Receives a generation's outcome on the request's context, in order. */
    public interface Sink {
        /** One streamed step; {@code event.text()} may be empty. */
        void onToken(TokenEvent event);

        /** The generation ended (any finish reason, cancellation included); no more tokens follow. */
        void onEnd(GenerationResult result);

        /** The generation failed after it was submitted; no more tokens follow. */
        void onFailure(Throwable error);
    }

    private final Context context;
    private final HttpServerResponse response;
    private final CancellationToken cancellation = new CancellationToken();
    /** Every generation submitted through this stream; written by submitters, read on the event loop. */
    private final List<GenerationHandle> handles = new CopyOnWriteArrayList<>();
    /** Event loop only: the client's queue was full when the handle was not known yet. */
    private boolean pauseWanted;
    private volatile boolean shutdown;

    private final Metrics metrics;
    private final long startNanos;
    private final String model;

    private GenerationStream(Context context, HttpServerResponse response, Metrics metrics, long startNanos,
                             String model) {
        this.context = context;
        this.response = response;
        this.metrics = metrics;
        this.startNanos = startNanos;
        this.model = model;
    }

    /** Starts watching {@code rc}'s connection; call on the request's context before any waiting. */
    public static GenerationStream open(RoutingContext rc) {
        String model = RequestLog.modelOf(rc);
        GenerationStream s = new GenerationStream(rc.vertx().getOrCreateContext(), rc.response(), Metrics.of(rc),
                RequestLog.startNanos(rc), model == null ? "-" : ModelNames.canonical(model));
        rc.response().closeHandler(v -> s.cancellation.cancel());
        rc.response().exceptionHandler(e -> s.cancellation.cancel());
        ServerLifecycle lifecycle = rc.get(ServerLifecycle.KEY);
        if (lifecycle != null) {
            lifecycle.register(s);
            rc.addEndHandler(v -> lifecycle.unregister(s));
        }
        return s;
    }

    /** Cancelled when the client goes away. */
    public CancellationToken cancellation() {
        return cancellation;
    }

    /** Whether the client has gone away (a shutdown's cancellation is not that: the client still waits). */
    public boolean clientGone() {
        return cancellation.isCancelled() && !shutdown;
    }

    /**
     * Cancels the stream's generations because the server shuts down (safe from any thread): they end with
     * {@link dev.puna.runtime.FinishReason#CANCELLED} and the sink answers the client as a shutdown.
     */
    void shutdown() {
        shutdown = true;
        cancellation.cancel();
    }

    /** Whether a shutdown cancelled the stream: a generation that ends cancelled was cut short by it. */
    public boolean cancelledByShutdown() {
        return shutdown;
    }

    private static void closeImages(GenerateRequest request) {
        if (request.visionPrompt() != null) {
            request.visionPrompt().close();
        }
    }

    /**
     * Submits {@code request} (its cancellation replaced by this stream's) to {@code engine}; the sink then
     * receives the events on the request's context. A prompt with images ({@link GenerateRequest#visionPrompt}) is
     * closed once the generation ends, or at once if the engine refuses it. Safe from any thread.
     *
     * @throws RuntimeException whatever {@link Engine#submit} throws (bad prompt, queue full, context overflow);
     *     the sink then receives nothing
     */
    public GenerationHandle submit(Engine engine, GenerateRequest request, Sink sink) {
        GenerateRequest r = request.toBuilder().cancellation(cancellation).build();
        boolean[] first = {true};
        GenerationHandle h;
        try {
            h = engine.submit(r, event -> {
                if (first[0] && metrics != null) { // the decode thread: one listener call at a time
                    first[0] = false;
                    metrics.firstToken(model, (System.nanoTime() - startNanos) / 1e9);
                }
                context.runOnContext(v -> sink.onToken(event));
            });
        } catch (RuntimeException e) {
            closeImages(request);
            throw e;
        }
        // The prompt's images are the request's until the engine is done with them.
        h.result().whenComplete((result, error) -> closeImages(request));
        handles.add(h);
        context.runOnContext(v -> {
            if (pauseWanted) {
                h.pause();
            }
        });
        // Completion is posted after the last token event (the engine completes the result after its last
        // listener call), so the sink sees it last.
        h.result().whenComplete((result, error) -> context.runOnContext(v -> {
            if (error != null) {
                sink.onFailure(Errors.unwrap(error));
            } else {
                if (metrics != null) {
                    metrics.generationSpeed(model, result.timings().evalTokensPerSecond());
                }
                sink.onEnd(result);
            }
        }));
        return h;
    }

    /**
     * Writes a chunk of a streamed response (call on the request's context). While the client's write queue is
     * full the generation is paused; the drain handler resumes it. Does nothing once the client is gone.
     */
    public void write(Buffer chunk) {
        if (response.closed() || response.ended()) {
            return;
        }
        response.write(chunk);
        if (response.writeQueueFull()) {
            pauseWanted = true;
            handles.forEach(GenerationHandle::pause);
            response.drainHandler(v -> {
                pauseWanted = false;
                handles.forEach(GenerationHandle::resume);
            });
        }
    }

    /** Ends the response with {@code last} (call on the request's context); nothing when the client is gone. */
    public void end(Buffer last) {
        if (response.closed() || response.ended()) {
            return;
        }
        response.end(last);
    }
}
