package dev.puna.runtime.grammar;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.puna.runtime.InvalidParameterException;
import dev.puna.runtime.grammar.internal.GrammarBuilder;
import dev.puna.runtime.grammar.internal.JsonRules;
import dev.puna.runtime.grammar.internal.SchemaConverter;
import java.util.Objects;
import java.util.Optional;

/**
 * GBNF grammars (llama.cpp's grammar format, for {@link dev.puna.runtime.SamplingParams.Builder#grammar}) that make a
 * model write JSON: any JSON object (Ollama {@code "format": "json"}, OpenAI
 * {@code response_format: {"type": "json_object"}}), or JSON valid against a JSON schema (Ollama {@code format}
 * with a schema, OpenAI {@code json_schema}, tool arguments).
 *
 * <p><b>Guarantee.</b> Every text the grammar accepts is valid against the schema. The reverse does not hold: the
 * grammar is deliberately stricter in ways that keep output short and well-formed, never in ways that reject a schema
 * a client relies on:
 * <ul>
 *   <li>Whitespace between tokens is bounded (nothing, one space, or a newline and up to
 *       {@value JsonRules#MAX_INDENT} spaces/tabs), and nothing may precede or follow the value.</li>
 *   <li>Numbers have at most {@value JsonRules#MAX_INT_DIGITS} integer and {@value JsonRules#MAX_FRACTION_DIGITS}
 *       fraction digits; bounded numbers and integers have no exponent.</li>
 *   <li>Object properties come in the order of {@code properties}; optional ones may be left out. When a schema
 *       declares {@code properties} and says nothing about {@code additionalProperties}, no other property is
 *       generated; with {@code additionalProperties} {@code true} or a schema, extra properties (with keys written
 *       without escapes, different from the declared names) may follow the declared ones.</li>
 *   <li>After a tuple ({@code prefixItems}) without {@code items}, no further items are generated unless
 *       {@code minItems} needs them.</li>
 *   <li>{@code enum} and {@code const} values are written in compact JSON.</li>
 *   <li>{@code oneOf} is treated as {@code anyOf}: the grammar cannot exclude values that match two alternatives.
 *       This is the one place where a schema is enforced less strictly than written; every other keyword is either
 *       enforced exactly or refused.</li>
 * </ul>
 *
 * <p><b>Supported.</b> {@code type} (names and arrays of names), {@code enum}, {@code const}, {@code properties},
 * {@code required}, {@code additionalProperties} (false, true, schema), {@code unevaluatedProperties: false},
 * {@code minProperties}/{@code maxProperties} when the declared properties already satisfy them, {@code items},
 * {@code prefixItems}, draft-4-style tuple {@code items} and {@code additionalItems}, {@code minItems},
 * {@code maxItems}, {@code uniqueItems} false, {@code minLength}/{@code maxLength} (in code points), {@code format}
 * {@code date}, {@code time}, {@code date-time}, {@code uuid}, {@code ipv4}, {@code minimum}, {@code maximum},
 * {@code exclusiveMinimum}/{@code exclusiveMaximum} (numbers, or draft-4 booleans), {@code multipleOf: 1},
 * {@code anyOf}, {@code oneOf}, {@code allOf} (merged; see {@code SchemaMerger}), local {@code $ref}
 * ({@code #/$defs/...}, {@code #/definitions/...}, any JSON pointer into the document, recursion included),
 * OpenAPI's {@code nullable}, and boolean schemas. Annotations ({@code title}, {@code description},
 * {@code default}, {@code examples}, {@code $schema}, {@code $id}, {@code $comment}, {@code deprecated},
 * {@code readOnly}, {@code writeOnly}, {@code discriminator}, {@code x-*}) are ignored.
 *
 * <p><b>Refused</b> with {@link UnsupportedSchemaException}: {@code pattern}, {@code patternProperties},
 * {@code propertyNames}, {@code dependentRequired}/{@code dependentSchemas}/{@code dependencies}, {@code not},
 * {@code if}/{@code then}/{@code else}, {@code contains}, {@code uniqueItems: true}, {@code multipleOf} other than
 * 1, other formats, remote and anchor {@code $ref}s, {@code $dynamicRef}, content keywords, and any unknown keyword.
 * Malformed or unsatisfiable schemas give {@link InvalidSchemaException}. Both name the JSON pointer of the culprit.
 *
 * <p>All methods are pure and thread-safe; the grammars are plain strings a caller may cache.
 */
public final class JsonSchemaGrammar {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ANY_OBJECT = build(g -> JsonRules.object(g));
    private static final String ANY_VALUE = build(g -> JsonRules.value(g));

    private JsonSchemaGrammar() {
    }

    /** A grammar for any JSON object: Ollama's {@code "format": "json"} and OpenAI's {@code json_object}. */
    public static String anyJsonObject() {
        return ANY_OBJECT;
    }

