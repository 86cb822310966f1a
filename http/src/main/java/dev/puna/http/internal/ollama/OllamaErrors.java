package dev.puna.http.internal.ollama;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.ErrorRenderer;
import dev.puna.http.internal.JsonBody;
import io.vertx.core.buffer.Buffer;
import java.util.Map;

/** Ollama's error format: {@code {"error":"message"}}, and the same object as a stream's last NDJSON line. */
final class OllamaErrors implements ErrorRenderer {
    static final OllamaErrors INSTANCE = new OllamaErrors();

    private OllamaErrors() {
    }

    @Override
    public Buffer body(ApiException error) {
        return Buffer.buffer(json(error));
    }

    @Override
    public Buffer streamError(ApiException error) {
        return Buffer.buffer(json(error) + "\n");
    }

    private static String json(ApiException error) {
        try {
            return JsonBody.MAPPER.writeValueAsString(Map.of("error", error.getMessage()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
