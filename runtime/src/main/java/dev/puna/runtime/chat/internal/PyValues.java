package dev.puna.runtime.chat.internal;

import com.hubspot.jinjava.objects.SafeString;
import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Python's view of the Java values a template sees: {@code str()}, {@code repr()}, truthiness, iteration, and the
 * deep immutable copy that turns caller data (messages, tools, extra variables) into template values.
 *
 * <p>Template values are {@code null} (None), {@link Boolean}, {@link Number}, {@link String}, {@link List} (list
 * or tuple) and {@link Map} with {@code String} keys (dict), as in the JSON that HF templates are written for.
 *
 * <p>Stateless; safe to use from any thread.
 */
public final class PyValues {
    private PyValues() {
    }

    /**
     * A deep, unmodifiable copy of JSON-like caller data, in the shapes templates expect: maps keep their order
     * and get {@code String} keys, collections and arrays become lists, other {@link CharSequence}s, characters and
     * enums become strings. Unmodifiable because Hugging Face renders in an immutable sandbox (a template may not
     * {@code append} to {@code messages}) and because one caller's tool list may be shared by concurrent renders.
     *
     * @param value caller data; {@code null} stays {@code null}
     * @return the template value
     * @throws IllegalArgumentException if the value holds something that has no JSON counterpart
     */
    public static Object freeze(Object value) {
        if (value == null || value instanceof String || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Number n) {
            return freezeNumber(n);
        }
        if (value instanceof CharSequence || value instanceof Character || value instanceof Enum<?>) {
            return value.toString();
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                copy.put(String.valueOf(e.getKey()), freeze(e.getValue()));
            }
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof Iterable<?> || value.getClass().isArray()) {
            List<Object> copy = new ArrayList<>();
            for (Object item : iterate(value)) {
                copy.add(freeze(item));
            }
            return Collections.unmodifiableList(copy);
        }
        throw new IllegalArgumentException("cannot pass a " + value.getClass().getName()
                + " to a chat template; use maps, lists, strings, numbers, booleans and null");
    }

    private static Object freezeNumber(Number n) {
        if (n instanceof Integer || n instanceof Short || n instanceof Byte) {
            return n.longValue();
        }
        if (n instanceof Float f) {
            // Float's own shortest decimal, not the binary expansion a widening cast would print.
            return Double.parseDouble(f.toString());
        }
        return n;
    }

    /** What {@code {{ value }}} prints: Python's {@code str(value)}, except that None prints nothing. */
    static String output(Object value) {
        return value == null ? "" : str(value);
    }

    /** Python's {@code str(value)}. */
    public static String str(Object value) {
        if (value instanceof CharSequence || value instanceof SafeString) {
            return value.toString();
        }
        return repr(value);
    }

    /** Python's {@code repr(value)}. */
    static String repr(Object value) {
        StringBuilder out = new StringBuilder();
        appendRepr(out, value);
        return out.toString();
    }

    private static void appendRepr(StringBuilder out, Object value) {
        if (value == null) {
            out.append("None");
        } else if (value instanceof Boolean b) {
            out.append(b ? "True" : "False");
        } else if (value instanceof Number n) {
            out.append(numberStr(n));
        } else if (value instanceof CharSequence || value instanceof SafeString || value instanceof Character) {
            appendStringRepr(out, value.toString());
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) {
                    out.append(", ");
                }
                appendRepr(out, e.getKey());
                out.append(": ");
                appendRepr(out, e.getValue());
                first = false;
            }
            out.append('}');
        } else if (value instanceof Map.Entry<?, ?> e) {
            out.append('(');
            appendRepr(out, e.getKey());
            out.append(", ");
            appendRepr(out, e.getValue());
            out.append(')');
        } else if (value instanceof Iterable<?> || value.getClass().isArray()) {
            out.append('[');
            boolean first = true;
            for (Object item : iterate(value)) {
                if (!first) {
                    out.append(", ");
                }
                appendRepr(out, item);
                first = false;
            }
            out.append(']');
        } else {
            out.append(value);
        }
    }

    private static void appendStringRepr(StringBuilder out, String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        out.append(quote);
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (c == quote || c == '\\') {
                out.append('\\').appendCodePoint(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (!printable(c)) {
                if (c <= 0xff) {
                    out.append(String.format("\\x%02x", c));
                } else if (c <= 0xffff) {
                    out.append(String.format("\\u%04x", c));
                } else {
                    out.append(String.format("\\U%08x", c));
                }
            } else {
                out.appendCodePoint(c);
            }
        }
        out.append(quote);
    }

    /** Python's {@code str.isprintable()} for one code point. */
    private static boolean printable(int c) {
        if (c == ' ') {
            return true;
        }
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                 Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }

    /** Python's {@code str()} of a number: integers in full, floats in Python's shortest repr. */
    static String numberStr(Number n) {
        if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte
                || n instanceof BigInteger) {
            return n.toString();
        }
        if (n instanceof BigDecimal d) {
            return floatRepr(d.doubleValue());
        }
        if (n instanceof Float f) {
            return floatRepr(Double.parseDouble(f.toString()));
        }
        return floatRepr(n.doubleValue());
    }

    /**
     * Python's {@code repr(float)}: the shortest decimal that round-trips, positional for decimal exponents from
     * -4 to 15 (always with a fractional part, {@code 1.0}), scientific otherwise ({@code 1e-05}, {@code 1e+16}).
     */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        // Double.toString is the shortest round-tripping decimal (JDK 19+), like Python's repr.
        BigDecimal exact = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        String digits = exact.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - exact.scale();
        String sign = d < 0 ? "-" : "";
        if (exponent < -4 || exponent >= 16) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            String exp = String.format("%02d", Math.abs(exponent));
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + exp;
        }
        String plain = exact.abs().toPlainString();
        return sign + (plain.indexOf('.') < 0 ? plain + ".0" : plain);
    }

    /** Python truthiness. */
    static boolean truthy(Object value) {
        if (value == null) {
            return false;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof Number n) {
            return n.doubleValue() != 0;
        }
        if (value instanceof CharSequence || value instanceof SafeString) {
            return !value.toString().isEmpty();
        }
        if (value instanceof Collection<?> c) {
            return !c.isEmpty();
        }
        if (value instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        if (value.getClass().isArray()) {
            return Array.getLength(value) != 0;
        }
        return true;
    }

    /** What Python's {@code for x in value} visits: list items, dict keys, string characters; None is empty. */
    static Iterable<?> iterate(Object value) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof Map<?, ?> m) {
            return m.keySet();
        }
        if (value instanceof Iterable<?> it) {
            return it;
        }
        if (value instanceof CharSequence || value instanceof SafeString) {
            String s = value.toString();
            List<String> chars = new ArrayList<>();
            s.codePoints().forEach(cp -> chars.add(new String(Character.toChars(cp))));
            return chars;
        }
        if (value.getClass().isArray()) {
            int n = Array.getLength(value);
            return () -> new Iterator<>() {
                private int i;

                @Override
                public boolean hasNext() {
                    return i < n;
                }

                @Override
                public Object next() {
                    return Array.get(value, i++);
                }
            };
        }
        throw new IllegalArgumentException("'" + typeName(value) + "' object is not iterable");
    }

    /** Python's name for the type of a template value, for error messages. */
    static String typeName(Object value) {
        if (value == null) {
            return "NoneType";
        }
        if (value instanceof Boolean) {
            return "bool";
        }
        if (value instanceof Long || value instanceof Integer || value instanceof BigInteger) {
            return "int";
        }
        if (value instanceof Number) {
            return "float";
        }
        if (value instanceof CharSequence || value instanceof SafeString) {
            return "str";
        }
        if (value instanceof Map<?, ?>) {
            return "dict";
        }
        if (value instanceof Iterable<?> || value.getClass().isArray()) {
            return "list";
        }
        return value.getClass().getSimpleName();
    }
}
