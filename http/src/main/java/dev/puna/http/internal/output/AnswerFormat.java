package dev.puna.http.internal.output;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.runtime.grammar.JsonSchemaGrammar;
import java.util.Objects;
import java.util.Optional;

/**
 * The shape a request asks the model's answer to have: free text, any JSON object, or JSON valid against a JSON
 * schema. Read from Ollama's {@code format} ({@link #fromOllamaFormat}) or OpenAI's {@code response_format}
 * ({@link #fromResponseFormat}); the schema is converted to a grammar as it is read, so a schema that cannot be
 * enforced is refused before any model is loaded (an {@link dev.puna.runtime.grammar.UnsupportedSchemaException} or
 * {@link dev.puna.runtime.grammar.InvalidSchemaException}, a 400 naming the parameter, the feature and its JSON
 * pointer). Immutable.
 */
public final class AnswerFormat {
    private static final AnswerFormat TEXT = new AnswerFormat(null, null, "format");

    private final String grammar;
    private final JsonNode schema;
    private final String parameter;

    private AnswerFormat(String grammar, JsonNode schema, String parameter) {
        this.grammar = grammar;
        this.schema = schema;
        this.parameter = parameter;
    }

    /** Free text: no constraint. */
    public static AnswerFormat text() {
        return TEXT;
    }

    /**
     * Ollama's {@code format}: {@code "json"} (any JSON object) or a JSON schema object; absent, null or {@code ""}
     * is free text.
     *
     * @throws dev.puna.runtime.InvalidParameterException (parameter {@code format}) for another value or a schema
     *     that cannot be enforced
     */
    public static AnswerFormat fromOllamaFormat(JsonNode format) {
        Optional<String> grammar = JsonSchemaGrammar.forOllamaFormat(format);
        if (grammar.isEmpty()) {
            return TEXT;
        }
        return new AnswerFormat(grammar.get(), format.isObject() ? format : null, "format");
    }

    /**
     * OpenAI's {@code response_format}: {@code {"type": "text"}}, {@code {"type": "json_object"}} or
     * {@code {"type": "json_schema", "json_schema": {"name": ..., "schema": {...}}}}; absent or null is free text.
     *
     * @throws dev.puna.runtime.InvalidParameterException (parameter {@code response_format...}) for another shape or
     *     a schema that cannot be enforced
     */
    public static AnswerFormat fromResponseFormat(JsonNode responseFormat) {
        Optional<String> grammar = JsonSchemaGrammar.forResponseFormat(responseFormat);
        if (grammar.isEmpty()) {
            return TEXT;
        }
        JsonNode schema = responseFormat.path("json_schema").path("schema");
        return new AnswerFormat(grammar.get(), schema.isMissingNode() || schema.isNull() ? null : schema,
                "response_format.json_schema.schema");
    }

    /** Whether the answer is free text. */
    public boolean isText() {
        return grammar == null;
    }

    /** The grammar that enforces the answer alone, or empty for free text. */
    public Optional<String> grammar() {
        return Optional.ofNullable(grammar);
    }

    /** The JSON schema of the answer, or {@code null} for free text or any JSON object. */
    JsonNode schema() {
        return schema;
    }

    /** The request parameter that carried the format, as schema errors name it. */
    String parameter() {
        return parameter;
    }

    @Override
    public String toString() {
        return isText() ? "AnswerFormat[text]" : "AnswerFormat[" + parameter + ": "
                + Objects.requireNonNullElse(schema, "any JSON object") + "]";
    }
}
