package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A server-sent event stream as OpenAI's clients read it, checked strictly: every event is exactly one
 * {@code data: } line followed by a blank line, and the stream ends with {@code data: [DONE]}.
 */
final class SseEvents {
    private SseEvents() {
    }

    /** The JSON events before {@code [DONE]}, asserting the framing of the whole body. */
    static List<JsonNode> parse(String body) {
        assertTrue(body.endsWith("data: [DONE]\n\n"), "stream must end with data: [DONE]: " + body);
        List<JsonNode> out = new ArrayList<>();
        String[] events = body.substring(0, body.length() - "data: [DONE]\n\n".length()).split("\n\n", -1);
        for (int i = 0; i < events.length - 1; i++) {
            String e = events[i];
            assertTrue(e.startsWith("data: ") && !e.contains("\n"), "not a single data line: " + e);
            try {
                out.add(Http.JSON.readTree(e.substring("data: ".length())));
            } catch (IOException ex) {
                throw new UncheckedIOException(e, ex);
            }
        }
        assertEquals("", events[events.length - 1], "nothing between the last event and [DONE]");
        return out;
    }
}
