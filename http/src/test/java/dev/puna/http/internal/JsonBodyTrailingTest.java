package dev.puna.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** A body is one JSON object: content after it is refused, not silently dropped (found by the bad-input sweep). */
class JsonBodyTrailingTest {
    @Test
    void contentAfterTheObjectIsA400() {
        for (String body : new String[] {"{\"model\":\"x\"} garbage", "{\"model\":\"x\"}{}", "{\"a\":1}[2]",
                "{\"a\":1} 3"}) {
            ApiException e = assertThrows(ApiException.class, () -> JsonBody.parse(Buffer.buffer(body)), body);
            assertEquals(400, e.status());
            assertEquals(true, e.getMessage().startsWith("invalid JSON in request body: "), e.getMessage());
            assertEquals(false, e.getMessage().contains("jackson"), e.getMessage());
        }
        ApiException e = assertThrows(ApiException.class, () -> JsonBody.parse(Buffer.buffer("{\"a\":1}{}")));
        assertEquals("invalid JSON in request body: unexpected content after the JSON object (line 1, column 8)",
                e.getMessage());
        assertEquals("x", JsonBody.parse(Buffer.buffer(" {\"model\":\"x\"} \n\t")).string("model"),
                "whitespace after the object is fine");
    }
}
