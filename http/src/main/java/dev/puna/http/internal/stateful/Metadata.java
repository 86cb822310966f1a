package dev.puna.http.internal.stateful;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.JsonBody;
import java.util.Map;

/**
 * OpenAI's {@code metadata}: an object of at most 16 string values, keys of at most 64 characters, values of at most
 * 512. Anything else is a 400 naming the field.
 */
public final class Metadata {
    public static final int MAX_PAIRS = 16;
    public static final int MAX_KEY = 64;
    public static final int MAX_VALUE = 512;

    private Metadata() {
    }

    /**
     * The {@code metadata} of {@code body} (field {@code field}), checked, or {@code null} when absent.
     *
     * @param path how errors name the field, e.g. {@code metadata} or {@code thread.metadata}
     */
    public static ObjectNode read(JsonBody body, String field, String path) {
        JsonNode v = body.raw(field);
        if (v == null) {
            return null;
        }
        if (!v.isObject()) {
            throw ApiException.badParameter(path, "invalid value for \"" + path + "\": expected an object of string "
                    + "values, got " + JsonBody.describe(v));
        }
        if (v.size() > MAX_PAIRS) {
            throw ApiException.badParameter(path, "\"" + path + "\" may hold at most " + MAX_PAIRS + " pairs, got "
                    + v.size());
        }
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            if (e.getKey().length() > MAX_KEY) {
                throw ApiException.badParameter(path, "keys of \"" + path + "\" may be at most " + MAX_KEY
                        + " characters long, got one of " + e.getKey().length());
            }
            if (!e.getValue().isTextual()) {
                throw ApiException.badParameter(path, "invalid value for \"" + path + "." + e.getKey()
                        + "\": expected a string, got " + JsonBody.describe(e.getValue()));
            }
            if (e.getValue().textValue().length() > MAX_VALUE) {
                throw ApiException.badParameter(path, "values of \"" + path + "\" may be at most " + MAX_VALUE
                        + " characters long, got one of " + e.getValue().textValue().length() + " for key '"
                        + e.getKey() + "'");
            }
        }
        return (ObjectNode) v;
    }

    /** {@code read(body, "metadata", "metadata")}, or an empty object when absent. */
    public static ObjectNode orEmpty(JsonBody body) {
        ObjectNode m = read(body, "metadata", "metadata");
        return m == null ? JsonBody.MAPPER.createObjectNode() : m.deepCopy();
    }
}
