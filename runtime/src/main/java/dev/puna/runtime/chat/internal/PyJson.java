package dev.puna.runtime.chat.internal;

import com.hubspot.jinjava.objects.SafeString;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps}, byte for byte, because Hugging Face's {@code tojson} filter is
 * {@code json.dumps(x, ensure_ascii=False, indent=indent, separators=separators, sort_keys=sort_keys)} and a
 * model was trained on exactly that text: {@code ", "} and {@code ": "} separators by default, {@code ","} when
 * indenting, no HTML escaping, {@code NaN}/{@code Infinity} allowed, floats in Python's repr.
 *
 * <p>Stateless; safe to use from any thread.
 */
final class PyJson {
    private PyJson() {
    }

    /**
     * Python's {@code json.dumps}.
     *
     * @param value a template value
     * @param ensureAscii escape every non-ASCII character as {@code \\uXXXX}
     * @param indent {@code null} for one line, else the per-level indent string
     * @param itemSeparator {@code null} for Python's default ({@code ", "}, or {@code ","} when indenting)
     * @param keySeparator {@code null} for Python's default ({@code ": "})
     * @param sortKeys sort object keys
     */
    static String dumps(Object value, boolean ensureAscii, String indent, String itemSeparator, String keySeparator,
                        boolean sortKeys) {
        String items = itemSeparator != null ? itemSeparator : indent != null ? "," : ", ";
        String keys = keySeparator != null ? keySeparator : ": ";
        StringBuilder out = new StringBuilder();
        new Writer(out, ensureAscii, indent, items, keys, sortKeys).write(value, 0);
        return out.toString();
    }

    private record Writer(StringBuilder out, boolean ensureAscii, String indent, String itemSeparator,
                          String keySeparator, boolean sortKeys) {
        void write(Object value, int depth) {
            if (value == null) {
                out.append("null");
            } else if (value instanceof Boolean b) {
                out.append(b ? "true" : "false");
            } else if (value instanceof Number n) {
                out.append(number(n));
            } else if (value instanceof CharSequence || value instanceof SafeString || value instanceof Character) {
                string(value.toString());
            } else if (value instanceof Map<?, ?> map) {
                object(map, depth);
            } else if (value instanceof Map.Entry<?, ?> e) {
                // A Python tuple, as produced by dict.items(), serialises as an array.
                array(List.of(entryPart(e.getKey()), entryPart(e.getValue())), depth);
            } else if (value instanceof Iterable<?> || value.getClass().isArray()) {
                List<Object> items = new ArrayList<>();
                PyValues.iterate(value).forEach(items::add);
                array(items, depth);
            } else {
                throw new IllegalArgumentException(
                        "Object of type " + PyValues.typeName(value) + " is not JSON serializable");
            }
        }

        private static Object entryPart(Object o) {
            return o == null ? NullMarker.NULL : o;
        }

        private void object(Map<?, ?> map, int depth) {
            if (map.isEmpty()) {
                out.append("{}");
                return;
            }
            List<Map.Entry<String, Object>> entries = new ArrayList<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                entries.add(Map.entry(key(e.getKey()), e.getValue() == null ? NullMarker.NULL : e.getValue()));
            }
            if (sortKeys) {
                entries.sort(Map.Entry.comparingByKey());
            }
            out.append('{');
            for (int i = 0; i < entries.size(); i++) {
                if (i > 0) {
                    out.append(itemSeparator);
                }
                newline(depth + 1);
                string(entries.get(i).getKey());
                out.append(keySeparator);
                Object v = entries.get(i).getValue();
                write(v == NullMarker.NULL ? null : v, depth + 1);
            }
            newline(depth);
            out.append('}');
        }

        private void array(List<?> items, int depth) {
            if (items.isEmpty()) {
                out.append("[]");
                return;
            }
            out.append('[');
            for (int i = 0; i < items.size(); i++) {
                if (i > 0) {
                    out.append(itemSeparator);
                }
                newline(depth + 1);
                Object v = items.get(i);
                write(v == NullMarker.NULL ? null : v, depth + 1);
            }
            newline(depth);
            out.append(']');
        }

        private void newline(int depth) {
            if (indent != null) {
                out.append('\n').append(indent.repeat(depth));
            }
        }

        /** Python converts str, int, float, bool and None keys; the rest are a TypeError. */
        private static String key(Object k) {
            if (k == null) {
                return "null";
            }
            if (k instanceof Boolean b) {
                return b ? "true" : "false";
            }
            if (k instanceof Number n) {
                return number(n);
            }
            if (k instanceof CharSequence || k instanceof SafeString) {
                return k.toString();
            }
            throw new IllegalArgumentException(
                    "keys must be str, int, float, bool or None, not " + PyValues.typeName(k));
        }

        private static String number(Number n) {
            if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte
                    || n instanceof BigInteger) {
                return n.toString();
            }
            double d = n instanceof Float f ? Double.parseDouble(f.toString()) : n.doubleValue();
            if (Double.isNaN(d)) {
                return "NaN";
            }
            if (Double.isInfinite(d)) {
                return d > 0 ? "Infinity" : "-Infinity";
            }
            return PyValues.floatRepr(d);
        }

        private void string(String s) {
            out.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    case '\b' -> out.append("\\b");
                    case '\f' -> out.append("\\f");
                    default -> {
                        // ensure_ascii escapes everything outside ' '..'~' (UTF-16 units, so astral characters
                        // become surrogate pairs, as in Python); otherwise only control characters are escaped.
                        if (c < 0x20 || (ensureAscii && c > 0x7e)) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            out.append('"');
        }
    }

    /** Stands in for a null value in collections that do not accept null. */
    private enum NullMarker { NULL }
}
