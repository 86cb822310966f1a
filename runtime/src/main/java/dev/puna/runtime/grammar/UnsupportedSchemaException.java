package dev.puna.runtime.grammar;

import dev.puna.runtime.InvalidParameterException;

/**
 * A JSON schema uses a feature that cannot be enforced by a grammar (or that Puna does not enforce yet), such as
 * {@code pattern}, {@code not} or a remote {@code $ref}. Thrown instead of generating a grammar that would let
 * output through that the schema forbids. {@link #feature()} names the feature and {@link #pointer()} says where it
 * is, as a JSON pointer into the schema document ({@code ""} is the document root).
 */
public final class UnsupportedSchemaException extends InvalidParameterException {
    private static final long serialVersionUID = 1L;
    private final String feature;
    private final String pointer;

    /**
     * @param parameter the request parameter that carried the schema, e.g. {@code format}
     * @param feature the unsupported feature, e.g. {@code 'pattern'}
     * @param pointer the JSON pointer of the feature in the schema document
     */
    public UnsupportedSchemaException(String parameter, String feature, String pointer) {
        super(parameter, "JSON schema feature " + feature + " is not supported (at " + where(pointer) + ")");
        this.feature = feature;
        this.pointer = pointer;
    }

    /** The unsupported feature, e.g. {@code 'pattern'} or {@code format 'email'}. */
    public String feature() {
        return feature;
    }

    /** The JSON pointer of the feature in the schema document; {@code ""} is the root. */
    public String pointer() {
        return pointer;
    }

    static String where(String pointer) {
        return pointer.isEmpty() ? "the schema root" : pointer;
    }
}
