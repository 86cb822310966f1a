package dev.puna.http.internal.lora;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.http.internal.ApiException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads llama-server's LoRA list, {@code [{"id": 0, "scale": 0.5}, ...]}: the request field {@code lora} and the
 * body of {@code POST /lora-adapters}. Strict where llama-server is lenient: an entry without an integer
 * {@code id}, a scale that is not a finite number in [-100, 100], or an id listed twice is a 400.
 */
public final class LoraField {
    /** The largest magnitude of a scale: far past any use, small enough to keep logits finite. */
    static final double MAX_SCALE = 100;

    private LoraField() {
    }

    /**
     * The ids and scales of {@code node} (scale 0 when omitted, as llama-server does), or null when the node is
     * absent or JSON null.
     *
     * @param field the field's name for error messages
     */
    public static Map<Integer, Float> read(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray()) {
            throw ApiException.badParameter(field, "\"" + field + "\" must be an array of objects with \"id\" and "
                    + "\"scale\"");
        }
        Map<Integer, Float> out = new LinkedHashMap<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode entry = node.get(i);
            String where = field + "[" + i + "]";
            if (!entry.isObject()) {
                throw ApiException.badParameter(field, "\"" + where + "\" must be an object with \"id\" and \"scale\"");
            }
            JsonNode id = entry.get("id");
            if (id == null || !id.isIntegralNumber() || !id.canConvertToInt()) {
                throw ApiException.badParameter(field, "\"" + where + ".id\" must be an integer adapter id");
            }
            JsonNode scale = entry.get("scale");
            double value = 0;
            if (scale != null && !scale.isNull()) {
                if (!scale.isNumber() || !Double.isFinite(scale.doubleValue())
                        || Math.abs(scale.doubleValue()) > MAX_SCALE) {
                    throw ApiException.badParameter(field, "\"" + where + ".scale\" must be a number between -"
                            + (int) MAX_SCALE + " and " + (int) MAX_SCALE);
                }
                value = scale.doubleValue();
            }
            if (out.put(id.intValue(), (float) value) != null) {
                throw ApiException.badParameter(field, "adapter id " + id.intValue() + " is listed twice in \""
                        + field + "\"");
            }
        }
        return out;
    }
}
