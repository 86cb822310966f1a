package dev.puna.runtime.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.puna.runtime.InvalidParameterException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The GBNF text {@link JsonSchemaGrammar} writes, and the schemas it refuses (plain unit tests, no native code). */
class JsonSchemaGrammarTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String grammar(String schema) throws Exception {
        return JsonSchemaGrammar.fromSchema(JSON.readTree(schema), "format");
    }

    @Test
    void booleanSchema() throws Exception {
        assertEquals("""
                root ::= schema
                schema ::= json-boolean
                json-boolean ::= "true" | "false"
                """, grammar("{\"type\": \"boolean\"}"));
    }

    @Test
    void objectWithRequiredAndOptionalProperties() throws Exception {
        assertEquals("""
                root ::= schema
                schema ::= schema-2
                ws ::= | " " | "\\n" [ \\t]{0,32}
                schema-a-integer ::= ( "1" | "2" | "3" )
                schema-a-kv ::= "\\"a\\"" ws ":" ws schema-a-integer ws
                json-codepoint ::= [^\\"\\\\\\x00-\\x1F] | "\\\\" ( ["\\\\/bfnrt] | "u" ( [0-9a-cA-Ce-fE-F] [0-9a-fA-F]{3} | [dD] [0-7] [0-9a-fA-F]{2} ) )
                string-0-2 ::= "\\"" json-codepoint{0,2} "\\""
                schema-b-kv ::= "\\"b\\"" ws ":" ws string-0-2 ws
                schema-2 ::= "{" ws schema-a-kv ( "," ws schema-b-kv )? "}"
                """, grammar("""
                {"type": "object", "properties": {"a": {"type": "integer", "minimum": 1, "maximum": 3},
                 "b": {"type": "string", "maxLength": 2}}, "required": ["a"], "additionalProperties": false}"""));
    }

    @Test
    void arrayOfNullableStrings() throws Exception {
        assertEquals("""
                root ::= schema
                schema ::= schema-2
                ws ::= | " " | "\\n" [ \\t]{0,32}
                json-string ::= "\\"" json-char* "\\""
                json-char ::= [^\\"\\\\\\x00-\\x1F] | "\\\\" ( ["\\\\/bfnrt] | "u" [0-9a-fA-F]{4} )
                schema-item ::= json-string | "null"
                schema-next ::= "," ws schema-item ws
                schema-2 ::= "[" ws ( schema-item ws schema-next{0,1} )? "]"
                """, grammar("{\"type\": \"array\", \"items\": {\"type\": [\"string\", \"null\"]}, \"maxItems\": 2}"));
    }

    @Test
    void extraPropertyKeysAvoidTheDeclaredNames() throws Exception {
        String gbnf = grammar("""
                {"type": "object", "properties": {"ab": {"type": "null"}}, "additionalProperties": {"type": "boolean"}}""");
        // A trie over "ab": a key may leave it at any character, but may not end exactly at "ab".
        assertTrue(gbnf.contains("""
                schema-key ::= [^\\"\\\\\\x00-\\x1F] json-key-char*
                schema-key-2 ::= "b" schema-key | [^\\"\\\\\\x00-\\x1Fb] json-key-char* | ""
                schema-key-3 ::= "a" schema-key-2 | [^\\"\\\\\\x00-\\x1Fa] json-key-char* | ""
                schema-additional-kv ::= "\\"" schema-key-3 "\\"" ws ":" ws json-boolean ws
                """), gbnf);
        assertTrue(gbnf.endsWith("""
                schema-2 ::= "{" ws ( schema-ab-kv ( "," ws schema-additional-kv )* | ( schema-additional-kv ( "," \
                ws schema-additional-kv )* )? ) "}"
                """), gbnf);
    }

    @Test
    void anyJsonObjectStartsWithAnObject() {
        assertTrue(JsonSchemaGrammar.anyJsonObject().startsWith("root ::= json-object\n"));
        assertTrue(JsonSchemaGrammar.anyJsonValue().startsWith("root ::= json-value\n"));
    }

    @Test
    void recursiveDefinitionsBecomeRecursiveRules() throws Exception {
        String gbnf = grammar("""
                {"$ref": "#/$defs/list", "$defs": {"list": {"type": "object",
                 "properties": {"next": {"$ref": "#/$defs/list"}}}}}""");
        assertTrue(gbnf.contains("list-next-kv ::= \"\\\"next\\\"\" ws \":\" ws list ws\n"), gbnf);
        assertTrue(gbnf.contains("schema ::= list\n"), gbnf);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {"type": "object", "properties": {"name": {"type": "string", "pattern": "^a"}}} | 'pattern' | /properties/name/pattern
            {"not": {"type": "null"}}                                                       | 'not' | /not
            {"if": {"type": "string"}, "then": {"minLength": 1}}                            | 'if' | /if
            {"type": "object", "patternProperties": {"^x": {}}}                             | 'patternProperties' | /patternProperties
            {"type": "array", "contains": {"type": "integer"}}                              | 'contains' | /contains
            {"$ref": "https://example.com/s.json"}                                          | remote $ref 'https://example.com/s.json' | /$ref
            {"$ref": "#node", "$defs": {"n": {"$anchor": "node"}}}                          | $ref to an anchor '#node' | /$ref
            {"type": "string", "color": "red"}                                              | unknown keyword 'color' | /color
            {"type": "string", "format": "email"}                                           | format 'email' (supported: date, date-time, ipv4, time, uuid) | /format
            {"type": "number", "multipleOf": 3}                                             | 'multipleOf' (other than 1) | /multipleOf
            {"type": "array", "uniqueItems": true}                                          | 'uniqueItems' true | /uniqueItems
            {"type": "object", "minProperties": 1}                                          | 'minProperties' above the number of required properties | /minProperties
            {"type": "object", "properties": {"a": {}}, "maxProperties": 0}                 | 'maxProperties' below the number of properties that may appear | /maxProperties
            {"items": {"$dynamicRef": "#meta"}}                                             | '$dynamicRef' | /items/$dynamicRef
            {"enum": ["a"], "properties": {}}                                               | 'properties' together with enum/const | /properties
            {"type": "string", "format": "date", "maxLength": 10}                           | format together with minLength/maxLength | ``
            {"allOf": [{"$ref": "#"}]}                                                      | a $ref that refers back to itself through allOf ('#') | /allOf/0
            {"$defs": {"a": {"type": "string", "pattern": "x"}}, "$ref": "#/$defs/a"}                | 'pattern' | /$defs/a/pattern
            {"unevaluatedProperties": {"type": "string"}}                                   | 'unevaluatedProperties' (other than false) | /unevaluatedProperties
            """)
    void unsupportedFeaturesAreNamedWithTheirPointer(String schema, String feature, String pointer) {
        UnsupportedSchemaException e = assertThrows(UnsupportedSchemaException.class, () -> grammar(schema));
        assertEquals(feature, e.feature());
        assertEquals(pointer, e.pointer());
        assertEquals("format", e.parameter());
        assertInstanceOf(InvalidParameterException.class, e);
        assertEquals("format: JSON schema feature " + feature + " is not supported (at "
                + (pointer.isEmpty() ? "the schema root" : pointer) + ")", e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {"type": 5}                                                   | /type | type must be a type name or a non-empty array of them
            {"type": "text"}                                              | /type | unknown type 'text'
            {"enum": []}                                                  | /enum | enum must be a non-empty array
            {"type": "integer", "minimum": 5, "maximum": 1}               | ``    | no integer satisfies the minimum/maximum
            {"type": "number", "exclusiveMinimum": 1, "exclusiveMaximum": 1} | `` | no number satisfies the minimum/maximum
            {"type": "string", "minLength": 3, "maxLength": 2}            | ``    | minLength 3 is above maxLength 2
            {"type": "string", "minLength": -1}                           | /minLength | minLength must be a non-negative integer
            {"$ref": "#/$defs/missing"}                                   | /$ref | $ref '#/$defs/missing' points to nothing in the schema
            {"$ref": "#"}                                                 | ``    | $ref cycle # -> # recurses before matching anything (left recursion)
            {"anyOf": [{"$ref": "#"}, {"type": "null"}]}                  | ``    | $ref cycle # -> # recurses before matching anything (left recursion)
            {"type": "object", "required": ["a"], "additionalProperties": false} | /required | required property 'a' is not in properties and additional properties are not allowed
            {"type": "object", "properties": {"a": false}, "required": ["a"]} | `` | required property 'a' has the schema false
            {"allOf": [{"type": "string"}, {"type": "integer"}]}          | ``    | allOf members have no type in common
            {"type": "string", "enum": [1, 2]}                            | ``    | no enum/const value satisfies the rest of the schema
            {"type": "array", "prefixItems": [{}], "items": false, "minItems": 2} | `` | no array length satisfies minItems 2 and the item limits
            false                                                         | ``    | the schema false accepts no value
            "string"                                                      | ``    | a schema must be an object or a boolean, not STRING
            """)
    void invalidSchemasAreNamedWithTheirPointer(String schema, String pointer, String reason) {
        InvalidSchemaException e = assertThrows(InvalidSchemaException.class, () -> grammar(schema));
        assertEquals(pointer, e.pointer());
        assertEquals("format: invalid JSON schema at " + (pointer.isEmpty() ? "the schema root" : pointer) + ": "
                + reason, e.getMessage());
    }

    @Test
    void leftRecursionThroughSeveralDefinitionsIsFound() {
        InvalidSchemaException e = assertThrows(InvalidSchemaException.class, () -> grammar("""
                {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"anyOf": [{"$ref": "#/$defs/a"}, {"type": "null"}]}},
                 "type": "array", "items": {"$ref": "#/$defs/a"}}"""));
        assertEquals("/$defs/a", e.pointer());
        assertTrue(e.getMessage().contains("#/$defs/a -> #/$defs/b -> #/$defs/a"), e.getMessage());
    }

    @Test
    void schemaTextThatIsNotJsonIsInvalid() {
        InvalidSchemaException e = assertThrows(InvalidSchemaException.class,
                () -> JsonSchemaGrammar.fromSchema("{\"type\": ", "response_format"));
        assertEquals("response_format", e.parameter());
        assertTrue(e.getMessage().startsWith("response_format: invalid JSON schema at the schema root: not valid JSON"),
                e.getMessage());
    }

    @Test
    void annotationsAndExtensionsAreIgnored() throws Exception {
        assertEquals(grammar("{\"type\": \"boolean\"}"), grammar("""
                {"type": "boolean", "title": "T", "description": "d", "default": true, "examples": [false],
                 "$schema": "https://json-schema.org/draft/2020-12/schema", "$comment": "c", "x-extra": 1}"""));
    }

    @Test
    void ollamaFormat() throws Exception {
        assertEquals(Optional.empty(), JsonSchemaGrammar.forOllamaFormat(null));
        assertEquals(Optional.empty(), JsonSchemaGrammar.forOllamaFormat(JSON.readTree("\"\"")));
        assertEquals(JsonSchemaGrammar.anyJsonObject(), JsonSchemaGrammar.forOllamaFormat(JSON.readTree("\"json\""))
                .orElseThrow());
        assertEquals(grammar("{\"type\": \"boolean\"}"),
                JsonSchemaGrammar.forOllamaFormat(JSON.readTree("{\"type\": \"boolean\"}")).orElseThrow());
        assertEquals("format", assertThrows(InvalidParameterException.class,
                () -> JsonSchemaGrammar.forOllamaFormat(JSON.readTree("\"yaml\""))).parameter());
        assertEquals("format", assertThrows(UnsupportedSchemaException.class,
                () -> JsonSchemaGrammar.forOllamaFormat(JSON.readTree("{\"not\": {}}"))).parameter());
    }

    @Test
    void openAiResponseFormat() throws Exception {
        assertEquals(Optional.empty(), JsonSchemaGrammar.forResponseFormat(JSON.readTree("{\"type\": \"text\"}")));
        assertEquals(JsonSchemaGrammar.anyJsonObject(),
                JsonSchemaGrammar.forResponseFormat(JSON.readTree("{\"type\": \"json_object\"}")).orElseThrow());
        assertEquals(grammar("{\"type\": \"boolean\"}"), JsonSchemaGrammar.forResponseFormat(JSON.readTree(
                "{\"type\": \"json_schema\", \"json_schema\": {\"name\": \"b\", \"strict\": true, "
                        + "\"schema\": {\"type\": \"boolean\"}}}")).orElseThrow());
        UnsupportedSchemaException e = assertThrows(UnsupportedSchemaException.class, () -> JsonSchemaGrammar
                .forResponseFormat(JSON.readTree("{\"type\": \"json_schema\", \"json_schema\": {\"name\": \"x\", "
                        + "\"schema\": {\"type\": \"string\", \"pattern\": \"a\"}}}")));
        assertEquals("response_format.json_schema.schema", e.parameter());
        assertEquals("response_format.type", assertThrows(InvalidParameterException.class,
                () -> JsonSchemaGrammar.forResponseFormat(JSON.readTree("{\"type\": \"xml\"}"))).parameter());
        assertEquals("response_format.json_schema", assertThrows(InvalidParameterException.class,
                () -> JsonSchemaGrammar.forResponseFormat(JSON.readTree("{\"type\": \"json_schema\"}"))).parameter());
    }
}
