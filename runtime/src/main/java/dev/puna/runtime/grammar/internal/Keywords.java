package dev.puna.runtime.grammar.internal;

import java.util.Set;

/** JSON Schema keywords (drafts 4 to 2020-12, plus OpenAPI's {@code nullable}) by how the converter treats them. */
final class Keywords {
    /** Keywords that never constrain a value: skipped. {@code x-} extensions are skipped too. */
    static final Set<String> ANNOTATIONS = Set.of("$schema", "$id", "id", "$comment", "$anchor", "$vocabulary",
            "title", "description", "default", "examples", "example", "deprecated", "readOnly", "writeOnly",
            "discriminator", "externalDocs", "xml", "$defs", "definitions");

    /** Keywords the converter enforces (some only for certain values, checked where they are read). */
    static final Set<String> SUPPORTED = Set.of("type", "enum", "const", "properties", "required",
            "additionalProperties", "unevaluatedProperties", "minProperties", "maxProperties", "items", "prefixItems",
            "additionalItems", "minItems", "maxItems", "uniqueItems", "minLength", "maxLength", "format", "minimum",
            "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "anyOf", "oneOf", "allOf", "$ref",
            "nullable");

    /** Keywords that constrain values in ways a grammar cannot enforce (or we do not yet): refused by name. */
    static final Set<String> UNSUPPORTED = Set.of("pattern", "patternProperties", "propertyNames",
            "dependentRequired", "dependentSchemas", "dependencies", "not", "if", "then", "else", "contains",
            "minContains", "maxContains", "unevaluatedItems", "$dynamicRef", "$dynamicAnchor", "$recursiveRef",
            "$recursiveAnchor", "contentEncoding", "contentMediaType", "contentSchema");

    static final Set<String> OBJECT = Set.of("properties", "required", "additionalProperties",
            "unevaluatedProperties", "minProperties", "maxProperties");
    static final Set<String> ARRAY = Set.of("items", "prefixItems", "additionalItems", "minItems", "maxItems",
            "uniqueItems");
    static final Set<String> STRING = Set.of("minLength", "maxLength", "format");
    static final Set<String> NUMBER = Set.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
            "multipleOf");

    /** The JSON Schema type names. */
    static final Set<String> TYPES = Set.of("object", "array", "string", "number", "integer", "boolean", "null");

    private Keywords() {
    }

    /** Whether {@code keyword} can constrain values (not an annotation, not an extension). */
    static boolean constrains(String keyword) {
        return !ANNOTATIONS.contains(keyword) && !keyword.startsWith("x-");
    }
}
