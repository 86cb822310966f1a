package dev.puna.runtime.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.puna.runtime.GrammarChecker;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Grammars from {@link JsonSchemaGrammar} run through llama.cpp's real grammar engine: each must parse, accept the
 * schema-valid instances and reject the schema-invalid ones. The instances were written by hand against the JSON
 * Schema specification; where the grammar is stricter than the schema on purpose, that is asserted separately
 * ({@link #stricterThanTheSchemaOnPurpose}).
 */
class JsonSchemaGrammarEngineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static GrammarChecker checker;

    @BeforeAll
    static void open() {
        checker = GrammarChecker.open();
    }

    @AfterAll
    static void close() {
        checker.close();
    }

    private static String grammar(String schema) throws Exception {
        String gbnf = JsonSchemaGrammar.fromSchema(JSON.readTree(schema));
        assertTrue(checker.parses(gbnf), () -> "llama.cpp refused the grammar for " + schema + ":\n" + gbnf);
        return gbnf;
    }

    private static void assertAccepts(String gbnf, String text) {
        GrammarChecker.Result r = checker.check(gbnf, text);
        assertTrue(r.accepted(), () -> "should accept " + text + " but " + r + "\n" + gbnf);
    }

    private static void assertRejects(String gbnf, String text) {
        assertFalse(checker.accepts(gbnf, text), () -> "should reject " + text + "\n" + gbnf);
    }

    record Case(String name, String schema, List<String> valid, List<String> invalid) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("required and optional properties", """
                        {"type": "object", "properties": {"name": {"type": "string"},
                         "age": {"type": "integer", "minimum": 0, "maximum": 150}, "email": {"type": "string"}},
                         "required": ["name"]}""",
                        List.of("{\"name\":\"Al\"}", "{\"name\": \"Al\", \"age\": 30}", "{\"name\":\"Al\",\"email\":\"a@b\"}",
                                "{\"name\":\"Al\",\"age\":0,\"email\":\"x\"}", "{\n  \"name\": \"Al\",\n  \"age\": 150\n}"),
                        List.of("{}", "{\"age\":30}", "{\"name\":\"Al\",\"age\":151}", "{\"name\":\"Al\",\"age\":-1}",
                                "{\"name\":5}", "{\"name\":\"Al\",\"age\":1.5}", "{\"name\":\"Al\",}", "[]")),
                new Case("only optional properties", """
                        {"type": "object", "properties": {"a": {"type": "boolean"}, "b": {"type": "null"},
                         "c": {"type": "integer"}}, "additionalProperties": false}""",
                        List.of("{}", "{\"a\":true}", "{\"b\":null}", "{\"c\":3}", "{\"a\":false,\"c\":3}",
                                "{\"a\":true,\"b\":null,\"c\":-7}", "{ }"),
                        List.of("{,\"a\":true}", "{\"a\":true,}", "{\"d\":1}", "{\"a\":1}", "{\"a\":true,\"a\":true}")),
                new Case("additionalProperties schema", """
                        {"type": "object", "properties": {"a": {"type": "integer"}},
                         "additionalProperties": {"type": "boolean"}}""",
                        List.of("{}", "{\"a\":1}", "{\"a\":1,\"b\":true}", "{\"b\":false}", "{\"a\":1,\"b\":true,\"ab\":false}",
                                "{\"\":true}"),
                        List.of("{\"a\":1,\"b\":1}", "{\"a\":\"x\"}", "{\"b\":null}")),
                new Case("additionalProperties true", """
                        {"properties": {"a": {"const": 1}}, "required": ["a"], "additionalProperties": true}""",
                        List.of("{\"a\":1}", "{\"a\":1,\"zz\":[1,{\"q\":null}],\"y\":\"s\"}"),
                        List.of("{\"a\":2}", "{\"zz\":1}", "{\"a\":1,\"a\":1}")),
                new Case("any object", "{\"type\": \"object\"}",
                        List.of("{}", "{\"k\":[1,2,{\"x\":\"y\"}]}"),
                        List.of("[]", "1", "{\"k\"}")),
                new Case("array bounds", """
                        {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 3}""",
                        List.of("[1]", "[1,2,3]", "[ 1, 2 ]", "[\n  1,\n  2\n]"),
                        List.of("[]", "[1,2,3,4]", "[\"a\"]", "[1,]", "[,1]")),
                new Case("tuple", """
                        {"type": "array", "prefixItems": [{"type": "string"}, {"type": "number"}],
                         "items": {"type": "boolean"}, "minItems": 1}""",
                        List.of("[\"a\"]", "[\"a\",1.5]", "[\"a\",1,true,false]"),
                        List.of("[]", "[1]", "[\"a\",\"b\"]", "[\"a\",1,2]")),
                new Case("draft-4 tuple", """
                        {"type": "array", "items": [{"type": "integer"}, {"type": "string"}],
                         "additionalItems": false}""",
                        List.of("[]", "[1]", "[1,\"x\"]"),
                        List.of("[1,\"x\",2]", "[\"x\"]")),
                new Case("enum", """
                        {"enum": ["red", "green", null, 42, {"a": [1]}]}""",
                        List.of("\"red\"", "\"green\"", "null", "42", "{\"a\":[1]}"),
                        List.of("\"blue\"", "43", "\"Red\"", "{\"a\":[2]}")),
                new Case("enum filtered by type", """
                        {"type": "string", "enum": ["a", 1, "b"], "maxLength": 1}""",
                        List.of("\"a\"", "\"b\""),
                        List.of("1")),
                new Case("const", "{\"const\": \"x\\\"y\"}",
                        List.of("\"x\\\"y\""),
                        List.of("\"xy\"", "\"x\"")),
                new Case("string length in code points", """
                        {"type": "string", "minLength": 2, "maxLength": 4}""",
                        List.of("\"ab\"", "\"abcd\"", "\"é😀\"", "\"\\u00e9\\u00e9\"", "\"a\\n\""),
                        List.of("\"a\"", "\"abcde\"", "\"\\ud83d\\ude00\"", "\"\"")),
                new Case("date", "{\"type\": \"string\", \"format\": \"date\"}",
                        List.of("\"2024-02-29\"", "\"2000-02-29\"", "\"2024-12-31\"", "\"0000-02-29\"", "\"2023-04-30\"",
                                "\"1999-01-01\""),
                        List.of("\"2023-02-29\"", "\"1900-02-29\"", "\"2024-04-31\"", "\"2024-13-01\"", "\"2024-00-10\"",
                                "\"2024-01-00\"", "\"24-01-01\"", "\"2024-1-01\"")),
                new Case("time", "{\"type\": \"string\", \"format\": \"time\"}",
                        List.of("\"23:59:59Z\"", "\"00:00:00.123+05:30\"", "\"12:30:00-08:00\""),
                        List.of("\"24:00:00Z\"", "\"12:00:00\"", "\"12:60:00Z\"", "\"12:00:00+5:30\"")),
                new Case("date-time", "{\"type\": \"string\", \"format\": \"date-time\"}",
                        List.of("\"2024-01-15T10:20:30.5-08:00\"", "\"2024-02-29T00:00:00Z\""),
                        List.of("\"2024-01-15 10:20:30Z\"", "\"2024-01-15T10:20:30\"", "\"2023-02-29T00:00:00Z\"")),
                new Case("uuid", "{\"type\": \"string\", \"format\": \"uuid\"}",
                        List.of("\"123e4567-e89b-12d3-a456-426614174000\"", "\"00000000-0000-0000-0000-00000000000A\""),
                        List.of("\"123e4567e89b12d3a456426614174000\"", "\"123e4567-e89b-12d3-a456-42661417400\"")),
                new Case("ipv4", "{\"type\": \"string\", \"format\": \"ipv4\"}",
                        List.of("\"192.168.0.255\"", "\"0.0.0.0\"", "\"10.20.249.9\""),
                        List.of("\"256.1.1.1\"", "\"01.2.3.4\"", "\"1.2.3\"")),
                new Case("integer range", """
                        {"type": "integer", "minimum": -15, "maximum": 1234}""",
                        List.of("-15", "-1", "0", "7", "99", "1000", "1234", "-10"),
                        List.of("-16", "1235", "5000", "-0", "1.5", "01", "-20")),
                new Case("number with exclusive minimum", """
                        {"type": "number", "exclusiveMinimum": 0, "maximum": 1.5}""",
                        List.of("0.001", "1", "1.5", "1.25", "0.5", "1.50"),
                        List.of("0", "0.0", "-1", "1.51", "2", "1.5000001", "-0.5")),
                new Case("negative number range", """
                        {"type": "number", "minimum": -2.5, "exclusiveMaximum": -1}""",
                        List.of("-2.5", "-2", "-1.0001", "-1.5", "-2.49"),
                        List.of("-1", "-2.51", "0", "-3", "-1.0", "1")),
                new Case("draft-4 exclusive bounds", """
                        {"type": "integer", "minimum": 1, "exclusiveMinimum": true, "maximum": 3,
                         "exclusiveMaximum": true}""",
                        List.of("2"),
                        List.of("1", "3", "0", "4")),
                new Case("integer above a fractional bound", """
                        {"type": "integer", "exclusiveMinimum": 2.5}""",
                        List.of("3", "100", "99999999999999999999"),
                        List.of("2", "2.5", "-3", "0")),
                new Case("unbounded number", "{\"type\": \"number\"}",
                        List.of("0", "-0", "1.5e10", "-3.25E-2", "12", "0.000001"),
                        List.of("1.", ".5", "+1", "01", "1e", "--1", "NaN")),
                new Case("type array", "{\"type\": [\"string\", \"null\"]}",
                        List.of("\"x\"", "null"),
                        List.of("1", "true", "[]")),
                new Case("anyOf", """
                        {"anyOf": [{"type": "integer"}, {"type": "object", "properties": {"k": {"type": "string"}},
                         "required": ["k"]}]}""",
                        List.of("5", "{\"k\":\"v\"}"),
                        List.of("\"s\"", "{}", "5.5")),
                new Case("oneOf with nullable", """
                        {"oneOf": [{"type": "string", "format": "date"}, {"type": "boolean", "nullable": true}]}""",
                        List.of("\"2020-01-01\"", "true", "null"),
                        List.of("\"x\"", "1")),
                new Case("allOf of objects", """
                        {"allOf": [{"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
                         {"properties": {"b": {"type": "string"}}, "required": ["b"]}]}""",
                        List.of("{\"a\":1,\"b\":\"x\"}"),
                        List.of("{\"a\":1}", "{\"b\":\"x\"}", "{\"a\":\"1\",\"b\":\"x\"}")),
                new Case("allOf where one member forbids extras", """
                        {"allOf": [{"properties": {"a": {}}, "additionalProperties": false},
                         {"properties": {"b": {}}}]}""",
                        List.of("{}", "{\"a\":1}", "{\"a\":[true]}"),
                        List.of("{\"a\":1,\"b\":2}", "{\"b\":2}")),
                new Case("anyOf with shared properties", """
                        {"type": "object", "properties": {"kind": {"enum": ["a", "b"]}, "n": {"type": "integer"}},
                         "anyOf": [{"required": ["kind"]}, {"required": ["n"]}]}""",
                        List.of("{\"kind\":\"a\"}", "{\"n\":1}", "{\"kind\":\"b\",\"n\":2}"),
                        List.of("{}", "{\"kind\":\"c\"}")),
                new Case("$ref with sibling constraints", """
                        {"$defs": {"base": {"type": "object", "properties": {"id": {"type": "integer"}}}},
                         "$ref": "#/$defs/base", "required": ["id"]}""",
                        List.of("{\"id\":1}"),
                        List.of("{}", "{\"id\":\"x\"}")),
                new Case("recursive $defs", """
                        {"$ref": "#/$defs/node", "$defs": {"node": {"type": "object", "properties": {
                         "value": {"type": "integer"}, "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
                         "required": ["value"]}}}""",
                        List.of("{\"value\":1}", "{\"value\":1,\"children\":[{\"value\":2,\"children\":[]},{\"value\":3}]}",
                                "{\"value\":1,\"children\":[{\"value\":2,\"children\":[{\"value\":3,\"children\":[]}]}]}"),
                        List.of("{\"value\":1,\"children\":[{\"children\":[]}]}", "{\"children\":[]}")),
                new Case("recursion through the root", """
                        {"type": "object", "properties": {"name": {"type": "string"}, "next": {"$ref": "#"}},
                         "required": ["name"], "additionalProperties": false}""",
                        List.of("{\"name\":\"a\"}", "{\"name\":\"a\",\"next\":{\"name\":\"b\",\"next\":{\"name\":\"c\"}}}"),
                        List.of("{\"name\":\"a\",\"next\":{}}", "{\"next\":{\"name\":\"b\"}}")),
                new Case("definitions and percent-encoded pointers", """
                        {"definitions": {"a b": {"type": "boolean"}, "c/d": {"type": "null"}},
                         "type": "array", "prefixItems": [{"$ref": "#/definitions/a%20b"}, {"$ref": "#/definitions/c~1d"}],
                         "minItems": 2}""",
                        List.of("[true,null]"),
                        List.of("[true]", "[null,true]")),
                new Case("nested combination", """
                        {"type": "object", "properties": {
                          "events": {"type": "array", "maxItems": 2, "items": {"type": "object", "properties": {
                            "when": {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]},
                            "tags": {"type": "array", "items": {"enum": ["x", "y"]}, "minItems": 1}},
                           "required": ["when", "tags"]}},
                          "ok": {"type": "boolean"}},
                         "required": ["events"]}""",
                        List.of("{\"events\":[]}",
                                "{\"events\":[{\"when\":null,\"tags\":[\"x\"]},{\"when\":\"2024-05-06T07:08:09Z\",\"tags\":[\"y\",\"x\"]}],\"ok\":true}"),
                        List.of("{\"events\":[{\"when\":null,\"tags\":[]}]}", "{\"events\":[{\"tags\":[\"x\"]}]}",
                                "{\"events\":[{\"when\":null,\"tags\":[\"x\"]},{\"when\":null,\"tags\":[\"x\"]},"
                                        + "{\"when\":null,\"tags\":[\"x\"]}]}")),
                new Case("non-ASCII names and values", """
                        {"type": "object", "properties": {"ünï": {"enum": ["é", "日本", "😀"]}},
                         "required": ["ünï"], "additionalProperties": {"type": "integer"}}""",
                        List.of("{\"ünï\":\"é\"}", "{\"ünï\":\"😀\",\"ü\":1,\"ünïx\":2,\"日\":3}"),
                        List.of("{\"ünï\":\"e\"}", "{\"ünï\":\"日本\",\"ünï\":1}", "{\"ünï\":\"é\",\"x\":\"s\"}")),
                new Case("boolean schemas", """
                        {"type": "object", "properties": {"any": true, "never": false}, "required": ["any"]}""",
                        List.of("{\"any\":[1,\"two\",{\"3\":null}]}"),
                        List.of("{\"any\":1,\"never\":1}", "{}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void grammarAcceptsValidAndRejectsInvalidInstances(Case c) throws Exception {
        String gbnf = grammar(c.schema());
        for (String valid : c.valid()) {
            JSON.readTree(valid); // the instance itself is well-formed JSON
            assertAccepts(gbnf, valid);
        }
        for (String invalid : c.invalid()) {
            assertRejects(gbnf, invalid);
        }
    }

    @Test
    void anyJsonObjectAcceptsObjectsOnly() {
        String gbnf = JsonSchemaGrammar.anyJsonObject();
        assertTrue(checker.parses(gbnf));
        for (String valid : List.of("{}", "{\"a\":1}", "{ \"a\" : [1, 2.5e3, \"x\\n\\u00e9\", true, false, null, {\"b\":{}}] }",
                "{\n  \"a\": {\n    \"b\": [\n      1\n    ]\n  }\n}", "{\"emoji\":\"😀\",\"esc\":\"\\ud83d\\ude00\"}")) {
            assertAccepts(gbnf, valid);
        }
        for (String invalid : List.of("[]", "\"x\"", "{\"a\":1,}", "{a:1}", "{\"a\":01}", "{\"a\":\"tab\there\"}",
                "{\"a\":tru}", "")) {
            assertRejects(gbnf, invalid);
        }
    }

    @Test
    void anyJsonValueAcceptsEveryKindOfValue() {
        String gbnf = JsonSchemaGrammar.anyJsonValue();
        for (String valid : List.of("1", "-2.5", "\"s\"", "true", "null", "[]", "{}")) {
            assertAccepts(gbnf, valid);
        }
        assertRejects(gbnf, "nul");
    }

    @Test
    void whitespaceIsBounded() {
        String gbnf = JsonSchemaGrammar.anyJsonObject();
        assertAccepts(gbnf, "{\n" + " ".repeat(32) + "\"a\": 1}");
        GrammarChecker.Result deep = checker.check(gbnf, "{\n" + " ".repeat(33) + "\"a\": 1}");
        assertEquals(2 + 32, deep.rejectedAt(), "the 33rd space of an indentation is refused");
        assertEquals(2, checker.check(gbnf, "{  \"a\": 1}").rejectedAt(), "two spaces in a row are refused");
        assertEquals(0, checker.check(gbnf, " {}").rejectedAt(), "nothing may precede the value");
        assertFalse(checker.check(gbnf, "{}\n").accepted(), "nothing may follow the value");
    }

    @Test
    void stricterThanTheSchemaOnPurpose() throws Exception {
        // Each of these instances is valid against its schema; the grammar leaves it out by design (see the class
        // documentation of JsonSchemaGrammar).
        String person = grammar("""
                {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}}""");
        assertRejects(person, "{\"age\":1,\"name\":\"x\"}"); // properties in declared order only
        assertRejects(person, "{\"name\":\"x\",\"extra\":1}"); // no undeclared properties unless allowed
        assertRejects(grammar("{\"type\": \"integer\"}"), "1e3"); // no exponent on integers
        assertRejects(grammar("{\"enum\": [{\"a\": 1}]}"), "{ \"a\": 1 }"); // enum values in compact form
        assertRejects(grammar("{\"type\": \"number\"}"), "1" + "0".repeat(20)); // at most 20 integer digits
    }

    @Test
    void lengthsAboveTheParserRepetitionLimitAreEnforcedExactly() throws Exception {
        // llama.cpp's parser turns a repetition bound above 2000 into "unbounded": those are built from blocks.
        String gbnf = grammar("{\"type\": \"string\", \"minLength\": 1500, \"maxLength\": 2500}");
        assertAccepts(gbnf, "\"" + "a".repeat(2500) + "\"");
        assertAccepts(gbnf, "\"" + "b".repeat(1500) + "\"");
        assertAccepts(gbnf, "\"" + "c".repeat(2001) + "\"");
        assertEquals(2501, checker.check(gbnf, "\"" + "a".repeat(2501) + "\"").rejectedAt());
        assertRejects(gbnf, "\"" + "a".repeat(1499) + "\"");

        String items = grammar("{\"type\": \"array\", \"items\": {\"const\": 0}, \"minItems\": 1001, \"maxItems\": 1002}");
        assertAccepts(items, "[" + "0,".repeat(1001) + "0]");
        assertAccepts(items, "[" + "0,".repeat(1000) + "0]");
        assertRejects(items, "[" + "0,".repeat(999) + "0]");
        assertRejects(items, "[" + "0,".repeat(1002) + "0]");
    }

    @Test
    void integerRangesMatchArithmetic() {
        Random random = new Random(7);
        List<String> failures = new ArrayList<>();
        for (int round = 0; round < 24; round++) {
            int a = random.nextInt(260) - 60;
            int b = a + random.nextInt(240);
            boolean exclusiveLow = random.nextBoolean();
            boolean exclusiveHigh = random.nextBoolean();
            String schema = "{\"type\": \"integer\", \"" + (exclusiveLow ? "exclusiveMinimum" : "minimum") + "\": " + a
                    + ", \"" + (exclusiveHigh ? "exclusiveMaximum" : "maximum") + "\": " + b + "}";
            String gbnf;
            try {
                gbnf = JsonSchemaGrammar.fromSchema(JSON.readTree(schema));
            } catch (InvalidSchemaException e) {
                assertTrue(b - a <= 1 && (exclusiveLow || exclusiveHigh), schema + " is satisfiable: " + e);
                continue;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            for (int v = a - 12; v <= b + 12; v++) {
                boolean expected = (exclusiveLow ? v > a : v >= a) && (exclusiveHigh ? v < b : v <= b);
                if (checker.accepts(gbnf, Integer.toString(v)) != expected) {
                    failures.add(schema + " at " + v);
                }
            }
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void decimalRangesMatchArithmetic() {
        Random random = new Random(11);
        List<String> failures = new ArrayList<>();
        for (int round = 0; round < 16; round++) {
            BigDecimal a = BigDecimal.valueOf(random.nextInt(800) - 400, 2);
            BigDecimal b = a.add(BigDecimal.valueOf(random.nextInt(500), 2));
            boolean exclusiveLow = random.nextBoolean();
            boolean exclusiveHigh = random.nextBoolean();
            String schema = "{\"type\": \"number\", \"" + (exclusiveLow ? "exclusiveMinimum" : "minimum") + "\": "
                    + a.toPlainString() + ", \"" + (exclusiveHigh ? "exclusiveMaximum" : "maximum") + "\": "
                    + b.toPlainString() + "}";
            String gbnf;
            try {
                gbnf = JsonSchemaGrammar.fromSchema(JSON.readTree(schema));
            } catch (Exception e) {
                throw new AssertionError(schema, e);
            }
            for (int i = 0; i < 60; i++) {
                // Probe around the bounds and across the range with 0 to 3 fraction digits.
                BigDecimal base = switch (i % 3) {
                    case 0 -> a;
                    case 1 -> b;
                    default -> a.add(b).divide(BigDecimal.valueOf(2));
                };
                BigDecimal v = base.add(BigDecimal.valueOf(random.nextInt(41) - 20, 1 + random.nextInt(3)))
                        .stripTrailingZeros();
                if (v.scale() < 0) {
                    v = v.setScale(0);
                }
                String text = v.toPlainString();
                if (text.equals("-0")) {
                    continue;
                }
                boolean expected = (exclusiveLow ? v.compareTo(a) > 0 : v.compareTo(a) >= 0)
                        && (exclusiveHigh ? v.compareTo(b) < 0 : v.compareTo(b) <= 0);
                if (checker.accepts(gbnf, text) != expected) {
                    failures.add(schema + " at " + text + " expected " + expected);
                }
            }
        }
        assertEquals(List.of(), failures);
    }
}
