package dev.puna.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.puna.runtime.Engine;
import dev.puna.runtime.FinishReason;
import dev.puna.runtime.GenerateRequest;
import dev.puna.runtime.GenerationHandle;
import dev.puna.runtime.GenerationListener;
import dev.puna.runtime.GenerationResult;
import dev.puna.runtime.Timings;
import dev.puna.runtime.TokenEvent;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

/** The generation-to-response plumbing with Mockito fakes for Vert.x and the engine. */
class GenerationStreamTest {
    private final List<Runnable> posted = new ArrayList<>();
    private final HttpServerResponse response = mock(HttpServerResponse.class);
    private final Engine engine = mock(Engine.class);
    private final GenerationHandle handle = mock(GenerationHandle.class);
    private final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
    private final List<String> seen = new ArrayList<>();
    private GenerationStream stream;
    private Handler<Void> closeHandler;

    @BeforeEach
    @SuppressWarnings("unchecked")
    void setUp() {
        RoutingContext rc = mock(RoutingContext.class);
        Vertx vertx = mock(Vertx.class);
        Context context = mock(Context.class);
        when(rc.vertx()).thenReturn(vertx);
        when(rc.response()).thenReturn(response);
        when(vertx.getOrCreateContext()).thenReturn(context);
        // The event loop's queue: tasks run when the test drains it, in the order they were posted.
        doAnswer(inv -> {
            Handler<Void> h = inv.getArgument(0);
            posted.add(() -> h.handle(null));
            return null;
        }).when(context).runOnContext(any());
        ArgumentCaptor<Handler<Void>> close = ArgumentCaptor.forClass(Handler.class);
        when(response.closeHandler(close.capture())).thenReturn(response);
        when(handle.result()).thenReturn(result);
        stream = GenerationStream.open(rc);
        closeHandler = close.getValue();
    }

    private void drain() {
        while (!posted.isEmpty()) {
            posted.removeFirst().run();
        }
    }

    private GenerationListener submit() {
        ArgumentCaptor<GenerationListener> listener = ArgumentCaptor.forClass(GenerationListener.class);
        ArgumentCaptor<GenerateRequest> request = ArgumentCaptor.forClass(GenerateRequest.class);
        when(engine.submit(request.capture(), listener.capture())).thenReturn(handle);
        stream.submit(engine, GenerateRequest.of("Hello"), new GenerationStream.Sink() {
            @Override
            public void onToken(TokenEvent event) {
                seen.add("token:" + event.text());
            }

            @Override
            public void onEnd(GenerationResult r) {
                seen.add("end:" + r.finishReason());
            }

            @Override
            public void onFailure(Throwable error) {
                seen.add("failure:" + error.getMessage());
            }
        });
        assertSame(stream.cancellation(), request.getValue().cancellation(),
                "the engine watches the stream's cancellation token");
        return listener.getValue();
    }

    private static GenerationResult result(FinishReason reason) {
        return new GenerationResult("ab", new int[] {1, 2}, reason, 2, 0, 2, new Timings(0, 1, 1, 2, 2));
    }

    @Test
    void eventsReachTheSinkInOrderOnTheContextAndTheEndComesLast() {
        GenerationListener listener = submit();
        listener.onToken(new TokenEvent(0, 1, "a", null));
        listener.onToken(new TokenEvent(1, 2, "b", null));
        result.complete(result(FinishReason.EOS));
        assertEquals(List.of(), seen, "nothing runs on the decode thread");
        drain();
        assertEquals(List.of("token:a", "token:b", "end:EOS"), seen);
    }

    @Test
    void aFailureIsDeliveredUnwrapped() {
        submit();
        result.completeExceptionally(new java.util.concurrent.CompletionException(new IllegalStateException("gone")));
        drain();
        assertEquals(List.of("failure:gone"), seen);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aFullWriteQueuePausesTheGenerationUntilItDrains() {
        submit();
        drain();
        when(response.writeQueueFull()).thenReturn(true);
        ArgumentCaptor<Handler<Void>> drainHandler = ArgumentCaptor.forClass(Handler.class);
        when(response.drainHandler(drainHandler.capture())).thenReturn(response);
        stream.write(Buffer.buffer("x"));
        verify(response).write(Buffer.buffer("x"));
        verify(handle).pause();
        verify(handle, never()).resume();
        drainHandler.getValue().handle(null);
        verify(handle).resume();
    }

    @Test
    void aFullQueueBeforeTheHandleIsKnownPausesItOnArrival() {
        when(response.writeQueueFull()).thenReturn(true);
        when(response.drainHandler(any())).thenReturn(response);
        stream.write(Buffer.buffer("early"));
        submit();
        drain();
        verify(handle).pause();
    }

    @Test
    void aClosedConnectionCancelsTheGenerationAndStopsWrites() {
        submit();
        closeHandler.handle(null);
        assertTrue(stream.cancellation().isCancelled());
        assertTrue(stream.clientGone());
        when(response.closed()).thenReturn(true);
        stream.write(Buffer.buffer("late"));
        stream.end(Buffer.buffer("last"));
        verify(response, never()).write(any(Buffer.class));
        verify(response, never()).end(any(Buffer.class));
    }
}
