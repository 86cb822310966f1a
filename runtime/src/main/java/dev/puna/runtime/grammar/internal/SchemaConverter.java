package dev.puna.runtime.grammar.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Converts one JSON schema document into GBNF rules added to a {@link GrammarBuilder}. See
 * {@link dev.puna.runtime.grammar.JsonSchemaGrammar} for what is supported; this class holds the how.
 *
 * <p>Every {@code $ref} target becomes one named rule (so recursive schemas are recursive rules); a reference cycle
 * that matches no character before recursing (left recursion, which llama.cpp refuses) is reported as an invalid
 * schema. Each visit returns a single GBNF symbol (a rule name or a literal) matching the value alone, without
 * surrounding whitespace.
 *
 * <p>One converter per document and grammar; not thread-safe.
 */
public final class SchemaConverter {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Keywords that may accompany {@code enum}/{@code const}: enum values are checked against them. */
    private static final Set<String> ENUM_COMPANIONS = Set.of("enum", "const", "type", "minLength", "maxLength",
            "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum");

    private final SchemaDocument document;
    private final SchemaMerger merger;
    private final GrammarBuilder g;
    private final Map<String, String> refRules = new HashMap<>();
    /** For each $ref target, the targets it reaches before matching any character: left recursion if cyclic. */
    private final Map<String, Set<String>> leftEdges = new LinkedHashMap<>();

    /**
     * @param schema the schema document (an object or a boolean)
     * @param rules the grammar to add rules to
     * @param parameter the request parameter carrying the schema, for error messages
     */
    public SchemaConverter(JsonNode schema, GrammarBuilder rules, String parameter) {
        this.document = new SchemaDocument(schema, parameter);
        this.merger = new SchemaMerger(document);
        this.g = rules;
    }

    /**
     * Adds the rules for the whole document.
     *
     * @param hint the name to derive the document's rule name from
     * @return the name of the rule matching a value valid against the document's root schema
     * @throws dev.puna.runtime.grammar.UnsupportedSchemaException for features that cannot be enforced
     * @throws dev.puna.runtime.grammar.InvalidSchemaException for malformed or unsatisfiable schemas
     */
    public String convert(String hint) {
        String name = refRule("", document.root(), hint, List.of());
        checkLeftRecursion();
        return name;
    }

    private String refRule(String pointer, JsonNode target, String hint, List<String> pending) {
        if (!pending.isEmpty()) {
            leftEdges.computeIfAbsent(pending.get(pending.size() - 1), k -> new LinkedHashSet<>()).add(pointer);
        }
        String name = refRules.get(pointer);
        if (name != null) {
            return name;
        }
        name = g.reserve(hint);
        refRules.put(pointer, name);
        List<String> inner = new ArrayList<>(pending);
        inner.add(pointer);
        g.define(name, visit(target, pointer, name, List.copyOf(inner)));
        return name;
    }

    private void checkLeftRecursion() {
        Map<String, Integer> state = new HashMap<>();
        for (String start : leftEdges.keySet()) {
            List<String> cycle = findCycle(start, state, new ArrayList<>());
            if (cycle != null) {
                throw document.invalid(cycle.get(0), "$ref cycle " + String.join(" -> ", cycle.stream()
                        .map(p -> "#" + p).toList()) + " recurses before matching anything (left recursion)");
            }
        }
    }

