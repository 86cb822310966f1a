package dev.puna.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** JsonBody.tree builds the same tree as Jackson's valueToTree, node types included. */
class JsonBodyTreeTest {
    private static void same(Object value) {
        assertEquals(JsonBody.MAPPER.valueToTree(value), JsonBody.tree(value), String.valueOf(value));
        assertEquals(JsonBody.MAPPER.valueToTree(value).toString(), JsonBody.tree(value).toString());
    }

    @Test
    void modelParametersOfEveryKindGiveTheMappersTree() {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("temperature", 0.7);
        params.put("top_k", 40);
        params.put("seed", 1L << 40);
        params.put("min_p", 0.05f);
        params.put("use_mmap", false);
        params.put("stop", List.of("<|im_end|>", "\n\n"));
        params.put("nothing", null);
        params.put("nested", Map.of("a", List.of(1, 2.5, "x")));
        params.put("other", new BigDecimal("1.25")); // not a plain value: the mapper's way
        params.put("array", new int[] {1, 2});
        same(params);
        for (Object v : params.values()) {
            same(v);
        }
        same(Arrays.asList(1, null, "two"));
        same(Map.of());
    }
}
