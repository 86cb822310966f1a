package dev.puna.runtime.grammar;

import dev.puna.runtime.InvalidParameterException;

/**
 * A JSON schema is malformed (not JSON, a keyword of the wrong type, a dangling {@code $ref}) or accepts no value
 * at all (an empty {@code enum}, {@code minimum} above {@code maximum}). {@link #pointer()} says where, as a JSON
 * pointer into the schema document ({@code ""} is the document root).
 */
public final class InvalidSchemaException extends InvalidParameterException {
    private static final long serialVersionUID = 1L;
    private final String pointer;

    /**
     * @param parameter the request parameter that carried the schema, e.g. {@code response_format}
     * @param pointer the JSON pointer of the offending part of the schema
     * @param reason what is wrong
     */
    public InvalidSchemaException(String parameter, String pointer, String reason) {
        super(parameter, "invalid JSON schema at " + UnsupportedSchemaException.where(pointer) + ": " + reason);
        this.pointer = pointer;
    }

    /** The JSON pointer of the offending part of the schema; {@code ""} is the root. */
    public String pointer() {
        return pointer;
    }
}
