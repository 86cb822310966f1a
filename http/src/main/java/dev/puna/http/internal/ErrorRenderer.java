package dev.puna.http.internal;

import io.vertx.core.buffer.Buffer;

/**
 * How one API family writes an {@link ApiException}: Ollama {@code {"error":"..."}}, OpenAI
 * {@code {"error":{"message","type","param","code"}}}. Status code and Retry-After are set by
 * {@link Responses#fail}; the renderer only shapes bodies.
 */
public interface ErrorRenderer {
    /** The JSON body of an error response. */
    Buffer body(ApiException error);

    /** What a stream that already began ends with (a final NDJSON line, an SSE error event). */
    Buffer streamError(ApiException error);
}
