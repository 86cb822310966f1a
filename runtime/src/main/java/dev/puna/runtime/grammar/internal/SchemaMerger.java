package dev.puna.runtime.grammar.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a schema that combines subschemas ({@code allOf}, a {@code $ref} with sibling keywords, {@code anyOf} with
 * sibling keywords) into one schema without {@code allOf}: either a plain schema or {@code {"anyOf": [plain...]}}.
 *
 * <p>Steps: {@code allOf} members and {@code $ref} targets are flattened into one list of members; an
 * {@code anyOf}/{@code oneOf} among them is distributed ({@code A and (B or C)} becomes {@code (A and B) or
 * (A and C)}, alternatives that contradict the rest are dropped); then the members' keywords are intersected:
 * types and enums intersect, properties and required unite (a property in several members gets an {@code allOf} of
 * its schemas), bounds take the tighter value. {@code additionalProperties: false} in one member forbids the
 * properties only other members declare, as JSON Schema says. Keywords that cannot be intersected this way are
 * refused.
 */
final class SchemaMerger {
    /** Most alternatives distributing {@code anyOf} over {@code allOf} may produce. */
    static final int MAX_ALTERNATIVES = 64;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Thrown inside the merge when the members contradict each other (e.g. no type in common). */
    private static final class Contradiction extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Contradiction(String message) {
            super(message, null, false, false);
        }
    }

    private record Member(ObjectNode schema, String pointer, boolean outer) {
    }

    private final SchemaDocument document;

    SchemaMerger(SchemaDocument document) {
        this.document = document;
    }

    /** The merged form of {@code schema} (found at {@code pointer}). */
    ObjectNode merge(ObjectNode schema, String pointer) {
        try {
            return merge(List.of(new Member(schema, pointer, true)), pointer, new HashSet<>());
        } catch (Contradiction e) {
            throw document.invalid(pointer, e.getMessage());
        }
    }

    private ObjectNode merge(List<Member> input, String pointer, Set<String> refsInUse) {
        List<Member> members = flatten(input, pointer, refsInUse);
        for (int i = 0; i < members.size(); i++) {
            Member m = members.get(i);
            String key = m.schema.has("anyOf") ? "anyOf" : m.schema.has("oneOf") ? "oneOf" : null;
            if (key != null) {
                return distribute(members, i, key, pointer, refsInUse);
            }
        }
        return intersect(members, pointer);
    }

    private List<Member> flatten(List<Member> input, String pointer, Set<String> refsInUse) {
        List<Member> out = new ArrayList<>();
        Deque<Member> work = new ArrayDeque<>(input);
        while (!work.isEmpty()) {
            Member m = work.removeFirst();
            ObjectNode s = m.schema;
            document.checkKeywords(s, m.pointer);
            if (s.has("$ref")) {
                SchemaDocument.Target target = document.resolve(s.get("$ref"), SchemaDocument.child(m.pointer, "$ref"));
                if (!refsInUse.add(target.pointer())) {
                    throw document.unsupported(m.pointer, "a $ref that refers back to itself through allOf ('#"
                            + target.pointer() + "')");
                }
                ObjectNode rest = s.deepCopy();
                rest.remove("$ref");
                work.addFirst(new Member(rest, m.pointer, m.outer));
                work.addFirst(asMember(target.schema(), target.pointer()));
            } else if (s.has("allOf")) {
                JsonNode all = s.get("allOf");
                String at = SchemaDocument.child(m.pointer, "allOf");
                if (!all.isArray() || all.isEmpty()) {
                    throw document.invalid(at, "allOf must be a non-empty array");
                }
                ObjectNode rest = s.deepCopy();
                rest.remove("allOf");
                work.addFirst(new Member(rest, m.pointer, m.outer));
                for (int i = all.size() - 1; i >= 0; i--) {
                    work.addFirst(asMember(all.get(i), SchemaDocument.child(at, i)));
                }
            } else {
                out.add(m);
            }
        }
        return out;
    }

    private Member asMember(JsonNode schema, String pointer) {
        if (schema.isBoolean()) {
            if (!schema.booleanValue()) {
                throw new Contradiction("allOf includes the schema false, which accepts no value");
            }
            return new Member(NODES.objectNode(), pointer, false);
        }
        if (!schema.isObject()) {
            throw document.invalid(pointer, "a schema must be an object or a boolean");
        }
        return new Member((ObjectNode) schema, pointer, false);
    }

    private ObjectNode distribute(List<Member> members, int index, String key, String pointer, Set<String> refsInUse) {
        Member m = members.get(index);
        if (m.schema.has("anyOf") && m.schema.has("oneOf")) {
            throw document.unsupported(m.pointer, "anyOf together with oneOf");
        }
        JsonNode alternatives = m.schema.get(key);
        String at = SchemaDocument.child(m.pointer, key);
        if (!alternatives.isArray() || alternatives.isEmpty()) {
            throw document.invalid(at, key + " must be a non-empty array");
        }
        ObjectNode rest = m.schema.deepCopy();
        rest.remove(key);
        ArrayNode merged = NODES.arrayNode();
        String lastContradiction = null;
        for (int i = 0; i < alternatives.size(); i++) {
            List<Member> combined = new ArrayList<>(members);
            combined.set(index, new Member(rest, m.pointer, m.outer));
            JsonNode alternative = alternatives.get(i);
            if (alternative.isBoolean() && !alternative.booleanValue()) {
                continue;
            }
            combined.add(asMember(alternative, SchemaDocument.child(at, i)));
            try {
                ObjectNode result = merge(combined, pointer, new HashSet<>(refsInUse));
                if (result.has("anyOf") && result.size() == 1) {
                    result.get("anyOf").forEach(merged::add);
                } else {
                    merged.add(result);
                }
            } catch (Contradiction e) {
                lastContradiction = e.getMessage();
            }
            if (merged.size() > MAX_ALTERNATIVES) {
                throw document.unsupported(pointer, "combining allOf and " + key + " into more than "
                        + MAX_ALTERNATIVES + " alternatives");
            }
        }
        if (merged.isEmpty()) {
            throw new Contradiction("no alternative of " + key + " at " + at + " is compatible with the rest"
                    + (lastContradiction == null ? "" : " (" + lastContradiction + ")"));
        }
        ObjectNode out = NODES.objectNode();
        out.set("anyOf", merged);
        return out;
    }

    /** Intersects plain members (no $ref, allOf, anyOf or oneOf left). */
    private ObjectNode intersect(List<Member> members, String pointer) {
        ObjectNode out = NODES.objectNode();
        Set<String> types = null;
        List<JsonNode> values = null;
        Map<String, List<JsonNode>> properties = new LinkedHashMap<>();
        Set<String> required = new LinkedHashSet<>();
        List<JsonNode> items = new ArrayList<>();
        boolean noExtraProperties = false;
        List<JsonNode> extraSchemas = new ArrayList<>();
        List<Map.Entry<Member, JsonNode>> constrainers = new ArrayList<>();
        int arrayShapes = 0;

        for (Member m : members) {
            for (Map.Entry<String, JsonNode> field : m.schema.properties()) {
                String keyword = field.getKey();
                JsonNode value = field.getValue();
                String at = SchemaDocument.child(m.pointer, keyword);
                if (!Keywords.constrains(keyword)) {
                    continue;
                }
                switch (keyword) {
                    case "type" -> {
                        Set<String> these = SchemaConverter.declaredTypes(m.schema, m.pointer, document);
                        types = types == null ? these : intersectTypes(types, these);
                        if (types.isEmpty()) {
                            throw new Contradiction("allOf members have no type in common");
                        }
                    }
                    case "enum", "const" -> {
                        List<JsonNode> these = new ArrayList<>();
                        if (keyword.equals("const")) {
                            these.add(value);
                        } else if (value.isArray()) {
                            value.forEach(these::add);
                        } else {
                            throw document.invalid(at, "enum must be an array");
                        }
                        if (values == null) {
                            values = these;
                        } else {
                            values.retainAll(these);
                        }
                        if (values.isEmpty()) {
                            throw new Contradiction("allOf members have no enum/const value in common");
                        }
                    }
                    case "properties" -> {
                        if (!value.isObject()) {
                            throw document.invalid(at, "properties must be an object");
                        }
                        value.properties().forEach(
                                p -> properties.computeIfAbsent(p.getKey(), k -> new ArrayList<>()).add(p.getValue()));
                    }
                    case "required" -> {
                        if (!value.isArray()) {
                            throw document.invalid(at, "required must be an array of strings");
                        }
                        value.forEach(r -> required.add(r.asText()));
                    }
                    case "additionalProperties", "unevaluatedProperties" -> {
                        if (keyword.equals("unevaluatedProperties") && !m.outer) {
                            throw document.unsupported(at, "unevaluatedProperties inside allOf");
                        }
                        if (value.isBoolean() && !value.booleanValue()) {
                            // The outer schema's unevaluatedProperties sees every member's properties: it only
                            // forbids properties nobody declares. additionalProperties sees its own member's only.
                            if (keyword.equals("additionalProperties")) {
                                constrainers.add(Map.entry(m, value));
                            }
                            noExtraProperties = true;
                        } else if (value.isObject() && !value.isEmpty()) {
                            constrainers.add(Map.entry(m, value));
                            extraSchemas.add(value);
                        } else if (!value.isBoolean() && !value.isObject()) {
                            throw document.invalid(at, keyword + " must be a boolean or a schema");
                        }
                    }
                    case "items" -> {
                        if (value.isArray()) {
                            arrayShapes++;
                            out.set("items", value);
                        } else {
                            items.add(value);
                        }
                    }
                    case "prefixItems", "additionalItems" -> {
                        arrayShapes++;
                        out.set(keyword, value);
                    }
                    case "minLength", "minItems", "minProperties", "minimum" -> tighten(out, keyword, value, at, true);
                    case "maxLength", "maxItems", "maxProperties", "maximum" -> tighten(out, keyword, value, at, false);
                    case "exclusiveMinimum", "exclusiveMaximum" -> {
                        if (!value.isNumber()) {
                            throw document.unsupported(at, "boolean " + keyword + " (draft 4) inside allOf");
                        }
                        tighten(out, keyword, value, at, keyword.equals("exclusiveMinimum"));
                    }
                    case "format", "multipleOf" -> {
                        JsonNode previous = out.get(keyword);
                        if (previous != null && !previous.equals(value)) {
                            throw document.unsupported(at, "allOf members with different " + keyword + " values");
                        }
                        out.set(keyword, value);
                    }
                    case "uniqueItems" -> {
                        if (value.asBoolean(false)) {
                            out.set(keyword, value);
                        }
                    }
                    case "nullable" -> throw document.unsupported(at, "nullable inside allOf");
                    default -> throw document.unsupported(at, "'" + keyword + "' inside allOf");
                }
            }
        }
        // A member's additionalProperties applies to every property it does not declare itself.
        for (Map.Entry<Member, JsonNode> c : constrainers) {
            JsonNode declared = c.getKey().schema.get("properties");
            for (Map.Entry<String, List<JsonNode>> p : properties.entrySet()) {
                if (declared == null || !declared.has(p.getKey())) {
                    p.getValue().add(c.getValue());
                }
            }
        }
        if (arrayShapes > 1 || (arrayShapes == 1 && !items.isEmpty())) {
            throw document.unsupported(pointer, "tuple arrays (prefixItems) combined with other items in allOf");
        }
        if (types != null) {
            ArrayNode t = out.putArray("type");
            types.forEach(t::add);
        }
        if (values != null) {
            ArrayNode e = out.putArray("enum");
            values.forEach(e::add);
        }
        if (!properties.isEmpty()) {
            ObjectNode p = out.putObject("properties");
            properties.forEach((name, schemas) -> p.set(name, allOf(schemas)));
        }
        if (!required.isEmpty()) {
            ArrayNode r = out.putArray("required");
            required.forEach(r::add);
        }
        if (noExtraProperties) {
            out.put("additionalProperties", false);
        } else if (!extraSchemas.isEmpty()) {
            out.set("additionalProperties", allOf(extraSchemas));
        }
        if (!items.isEmpty()) {
            out.set("items", allOf(items));
        }
        return out;
    }

    private static JsonNode allOf(List<JsonNode> schemas) {
        List<JsonNode> distinct = new ArrayList<>();
        for (JsonNode s : schemas) {
            if (!(s.isBoolean() && s.booleanValue()) && !(s.isObject() && s.isEmpty()) && !distinct.contains(s)) {
                distinct.add(s);
            }
        }
        if (distinct.isEmpty()) {
            return NODES.booleanNode(true);
        }
        if (distinct.contains(NODES.booleanNode(false))) {
            return NODES.booleanNode(false);
        }
        if (distinct.size() == 1) {
            return distinct.get(0);
        }
        ObjectNode out = NODES.objectNode();
        ArrayNode all = out.putArray("allOf");
        distinct.forEach(all::add);
        return out;
    }

    private void tighten(ObjectNode out, String keyword, JsonNode value, String at, boolean lower) {
        if (!value.isNumber()) {
            throw document.invalid(at, keyword + " must be a number");
        }
        JsonNode previous = out.get(keyword);
        if (previous == null) {
            out.set(keyword, value);
            return;
        }
        BigDecimal a = previous.decimalValue();
        BigDecimal b = value.decimalValue();
        boolean takeNew = lower ? b.compareTo(a) > 0 : b.compareTo(a) < 0;
        if (takeNew) {
            out.set(keyword, value);
        }
    }

    private static Set<String> intersectTypes(Set<String> a, Set<String> b) {
        Set<String> out = new LinkedHashSet<>();
        for (String t : a) {
            if (b.contains(t)) {
                out.add(t);
            } else if (t.equals("integer") && b.contains("number")) {
                out.add("integer");
            } else if (t.equals("number") && b.contains("integer")) {
                out.add("integer");
            }
        }
        return out;
    }
}
