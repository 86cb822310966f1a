package dev.puna.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Expected outputs are what Go's encoding/json writes for the same values. */
class GoJsonTest {

    private static String enc(Object v, boolean nl) {
        return new String(GoJson.encode(v, nl), StandardCharsets.UTF_8);
    }

    @Test
    void mapsAreWrittenInIterationOrderWithoutWhitespace() {
        Map<String, Object> sorted = new TreeMap<>(Map.of("temperature", 0.7, "stop", List.of("a", "b"),
                "num_ctx", 4096L));
        assertEquals("{\"num_ctx\":4096,\"stop\":[\"a\",\"b\"],\"temperature\":0.7}\n", enc(sorted, true));
        Map<String, Object> struct = new LinkedHashMap<>();
        struct.put("z", true);
        struct.put("a", null);
        assertEquals("{\"z\":true,\"a\":null}", enc(struct, false));
    }

    @Test
    void stringsAreEscapedLikeGo() {
        assertEquals("\"\\u003c|im_end|\\u003e \\u0026 \\\"q\\\" \\\\ \\n\\t\\r\\u0001\\b\\f\\u2028é\"",
                enc("<|im_end|> & \"q\" \\ \n\t\r\u0001\b\f\u2028é", false));
    }

    @Test
    void floatsUseGosShortestForm() {
        assertEquals("4096", GoJson.formatFloat(4096.0));
        assertEquals("0.7", GoJson.formatFloat(0.7));
        assertEquals("-1.5", GoJson.formatFloat(-1.5));
        assertEquals("0.000001", GoJson.formatFloat(1e-6));
        assertEquals("1e-7", GoJson.formatFloat(1e-7));
        assertEquals("1.5e-7", GoJson.formatFloat(1.5e-7));
        assertEquals("100000000000000000000", GoJson.formatFloat(1e20));
        assertEquals("1e+21", GoJson.formatFloat(1e21));
        assertEquals("0", GoJson.formatFloat(0.0));
        assertEquals("[0.1,2]", enc(List.of(0.1, 2.0), false));
    }
}
