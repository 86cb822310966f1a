package dev.puna.http.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A request's JSON object with typed, strict field access: a field of the wrong type is a 400 that names the
 * field and says what was expected, never a silent default. Absent fields and JSON {@code null} read as
 * {@code null}, as Go's decoder leaves them at their zero value.
 */
public final class JsonBody {
    /** The mapper for requests and responses; thread-safe once configured. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            // '{"model":"x"} garbage' is not one JSON object: by default Jackson would read the object and ignore the rest
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final ObjectNode node;
    private final String prefix;

    /**
     * What {@code MAPPER.valueToTree(value)} gives, built directly for the plain values that model parameters and
     * options hold (strings, booleans, numbers, lists and maps of them; anything else goes to the mapper). The
     * mapper's way runs its serializers and a token buffer, whose first use costs a new server's first request
     * about 3 ms (measured on the OpenAI routes, which merge their defaults into every request's options).
     */
    public static JsonNode tree(Object value) {
        com.fasterxml.jackson.databind.node.JsonNodeFactory f = MAPPER.getNodeFactory();
        return switch (value) {
            case null -> f.nullNode();
            case String v -> f.textNode(v);
            case Boolean v -> f.booleanNode(v);
            case Integer v -> f.numberNode(v.intValue());
            case Long v -> f.numberNode(v.longValue());
            case Double v -> f.numberNode(v.doubleValue());
            case Float v -> f.numberNode(v.floatValue());
            case List<?> v -> {
                ArrayNode a = f.arrayNode(v.size());
                v.forEach(e -> a.add(tree(e)));
                yield a;
            }
            case java.util.Map<?, ?> v when v.keySet().stream().allMatch(k -> k instanceof String) -> {
                ObjectNode o = f.objectNode();
                v.forEach((k, e) -> o.set((String) k, tree(e)));
                yield o;
            }
            default -> MAPPER.valueToTree(value);
        };
    }

    private JsonBody(ObjectNode node, String prefix) {
        this.node = node;
        this.prefix = prefix;
    }

    /**
     * Parses a request body that must be one JSON object.
     *
     * @throws ApiException 400 when the body is empty, not JSON, or not an object
     */
    public static JsonBody parse(Buffer body) {
        JsonNode tree = parseAny(body);
        if (!tree.isObject()) {
            throw ApiException.badRequest("request body must be a JSON object, got " + describe(tree));
        }
        return new JsonBody((ObjectNode) tree, "");
    }

