package dev.puna.http.internal;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;

/**
 * A request body as a blocking {@link InputStream}, for code that reads on a worker thread (the store writing an
 * uploaded blob) while Vert.x delivers the body on the event loop. At most about {@value #HIGH_WATER} bytes are
 * buffered: beyond that the request is paused until the reader has caught up to {@value #LOW_WATER}, so a
 * multi-gigabyte upload streams through bounded memory. A connection that closes before the body ended makes
 * {@link #read} fail, and so does interrupting the reading thread.
 *
 * <p>Create it with {@link #open} on the request's context before the body starts arriving; read it from one
 * other thread.
 */
public final class RequestBodyStream extends InputStream {
    static final int HIGH_WATER = 1 << 20;
    static final int LOW_WATER = 256 << 10;

    private final HttpServerRequest request;
    private final Context context;
    /** Guarded by this. */
    private final ArrayDeque<Buffer> chunks = new ArrayDeque<>();
    private int headOffset;
    private long buffered;
    private boolean paused;
    private boolean ended;
    private Throwable failure;

    private RequestBodyStream(HttpServerRequest request, Context context) {
        this.request = request;
        this.context = context;
    }

    /** Starts receiving {@code request}'s body (call on its context). */
    public static RequestBodyStream open(HttpServerRequest request, Context context) {
        RequestBodyStream s = new RequestBodyStream(request, context);
        request.handler(s::received);
        request.endHandler(v -> s.ended());
        request.exceptionHandler(s::fail);
        request.resume();
        return s;
    }

    private synchronized void received(Buffer chunk) {
        chunks.add(chunk);
        buffered += chunk.length();
        if (buffered > HIGH_WATER && !paused) {
            paused = true;
            request.pause();
        }
        notifyAll();
    }

    private synchronized void ended() {
        ended = true;
        notifyAll();
    }

    /** Makes the reader fail (the connection closed or broke before the body ended). */
    public synchronized void fail(Throwable cause) {
        if (!ended && failure == null) {
            failure = cause;
        }
        notifyAll();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (chunks.isEmpty() && !ended && failure == null) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading the request body");
            }
        }
        if (chunks.isEmpty()) {
            if (failure != null) {
                throw new IOException("the request body was cut off: " + failure.getMessage(), failure);
            }
            return -1;
        }
        Buffer head = chunks.peek();
        int n = Math.min(len, head.length() - headOffset);
        head.getBytes(headOffset, headOffset + n, b, off);
        headOffset += n;
        if (headOffset == head.length()) {
            chunks.poll();
            headOffset = 0;
        }
        buffered -= n;
        if (paused && buffered < LOW_WATER) {
            paused = false;
            context.runOnContext(v -> request.resume());
        }
        return n;
    }
}
