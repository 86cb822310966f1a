package dev.puna.runtime.tools.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Scanning of JSON text that may still be growing (a model's output, token by token): each scan says where a value
 * ends, that it is {@link #INCOMPLETE} so far, or that it is {@link #INVALID}. Containers are scanned for balance
 * (strings and escapes respected), not validated in depth: callers parse the finished text.
 */
public final class PartialJson {
    /** The text ends before the value does. */
    public static final int INCOMPLETE = -1;
    /** The text cannot be the start of a JSON value. */
    public static final int INVALID = -2;

    private static final ObjectMapper JSON = new ObjectMapper();

    private PartialJson() {
    }

    /** The index of the first non-whitespace character at or after {@code i}. */
    public static int skipWhitespace(CharSequence s, int i) {
        while (i < s.length() && isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** JSON whitespace: space, tab, newline, carriage return. */
    public static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    /**
     * The end (exclusive) of the value starting at {@code i}.
     *
     * @param atEnd the text will not grow: a number reaching the end is complete
     * @return the end index, {@link #INCOMPLETE} or {@link #INVALID}
     */
    public static int scanValue(CharSequence s, int i, boolean atEnd) {
        if (i >= s.length()) {
            return INCOMPLETE;
        }
        char c = s.charAt(i);
        return switch (c) {
            case '"' -> scanString(s, i);
            case '{', '[' -> scanContainer(s, i);
            case 't' -> scanLiteral(s, i, "true");
            case 'f' -> scanLiteral(s, i, "false");
            case 'n' -> scanLiteral(s, i, "null");
            default -> c == '-' || (c >= '0' && c <= '9') ? scanNumber(s, i, atEnd) : INVALID;
        };
    }

    /** The end (exclusive) of the string whose opening quote is at {@code i}. */
    public static int scanString(CharSequence s, int i) {
        for (int j = i + 1; j < s.length(); j++) {
            char c = s.charAt(j);
            if (c == '\\') {
                j++;
            } else if (c == '"') {
                return j + 1;
            }
        }
        return INCOMPLETE;
    }

    private static int scanContainer(CharSequence s, int i) {
        StringBuilder open = new StringBuilder();
        for (int j = i; j < s.length(); j++) {
            char c = s.charAt(j);
            switch (c) {
                case '"' -> {
                    int end = scanString(s, j);
                    if (end < 0) {
                        return end;
                    }
                    j = end - 1;
                }
                case '{', '[' -> open.append(c);
                case '}', ']' -> {
                    char expected = c == '}' ? '{' : '[';
                    if (open.isEmpty() || open.charAt(open.length() - 1) != expected) {
                        return INVALID;
                    }
                    open.setLength(open.length() - 1);
                    if (open.isEmpty()) {
                        return j + 1;
                    }
                }
                default -> {
                }
            }
        }
        return INCOMPLETE;
    }

    private static int scanLiteral(CharSequence s, int i, String literal) {
        for (int k = 0; k < literal.length(); k++) {
            if (i + k >= s.length()) {
                return INCOMPLETE;
            }
            if (s.charAt(i + k) != literal.charAt(k)) {
                return INVALID;
            }
        }
        return i + literal.length();
    }

    private static int scanNumber(CharSequence s, int i, boolean atEnd) {
        int j = i;
        while (j < s.length() && "+-0123456789.eE".indexOf(s.charAt(j)) >= 0) {
            j++;
        }
        if (j == s.length() && !atEnd) {
            return INCOMPLETE;
        }
        return j;
    }

    /** The content of a complete JSON string literal, or {@code null} if it is not one. */
    public static String decodeString(CharSequence literal) {
        try {
            JsonNode node = JSON.readTree(literal.toString());
            return node != null && node.isTextual() ? node.textValue() : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