    /**
     * Parses a request body that is one JSON value of any kind (an array, for llama-server's list bodies).
     *
     * @throws ApiException 400 when the body is empty or not JSON
     */
    public static JsonNode parseAny(Buffer body) {
        if (body == null || body.length() == 0) {
            throw ApiException.badRequest("missing request body");
        }
        JsonNode tree;
        try {
            tree = MAPPER.readTree(body.getBytes());
        } catch (JsonProcessingException e) {
            // Jackson's message may quote the start of the body ("start marker at [Source: ...]"): keep only the
            // reason, and say where the error is.
            String reason = e.getOriginalMessage();
            int cut = reason.indexOf(" (start marker at");
            reason = (cut >= 0 ? reason.substring(0, cut) : reason).lines().findFirst().orElse("");
            if (reason.startsWith("Trailing token")) {
                reason = "unexpected content after the JSON object"; // Jackson's own words name its classes
            }
            throw ApiException.badRequest("invalid JSON in request body: " + reason
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")"));
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("invalid JSON in request body: " + e.getMessage());
        }
        if (tree == null || tree.isMissingNode()) {
            throw ApiException.badRequest("missing request body");
        }
        return tree;
    }

    /** {@code o} as JSON text (a response body, an event's data). */
    public static String write(Object o) {
        try {
            return MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Wraps an object found inside a request; {@code path} prefixes field names in errors (e.g. {@code messages[0]}). */
    public static JsonBody of(ObjectNode node, String path) {
        return new JsonBody(node, path.isEmpty() ? "" : path + ".");
    }

    /** The underlying tree. */
    public ObjectNode node() {
        return node;
    }

    /** Whether the field is present and not null. */
    public boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    /** The raw value, or {@code null} when absent or JSON null. */
    public JsonNode raw(String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v;
    }

    public String string(String field) {
        JsonNode v = raw(field);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw wrongType(field, "a string", v);
        }
        return v.textValue();
    }

    public Boolean bool(String field) {
        JsonNode v = raw(field);
        if (v == null) {
            return null;
        }
        if (!v.isBoolean()) {
            throw wrongType(field, "a boolean", v);
        }
        return v.booleanValue();
    }

    /** A whole number; {@code 2.0} is accepted, {@code 2.5} is not. */
    public Integer integer(String field) {
        JsonNode v = raw(field);
        if (v == null) {
            return null;
        }
        return toInt(prefix + field, v);
    }

    public Double number(String field) {
        JsonNode v = raw(field);
        if (v == null) {
            return null;
        }
        if (!v.isNumber()) {
            throw wrongType(field, "a number", v);
        }
        return v.doubleValue();
    }

    public ArrayNode array(String field) {
        JsonNode v = raw(field);
        if (v == null) {
            return null;
        }
        if (!v.isArray()) {
            throw wrongType(field, "an array", v);
        }
        return (ArrayNode) v;
    }

    public ObjectNode object(String field) {
        JsonNode v = raw(field);
        if (v == null) {
            return null;
        }
        if (!v.isObject()) {
            throw wrongType(field, "an object", v);
        }
        return (ObjectNode) v;
    }

    /** An array of strings. */
    public List<String> strings(String field) {
        ArrayNode a = array(field);
        if (a == null) {
            return null;
        }
        List<String> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            JsonNode e = a.get(i);
            if (!e.isTextual()) {
                throw ApiException.badParameter(prefix + field, "invalid value for \"" + prefix + field + "[" + i
                        + "]\": expected a string, got " + describe(e));
            }
            out.add(e.textValue());
        }
        return out;
    }

    /** An array of whole numbers. */
    public int[] ints(String field) {
        ArrayNode a = array(field);
        if (a == null) {
            return null;
        }
        int[] out = new int[a.size()];
        for (int i = 0; i < a.size(); i++) {
            out[i] = toInt(prefix + field + "[" + i + "]", a.get(i));
        }
        return out;
    }

    private ApiException wrongType(String field, String expected, JsonNode v) {
        String name = prefix + field;
        return ApiException.badParameter(name, "invalid value for \"" + name + "\": expected " + expected + ", got "
                + describe(v));
    }

    /** Converts a JSON value to an int, naming {@code name} when it is not a whole number in range. */
    public static int toInt(String name, JsonNode v) {
        if (!v.isNumber()) {
            throw ApiException.badParameter(name, "invalid value for \"" + name + "\": expected an integer, got "
                    + describe(v));
        }
        double d = v.doubleValue();
        if (v.isIntegralNumber() ? !v.canConvertToInt() : d != Math.rint(d) || d < Integer.MIN_VALUE
                || d > Integer.MAX_VALUE) {
            throw ApiException.badParameter(name, "invalid value for \"" + name + "\": expected an integer, got "
                    + v);
        }
        return v.isIntegralNumber() ? v.intValue() : (int) d;
    }

    /** A short description of a JSON value's type for error messages, e.g. {@code a string ("abc")}. */
    public static String describe(JsonNode v) {
        if (v == null || v.isNull()) {
            return "null";
        }
        if (v.isTextual()) {
            String s = v.textValue();
            return "a string (\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\")";
        }
        if (v.isBoolean()) {
            return "a boolean (" + v.booleanValue() + ")";
        }
        if (v.isNumber()) {
            return "a number (" + v + ")";
        }
        if (v.isArray()) {
            return "an array";
        }
        return "an object";
    }
}
