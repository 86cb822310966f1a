package dev.puna.runtime.grammar.internal;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.runtime.grammar.InvalidSchemaException;
import dev.puna.runtime.grammar.UnsupportedSchemaException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;

/**
 * One JSON schema document being converted: resolves its local {@code $ref}s, checks keywords, and makes the
 * exceptions that name the request parameter and a JSON pointer into the document.
 */
final class SchemaDocument {
    /** A resolved {@code $ref}: the target's JSON pointer and the target schema. */
    record Target(String pointer, JsonNode schema) {
    }

    private final JsonNode root;
    private final String parameter;

    SchemaDocument(JsonNode root, String parameter) {
        this.root = root;
        this.parameter = parameter;
    }

    JsonNode root() {
        return root;
    }

    /**
     * Resolves a {@code $ref} value found at {@code at}: only references into this document ({@code #} and
     * {@code #/json/pointer}, percent-encoded as URI fragments) are supported.
     */
    Target resolve(JsonNode ref, String at) {
        if (!ref.isTextual()) {
            throw invalid(at, "$ref must be a string");
        }
        String text = ref.textValue();
        if (!text.startsWith("#")) {
            throw unsupported(at, "remote $ref '" + text + "'");
        }
        String pointer;
        try {
            pointer = URLDecoder.decode(text.substring(1).replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid(at, "$ref '" + text + "' is not a valid URI fragment");
        }
        if (!pointer.isEmpty() && !pointer.startsWith("/")) {
            throw unsupported(at, "$ref to an anchor '" + text + "'");
        }
        JsonNode target;
        try {
            target = root.at(JsonPointer.compile(pointer));
        } catch (IllegalArgumentException e) {
            throw invalid(at, "$ref '" + text + "' is not a valid JSON pointer");
        }
        if (target.isMissingNode()) {
            throw invalid(at, "$ref '" + text + "' points to nothing in the schema");
        }
        return new Target(pointer, target);
    }

    /** Refuses unknown keywords and keywords we cannot enforce, naming the first one found. */
    void checkKeywords(ObjectNode schema, String pointer) {
        for (Iterator<String> it = schema.fieldNames(); it.hasNext(); ) {
            String keyword = it.next();
            if (!Keywords.constrains(keyword) || Keywords.SUPPORTED.contains(keyword)) {
                continue;
            }
            String at = child(pointer, keyword);
            if (Keywords.UNSUPPORTED.contains(keyword)) {
                throw unsupported(at, "'" + keyword + "'");
            }
            throw unsupported(at, "unknown keyword '" + keyword + "'");
        }
    }

    InvalidSchemaException invalid(String pointer, String reason) {
        return new InvalidSchemaException(parameter, pointer, reason);
    }

    UnsupportedSchemaException unsupported(String pointer, String feature) {
        return new UnsupportedSchemaException(parameter, feature, pointer);
    }

    /** The JSON pointer of {@code token} (a key or an index) inside {@code pointer}. */
    static String child(String pointer, Object token) {
        return pointer + "/" + token.toString().replace("~", "~0").replace("/", "~1");
    }
}
