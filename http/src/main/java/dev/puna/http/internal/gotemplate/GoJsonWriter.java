package dev.puna.http.internal.gotemplate;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Go's {@code json.Marshal} over template values: maps with their keys sorted, structs ({@link GoStruct}, or an
 * {@link Ordered} object a struct's JSON form gives) in field order, floats as Go writes them, and Go's HTML-safe
 * escaping of {@code <}, {@code >} and {@code &}.
 */
final class GoJsonWriter {
    /** A JSON object whose keys keep their order: a Go struct's fields. */
    record Ordered(Map<String, Object> fields) {
    }

    private GoJsonWriter() {
    }

    static String marshal(Object v) {
        StringBuilder sb = new StringBuilder();
        write(v, sb);
        return sb.toString();
    }

    private static void write(Object v, StringBuilder sb) {
        switch (v) {
            case null -> sb.append("null");
            case String s -> sb.append(quote(s, true));
            case Boolean b -> sb.append(b);
            case Long n -> sb.append(n);
            case Integer n -> sb.append(n);
            case Double d -> sb.append(number(d));
            case GoStruct s -> write(s.json().get(), sb);
            case Ordered o -> object(o.fields(), sb);
            case Map<?, ?> m -> object(new TreeMap<>(GoTemplate.mapOf(m)), sb);
            case List<?> l -> {
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    write(l.get(i), sb);
                }
                sb.append(']');
            }
            default -> sb.append(quote(v.toString(), true));
        }
    }

    private static void object(Map<String, Object> fields, StringBuilder sb) {
        sb.append('{');
        boolean first = true;
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append(quote(e.getKey(), true)).append(':');
            write(e.getValue(), sb);
        }
        sb.append('}');
    }

    /** encoding/json's float64: shortest digits, exponent form below 1e-6 or from 1e21. */
    static String number(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e21) {
            return Long.toString((long) d);
        }
        double abs = Math.abs(d);
        if (abs < 1e-6 || abs >= 1e21) {
            String s = Exec.formatFloat(d);
            // Go's JSON writes e-07 as e-7.
            return s.replaceFirst("e([+-])0(\\d)$", "e$1$2");
        }
        return new java.math.BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
    }

    /**
     * A quoted string as Go writes it: JSON escapes (HTML-safe when {@code html}: {@code \u003c} {@code \u003e}
     * {@code \u0026}, and U+2028/U+2029), else {@code strconv.Quote}'s.
     */
    static String quote(String s, boolean html) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (html && (c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029')) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else if (c < 0x20) {
                        sb.append(html ? String.format("\\u%04x", (int) c) : String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