    /** A grammar for any JSON value. */
    public static String anyJsonValue() {
        return ANY_VALUE;
    }

    /**
     * A grammar for JSON valid against {@code schema}; errors name the parameter {@code schema}.
     *
     * @see #fromSchema(JsonNode, String)
     */
    public static String fromSchema(JsonNode schema) {
        return fromSchema(schema, "schema");
    }

    /**
     * A grammar for JSON valid against {@code schema}.
     *
     * @param schema the JSON schema (an object or a boolean)
     * @param parameter the request parameter that carried it (e.g. {@code format},
     *     {@code response_format.json_schema.schema}), named by the exceptions
     * @throws UnsupportedSchemaException if the schema uses a feature that cannot be enforced
     * @throws InvalidSchemaException if the schema is malformed or accepts no value
     */
    public static String fromSchema(JsonNode schema, String parameter) {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(parameter, "parameter");
        return build(g -> new SchemaConverter(schema, g, parameter).convert("schema"));
    }

    /**
     * A grammar for JSON valid against the schema in {@code schemaJson}.
     *
     * @throws InvalidSchemaException if {@code schemaJson} is not JSON, or as {@link #fromSchema(JsonNode, String)}
     */
    public static String fromSchema(String schemaJson, String parameter) {
        Objects.requireNonNull(schemaJson, "schemaJson");
        JsonNode schema;
        try {
            schema = JSON.readTree(schemaJson);
        } catch (JsonProcessingException e) {
            throw new InvalidSchemaException(parameter, "", "not valid JSON: " + e.getOriginalMessage());
        }
        if (schema == null || schema.isMissingNode()) {
            throw new InvalidSchemaException(parameter, "", "empty");
        }
        return fromSchema(schema, parameter);
    }

    /**
     * The grammar for Ollama's {@code format}: {@code "json"} is any JSON object, an object is a JSON schema.
     *
     * @param format the request's {@code format} value; {@code null}, JSON null or {@code ""} mean none
     * @return the grammar, or empty for no format
     * @throws dev.puna.runtime.InvalidParameterException (parameter {@code format}) for another value, or as
     *     {@link #fromSchema(JsonNode, String)}
     */
    public static Optional<String> forOllamaFormat(JsonNode format) {
        if (format == null || format.isNull() || format.isMissingNode()
                || (format.isTextual() && format.textValue().isEmpty())) {
            return Optional.empty();
        }
        if (format.isTextual() && format.textValue().equals("json")) {
            return Optional.of(anyJsonObject());
        }
        if (format.isObject()) {
            return Optional.of(fromSchema(format, "format"));
        }
        throw new InvalidParameterException("format", "must be \"json\" or a JSON schema object");
    }

    /**
     * The grammar for OpenAI's {@code response_format}: {@code {"type": "text"}} is none, {@code json_object} is any
     * JSON object, {@code {"type": "json_schema", "json_schema": {"name": ..., "schema": {...}}}} is the schema
     * (any JSON object when it has no {@code schema}).
     *
     * @param responseFormat the request's {@code response_format}; {@code null} or JSON null mean none
     * @return the grammar, or empty for plain text
     * @throws dev.puna.runtime.InvalidParameterException (parameter {@code response_format...}) for another shape,
     *     or as {@link #fromSchema(JsonNode, String)} with parameter {@code response_format.json_schema.schema}
     */
    public static Optional<String> forResponseFormat(JsonNode responseFormat) {
        if (responseFormat == null || responseFormat.isNull() || responseFormat.isMissingNode()) {
            return Optional.empty();
        }
        if (!responseFormat.isObject()) {
            throw new InvalidParameterException("response_format", "must be an object");
        }
        String type = responseFormat.path("type").asText("");
        switch (type) {
            case "text" -> {
                return Optional.empty();
            }
            case "json_object" -> {
                return Optional.of(anyJsonObject());
            }
            case "json_schema" -> {
                JsonNode jsonSchema = responseFormat.get("json_schema");
                if (jsonSchema == null || !jsonSchema.isObject()) {
                    throw new InvalidParameterException("response_format.json_schema", "must be an object");
                }
                JsonNode schema = jsonSchema.get("schema");
                if (schema == null || schema.isNull()) {
                    return Optional.of(anyJsonObject());
                }
                return Optional.of(fromSchema(schema, "response_format.json_schema.schema"));
            }
            default -> throw new InvalidParameterException("response_format.type",
                    "must be \"text\", \"json_object\" or \"json_schema\", not \"" + type + "\"");
        }
    }

    private static String build(java.util.function.Function<GrammarBuilder, String> start) {
        GrammarBuilder g = new GrammarBuilder();
        String symbol = start.apply(g);
        g.root(symbol);
        return g.build();
    }
}