    private List<String> findCycle(String node, Map<String, Integer> state, List<String> path) {
        Integer s = state.get(node);
        if (s != null && s == 2) {
            return null;
        }
        if (s != null) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(node), path.size()));
            cycle.add(node);
            return cycle;
        }
        state.put(node, 1);
        path.add(node);
        for (String next : leftEdges.getOrDefault(node, Set.of())) {
            List<String> cycle = findCycle(next, state, path);
            if (cycle != null) {
                return cycle;
            }
        }
        path.remove(path.size() - 1);
        state.put(node, 2);
        return null;
    }

    /**
     * The symbol for values valid against {@code schema}.
     *
     * @param pending the $ref targets entered since the last character the grammar consumed (for left recursion)
     */
    private String visit(JsonNode schema, String pointer, String hint, List<String> pending) {
        if (schema.isBoolean()) {
            if (schema.booleanValue()) {
                return JsonRules.value(g);
            }
            throw document.invalid(pointer, "the schema false accepts no value");
        }
        if (!schema.isObject()) {
            throw document.invalid(pointer, "a schema must be an object or a boolean, not " + schema.getNodeType());
        }
        ObjectNode o = (ObjectNode) schema;
        document.checkKeywords(o, pointer);
        if (o.has("nullable")) {
            JsonNode nullable = o.get("nullable");
            if (!nullable.isBoolean()) {
                throw document.invalid(SchemaDocument.child(pointer, "nullable"), "nullable must be a boolean");
            }
            ObjectNode rest = o.deepCopy();
            rest.remove("nullable");
            if (!nullable.booleanValue()) {
                return visit(rest, pointer, hint, pending);
            }
            return g.rule(hint + "-or-null", visit(rest, pointer, hint, pending) + " | \"null\"");
        }
        boolean combination = o.has("anyOf") || o.has("oneOf");
        if (o.has("$ref") && !hasConstraintsBesides(o, Set.of("$ref"))) {
            SchemaDocument.Target target = document.resolve(o.get("$ref"), SchemaDocument.child(pointer, "$ref"));
            return refRule(target.pointer(), target.schema(), refHint(target.pointer(), hint), pending);
        }
        if (o.has("allOf") || o.has("$ref") || (o.has("anyOf") && o.has("oneOf"))
                || (combination && hasConstraintsBesides(o, Set.of("anyOf", "oneOf")))) {
            o = merger.merge(o, pointer);
            combination = o.has("anyOf");
        }
        if (combination) {
            return alternatives(o, pointer, hint, pending);
        }
        if (o.has("enum") || o.has("const")) {
            return enumeration(o, pointer, hint);
        }
        Set<String> types = types(o, pointer);
        if (types.containsAll(List.of("object", "array", "string", "number", "boolean", "null"))
                && !hasConstraintsBesides(o, Set.of("type"))) {
            return JsonRules.value(g);
        }
        List<String> alternatives = new ArrayList<>();
        for (String type : types) {
            alternatives.add(switch (type) {
                case "null" -> "\"null\"";
                case "boolean" -> JsonRules.bool(g);
                case "string" -> string(o, pointer, hint);
                case "integer" -> number(o, pointer, hint, true);
                case "number" -> number(o, pointer, hint, false);
                case "object" -> object(o, pointer, hint);
                case "array" -> array(o, pointer, hint);
                default -> throw new IllegalStateException(type);
            });
        }
        return alternatives.size() == 1 ? alternatives.get(0) : g.rule(hint, String.join(" | ", alternatives));
    }

    private static String refHint(String pointer, String fallback) {
        if (pointer.isEmpty()) {
            return fallback;
        }
        return pointer.substring(pointer.lastIndexOf('/') + 1).replace("~1", "-").replace("~0", "-");
    }

    private static boolean hasConstraintsBesides(ObjectNode o, Set<String> besides) {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String keyword = it.next();
            if (Keywords.constrains(keyword) && !besides.contains(keyword)) {
                return true;
            }
        }
        return false;
    }

    private String alternatives(ObjectNode o, String pointer, String hint, List<String> pending) {
        String key = o.has("anyOf") ? "anyOf" : "oneOf";
        JsonNode alternatives = o.get(key);
        String at = SchemaDocument.child(pointer, key);
        if (!alternatives.isArray() || alternatives.isEmpty()) {
            throw document.invalid(at, key + " must be a non-empty array");
        }
        Set<String> symbols = new LinkedHashSet<>();
        for (int i = 0; i < alternatives.size(); i++) {
            JsonNode alternative = alternatives.get(i);
            if (alternative.isBoolean() && !alternative.booleanValue()) {
                continue;
            }
            symbols.add(visit(alternative, SchemaDocument.child(at, i), hint + "-" + i, pending));
        }
        if (symbols.isEmpty()) {
            throw document.invalid(at, "every alternative is the schema false");
        }
        return symbols.size() == 1 ? symbols.iterator().next() : g.rule(hint, String.join(" | ", symbols));
    }

    private String enumeration(ObjectNode o, String pointer, String hint) {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String keyword = it.next();
            if (Keywords.constrains(keyword) && !ENUM_COMPANIONS.contains(keyword)) {
                throw document.unsupported(SchemaDocument.child(pointer, keyword),
                        "'" + keyword + "' together with enum/const");
            }
        }
        List<JsonNode> values = new ArrayList<>();
        if (o.has("enum")) {
            JsonNode e = o.get("enum");
            if (!e.isArray() || e.isEmpty()) {
                throw document.invalid(SchemaDocument.child(pointer, "enum"), "enum must be a non-empty array");
            }
            e.forEach(values::add);
        }
        if (o.has("const")) {
            JsonNode c = o.get("const");
            if (o.has("enum") && !values.contains(c)) {
                throw document.invalid(pointer, "const is not one of the enum values");
            }
            values = List.of(c);
        }
        Set<String> declared = o.has("type") ? declaredTypes(o, pointer, document) : null;
        Set<String> literals = new LinkedHashSet<>();
        for (JsonNode value : values) {
            if ((declared == null || declared.stream().anyMatch(t -> hasType(value, t))) && satisfiesBounds(value, o,
                    pointer)) {
                literals.add(Gbnf.literal(compact(value)));
            }
        }
        if (literals.isEmpty()) {
            throw document.invalid(pointer, "no enum/const value satisfies the rest of the schema");
        }
        return literals.size() == 1 ? literals.iterator().next() : g.rule(hint, String.join(" | ", literals));
    }

    private boolean satisfiesBounds(JsonNode value, ObjectNode o, String pointer) {
        if (value.isTextual()) {
            long length = value.textValue().codePointCount(0, value.textValue().length());
            Long min = count(o, "minLength", pointer);
            Long max = count(o, "maxLength", pointer);
            return (min == null || length >= min) && (max == null || length <= max);
        }
        if (value.isNumber()) {
            NumberRanges.Bound lower = lowerBound(o, pointer);
            NumberRanges.Bound upper = upperBound(o, pointer);
            BigDecimal v = value.decimalValue();
            return (lower == null || v.compareTo(lower.value()) > 0 || (lower.inclusive()
                    && v.compareTo(lower.value()) == 0))
                    && (upper == null || v.compareTo(upper.value()) < 0 || (upper.inclusive()
                    && v.compareTo(upper.value()) == 0));
        }
        return true;
    }

    private static boolean hasType(JsonNode value, String type) {
        return switch (type) {
            case "null" -> value.isNull();
            case "boolean" -> value.isBoolean();
            case "string" -> value.isTextual();
            case "number" -> value.isNumber();
            case "integer" -> value.isIntegralNumber()
                    || (value.isNumber() && value.decimalValue().stripTrailingZeros().scale() <= 0);
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            default -> false;
        };
    }

    /** The value of {@code type} as a set (in declared order), or {@code null} when absent. */
    static Set<String> declaredTypes(ObjectNode o, String pointer, SchemaDocument document) {
        JsonNode type = o.get("type");
        if (type == null) {
            return null;
        }
        String at = SchemaDocument.child(pointer, "type");
        Set<String> types = new LinkedHashSet<>();
        if (type.isTextual()) {
            types.add(type.textValue());
        } else if (type.isArray() && !type.isEmpty()) {
            type.forEach(t -> types.add(t.isTextual() ? t.textValue() : t.toString()));
        } else {
            throw document.invalid(at, "type must be a type name or a non-empty array of them");
        }
        for (String t : types) {
            if (!Keywords.TYPES.contains(t)) {
                throw document.invalid(at, "unknown type '" + t + "'");
            }
        }
        return types;
    }

    /** The types a value may have: the declared ones, else those implied by the keywords, else all. */
    private Set<String> types(ObjectNode o, String pointer) {
        Set<String> types = declaredTypes(o, pointer, document);
        if (types == null) {
            types = new LinkedHashSet<>();
            for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
                String keyword = it.next();
                if (Keywords.OBJECT.contains(keyword)) {
                    types.add("object");
                } else if (Keywords.ARRAY.contains(keyword)) {
                    types.add("array");
                } else if (Keywords.STRING.contains(keyword)) {
                    types.add("string");
                } else if (Keywords.NUMBER.contains(keyword)) {
                    types.add("number");
                }
            }
            if (types.isEmpty()) {
                types.addAll(List.of("object", "array", "string", "number", "boolean", "null"));
            }
        }
        if (types.contains("number")) {
            types.remove("integer");
        }
        return types;
    }

    // ---- strings

    private String string(ObjectNode o, String pointer, String hint) {
        Long min = count(o, "minLength", pointer);
        Long max = count(o, "maxLength", pointer);
        JsonNode format = o.get("format");
        String quote = "\"\\\"\"";
        if (format != null) {
            String at = SchemaDocument.child(pointer, "format");
            if (!format.isTextual()) {
                throw document.invalid(at, "format must be a string");
            }
            String rule = StringFormats.rule(g, format.textValue()).orElseThrow(() -> document.unsupported(at,
                    "format '" + format.textValue() + "' (supported: " + String.join(", ", StringFormats.names())
                            + ")"));
            if (min != null || max != null) {
                throw document.unsupported(pointer, "format together with minLength/maxLength");
            }
            return g.rule(rule + "-string", quote + " " + rule + " " + quote);
        }
        if (min == null && max == null) {
            return JsonRules.string(g);
        }
        long from = min == null ? 0 : min;
        long to = max == null ? -1 : max;
        if (to >= 0 && from > to) {
            throw document.invalid(pointer, "minLength " + from + " is above maxLength " + to);
        }
        if (from > Gbnf.MAX_COUNT || to > Gbnf.MAX_COUNT) {
            throw document.unsupported(pointer, "minLength/maxLength above " + Gbnf.MAX_COUNT);
        }
        String body = quote + " " + Gbnf.repeat(g, JsonRules.codePoint(g), from, to) + " " + quote;
        return g.rule("string-" + from + "-" + (to < 0 ? "more" : to), body);
    }

    /** A non-negative integer keyword such as {@code minLength}, or {@code null} when absent. */
    private Long count(ObjectNode o, String keyword, String pointer) {
        JsonNode value = o.get(keyword);
        if (value == null) {
            return null;
        }
        if (!value.isNumber() || !hasType(value, "integer") || value.decimalValue().signum() < 0) {
            throw document.invalid(SchemaDocument.child(pointer, keyword), keyword + " must be a non-negative integer");
        }
        BigDecimal v = value.decimalValue();
        return v.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0 ? Long.MAX_VALUE : v.longValue();
    }

    // ---- numbers

    private String number(ObjectNode o, String pointer, String hint, boolean integer) {
        JsonNode multipleOf = o.get("multipleOf");
        if (multipleOf != null) {
            String at = SchemaDocument.child(pointer, "multipleOf");
            if (!multipleOf.isNumber() || multipleOf.decimalValue().signum() <= 0) {
                throw document.invalid(at, "multipleOf must be a number above 0");
            }
            if (multipleOf.decimalValue().compareTo(BigDecimal.ONE) != 0) {
                throw document.unsupported(at, "'multipleOf' (other than 1)");
            }
            integer = true;
        }
        NumberRanges.Bound lower = lowerBound(o, pointer);
        NumberRanges.Bound upper = upperBound(o, pointer);
        if (lower == null && upper == null) {
            return integer ? JsonRules.integer(g) : JsonRules.number(g);
        }
        for (NumberRanges.Bound b : new NumberRanges.Bound[] {lower, upper}) {
            if (b != null && b.value().abs().compareTo(BigDecimal.TEN.pow(300)) >= 0) {
                throw document.unsupported(pointer, "minimum/maximum beyond 1e300");
            }
        }
        String expression = NumberRanges.expression(lower, upper, integer);
        String kind = integer ? "integer" : "number";
        if (expression == null) {
            throw document.invalid(pointer, "no " + kind + " satisfies the minimum/maximum");
        }
        return g.rule(hint + "-" + kind, expression);
    }

    private NumberRanges.Bound lowerBound(ObjectNode o, String pointer) {
        return bound(o, pointer, "minimum", "exclusiveMinimum", true);
    }

    private NumberRanges.Bound upperBound(ObjectNode o, String pointer) {
        return bound(o, pointer, "maximum", "exclusiveMaximum", false);
    }

    /** The tighter of {@code minimum} and {@code exclusiveMinimum} (or the maximum pair); both JSON Schema forms. */
    private NumberRanges.Bound bound(ObjectNode o, String pointer, String inclusiveKey, String exclusiveKey,
                                     boolean lower) {
        NumberRanges.Bound inclusive = null;
        JsonNode value = o.get(inclusiveKey);
        if (value != null) {
            if (!value.isNumber()) {
                throw document.invalid(SchemaDocument.child(pointer, inclusiveKey), inclusiveKey + " must be a number");
            }
            inclusive = new NumberRanges.Bound(value.decimalValue(), true);
        }
        JsonNode exclusive = o.get(exclusiveKey);
        if (exclusive == null) {
            return inclusive;
        }
        String at = SchemaDocument.child(pointer, exclusiveKey);
        if (exclusive.isBoolean()) { // draft 4: a flag on minimum/maximum
            if (!exclusive.booleanValue() || inclusive == null) {
                return inclusive;
            }
            return new NumberRanges.Bound(inclusive.value(), false);
        }
        if (!exclusive.isNumber()) {
            throw document.invalid(at, exclusiveKey + " must be a number");
        }
        NumberRanges.Bound strict = new NumberRanges.Bound(exclusive.decimalValue(), false);
        if (inclusive == null) {
            return strict;
        }
        int c = strict.value().compareTo(inclusive.value());
        boolean strictIsTighter = lower ? c >= 0 : c <= 0;
        return strictIsTighter ? strict : inclusive;
    }

    // ---- objects

    /** What may follow the declared properties: nothing, any value, or values of a schema. */
    private record Extras(boolean allowed, JsonNode schema) {
        static final Extras NONE = new Extras(false, null);
        static final Extras ANY = new Extras(true, BooleanNode.TRUE);
    }

    private String object(ObjectNode o, String pointer, String hint) {
        JsonNode properties = o.get("properties");
        if (properties != null && !properties.isObject()) {
            throw document.invalid(SchemaDocument.child(pointer, "properties"), "properties must be an object");
        }
        Extras extras = extras(o, pointer, properties != null);
        List<String> required = requiredNames(o, pointer);

        Map<String, JsonNode> members = new LinkedHashMap<>();
        Set<String> declared = new LinkedHashSet<>();
        if (properties != null) {
            for (Map.Entry<String, JsonNode> p : properties.properties()) {
                declared.add(p.getKey());
                if (p.getValue().isBoolean() && !p.getValue().booleanValue()) {
                    if (required.contains(p.getKey())) {
                        throw document.invalid(pointer, "required property '" + p.getKey()
                                + "' has the schema false");
                    }
                } else {
                    members.put(p.getKey(), p.getValue());
                }
            }
        }
        for (String name : required) {
            if (!declared.contains(name)) {
                if (!extras.allowed()) {
                    throw document.invalid(SchemaDocument.child(pointer, "required"), "required property '" + name
                            + "' is not in properties and additional properties are not allowed");
                }
                declared.add(name);
                members.put(name, extras.schema());
            }
        }
        checkPropertyCounts(o, pointer, required.size(), members.size(), extras);

        String ws = JsonRules.ws(g);
        List<String> kvs = new ArrayList<>();
        List<Boolean> requiredFlags = new ArrayList<>();
        for (Map.Entry<String, JsonNode> m : members.entrySet()) {
            String name = m.getKey();
            String at = properties != null && properties.has(name)
                    ? SchemaDocument.child(SchemaDocument.child(pointer, "properties"), name)
                    : SchemaDocument.child(pointer, "additionalProperties");
            String value = visit(m.getValue(), at, hint + "-" + name, List.of());
            kvs.add(g.rule(hint + "-" + name + "-kv",
                    Gbnf.literal(compact(TextNode.valueOf(name))) + " " + ws + " \":\" " + ws + " " + value + " " + ws));
            requiredFlags.add(required.contains(name));
        }
        String extraKv = null;
        if (extras.allowed()) {
            String value = visit(extras.schema(), SchemaDocument.child(pointer, "additionalProperties"),
                    hint + "-additional", List.of());
            extraKv = g.rule(hint + "-additional-kv",
                    keyExcept(declared, hint) + " " + ws + " \":\" " + ws + " " + value + " " + ws);
        }
        String members0 = first(0, kvs, requiredFlags, extraKv, ws);
        return g.rule(hint, "\"{\" " + ws + (members0.isEmpty() ? "" : " " + members0) + " \"}\"");
    }

    /** Members from index {@code i} on when none has been written yet (so no comma before the first). */
    private String first(int i, List<String> kvs, List<Boolean> required, String extraKv, String ws) {
        if (i == kvs.size()) {
            return extraKv == null ? "" : "( " + extraKv + " ( \",\" " + ws + " " + extraKv + " )* )?";
        }
        String present = (kvs.get(i) + " " + after(i + 1, kvs, required, extraKv, ws)).trim();
        if (required.get(i)) {
            return present;
        }
        String absent = first(i + 1, kvs, required, extraKv, ws);
        return absent.isEmpty() ? "( " + present + " )?" : "( " + present + " | " + absent + " )";
    }

    /** Members from index {@code i} on after at least one was written: each with a leading comma. */
    private static String after(int i, List<String> kvs, List<Boolean> required, String extraKv, String ws) {
        StringBuilder out = new StringBuilder();
        for (int j = i; j < kvs.size(); j++) {
            String piece = "\",\" " + ws + " " + kvs.get(j);
            out.append(required.get(j) ? piece : "( " + piece + " )?").append(' ');
        }
        if (extraKv != null) {
            out.append("( \",\" ").append(ws).append(' ').append(extraKv).append(" )*");
        }
        return out.toString().trim();
    }

    private Extras extras(ObjectNode o, String pointer, boolean hasProperties) {
        JsonNode additional = o.get("additionalProperties");
        JsonNode unevaluated = o.get("unevaluatedProperties");
        if (unevaluated != null && !(unevaluated.isBoolean() && !unevaluated.booleanValue())) {
            throw document.unsupported(SchemaDocument.child(pointer, "unevaluatedProperties"),
                    "'unevaluatedProperties' (other than false)");
        }
        if (unevaluated != null) {
            return Extras.NONE;
        }
        if (additional == null) {
            // Stricter than JSON Schema on purpose: with declared properties, generate only those.
            return hasProperties ? Extras.NONE : Extras.ANY;
        }
        if (additional.isBoolean()) {
            return additional.booleanValue() ? Extras.ANY : Extras.NONE;
        }
        if (!additional.isObject()) {
            throw document.invalid(SchemaDocument.child(pointer, "additionalProperties"),
                    "additionalProperties must be a boolean or a schema");
        }
        return new Extras(true, additional);
    }

    private List<String> requiredNames(ObjectNode o, String pointer) {
        JsonNode required = o.get("required");
        List<String> names = new ArrayList<>();
        if (required == null) {
            return names;
        }
        String at = SchemaDocument.child(pointer, "required");
        if (!required.isArray()) {
            throw document.invalid(at, "required must be an array of strings");
        }
        for (JsonNode name : required) {
            if (!name.isTextual()) {
                throw document.invalid(at, "required must be an array of strings");
            }
            if (!names.contains(name.textValue())) {
                names.add(name.textValue());
            }
        }
        return names;
    }

    private void checkPropertyCounts(ObjectNode o, String pointer, int required, int declared, Extras extras) {
        Long min = count(o, "minProperties", pointer);
        Long max = count(o, "maxProperties", pointer);
        if (min != null && min > required) {
            throw document.unsupported(SchemaDocument.child(pointer, "minProperties"),
                    "'minProperties' above the number of required properties");
        }
        if (max != null && (extras.allowed() || max < declared)) {
            if (max < required) {
                throw document.invalid(SchemaDocument.child(pointer, "maxProperties"),
                        "maxProperties is below the number of required properties");
            }
            throw document.unsupported(SchemaDocument.child(pointer, "maxProperties"),
                    "'maxProperties' below the number of properties that may appear");
        }
    }

    /**
     * A JSON string key that is none of {@code names}: a trie over the names' characters, where leaving the trie
     * (a character no name continues with) allows any rest. Such keys are written without escapes.
     */
    private String keyExcept(Set<String> names, String hint) {
        Trie root = new Trie();
        for (String name : names) {
            root.add(name);
        }
        String quote = "\"\\\"\"";
        return quote + " " + trieRule(root, hint + "-key") + " " + quote;
    }

    private static final class Trie {
        final TreeMap<Integer, Trie> children = new TreeMap<>();
        boolean terminal;

        void add(String word) {
            Trie node = this;
            for (int cp : word.codePoints().toArray()) {
                node = node.children.computeIfAbsent(cp, c -> new Trie());
            }
            node.terminal = true;
        }
    }

    private String trieRule(Trie node, String hint) {
        String keyChar = g.shared("json-key-char", () -> JsonRules.PLAIN_CHAR);
        List<String> alternatives = new ArrayList<>();
        List<int[]> excluded = new ArrayList<>(List.of(new int[] {'"', '"'}, new int[] {'\\', '\\'},
                new int[] {0, 0x1F}));
        for (Map.Entry<Integer, Trie> child : node.children.entrySet()) {
            int cp = child.getKey();
            excluded.add(new int[] {cp, cp});
            if (cp < 0x20 || cp == '"' || cp == '\\') {
                continue; // needs an escape: extra keys never contain it
            }
            alternatives.add(Gbnf.literal(Character.toString(cp)) + " " + trieRule(child.getValue(), hint));
        }
        alternatives.add(Gbnf.charClass(true, excluded.toArray(int[][]::new)) + " " + keyChar + "*");
        if (!node.terminal) {
            alternatives.add("\"\"");
        }
        return g.rule(hint, String.join(" | ", alternatives));
    }

    // ---- arrays

    private String array(ObjectNode o, String pointer, String hint) {
        JsonNode items = o.get("items");
        JsonNode prefixItems = o.get("prefixItems");
        JsonNode additionalItems = o.get("additionalItems");
        List<JsonNode> prefix = new ArrayList<>();
        String prefixAt;
        JsonNode rest;
        String restAt;
        if (prefixItems != null) {
            prefixAt = SchemaDocument.child(pointer, "prefixItems");
            if (!prefixItems.isArray()) {
                throw document.invalid(prefixAt, "prefixItems must be an array of schemas");
            }
            if (items != null && items.isArray()) {
                throw document.invalid(SchemaDocument.child(pointer, "items"),
                        "items must be a schema when prefixItems is present");
            }
            prefixItems.forEach(prefix::add);
            rest = items;
            restAt = SchemaDocument.child(pointer, "items");
        } else if (items != null && items.isArray()) {
            prefixAt = SchemaDocument.child(pointer, "items");
            items.forEach(prefix::add);
            rest = additionalItems;
            restAt = SchemaDocument.child(pointer, "additionalItems");
        } else {
            prefixAt = pointer;
            rest = items == null ? BooleanNode.TRUE : items;
            restAt = SchemaDocument.child(pointer, "items");
        }
        Long minItems = count(o, "minItems", pointer);
        Long maxItems = count(o, "maxItems", pointer);
        long min = minItems == null ? 0 : minItems;
        long max = maxItems == null ? -1 : maxItems;
        if (rest == null) {
            // Stricter than JSON Schema on purpose: after a tuple, no further items unless minItems needs them.
            rest = min > prefix.size() ? BooleanNode.TRUE : BooleanNode.FALSE;
        }
        if (rest.isBoolean() && !rest.booleanValue()) {
            max = max < 0 ? prefix.size() : Math.min(max, prefix.size());
        }
        for (int i = 0; i < prefix.size(); i++) {
            if (prefix.get(i).isBoolean() && !prefix.get(i).booleanValue()) {
                max = max < 0 ? i : Math.min(max, i);
                break;
            }
        }
        if (max >= 0 && min > max) {
            throw document.invalid(pointer, "no array length satisfies minItems " + min + " and the item limits");
        }
        JsonNode unique = o.get("uniqueItems");
        if (unique != null && unique.asBoolean(false) && (max < 0 || max > 1)) {
            throw document.unsupported(SchemaDocument.child(pointer, "uniqueItems"), "'uniqueItems' true");
        }
        if (min > Gbnf.MAX_COUNT || max > Gbnf.MAX_COUNT) {
            throw document.unsupported(pointer, "minItems/maxItems above " + Gbnf.MAX_COUNT);
        }
        String ws = JsonRules.ws(g);
        String elements = elements(0, prefix, prefixAt, rest, restAt, min, max, hint, ws);
        return g.rule(hint, "\"[\" " + ws + (elements.isEmpty() ? "" : " " + elements) + " \"]\"");
    }

    /** Elements from index {@code i} on, {@code i} of them already written. */
    private String elements(int i, List<JsonNode> prefix, String prefixAt, JsonNode rest, String restAt, long min,
                            long max, String hint, String ws) {
        if (max >= 0 && i >= max) {
            return "";
        }
        String comma = i == 0 ? "" : "\",\" " + ws + " ";
        if (i < prefix.size()) {
            String item = visit(prefix.get(i), SchemaDocument.child(prefixAt, i), hint + "-" + i, List.of());
            String body = (comma + item + " " + ws + " "
                    + elements(i + 1, prefix, prefixAt, rest, restAt, min, max, hint, ws)).trim();
            return i >= min ? "( " + body + " )?" : body;
        }
        String item = visit(rest, restAt, hint + "-item", List.of());
        String next = g.rule(hint + "-next", "\",\" " + ws + " " + item + " " + ws);
        if (i == 0) {
            String more = Gbnf.repeat(g, next, Math.max(min - 1, 0), max < 0 ? -1 : max - 1);
            String body = item + " " + ws + (more.equals("\"\"") ? "" : " " + more);
            return min == 0 ? "( " + body + " )?" : body;
        }
        String more = Gbnf.repeat(g, next, Math.max(min - i, 0), max < 0 ? -1 : max - i);
        return more.equals("\"\"") ? "" : more;
    }

    // ---- helpers

    /** Compact JSON text of {@code value}: the one spelling the grammar allows for enum values and keys. */
    static String compact(JsonNode value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
