package dev.puna.http;

import dev.puna.http.internal.RequestLog;

/**
 * The id of the HTTP request being handled, for log configurations (the CLI adds it to every log line as
 * {@code request_id}). Each request's id is its client's {@code X-Request-Id} when that is a short safe token,
 * else a generated one; the server returns it as {@code X-Request-Id} and logs it on the request's access line.
 */
public final class RequestIds {
    private RequestIds() {
    }

    /**
     * The id of the request the calling thread is handling (on its Vert.x context, an event loop or a blocking
     * step), or null when it handles none.
     */
    public static String current() {
        return RequestLog.currentRequestId();
    }
}
