package dev.puna.runtime.chat.internal;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The filters whose Jinjava versions differ from what Hugging Face templates were written against, replaced by
 * Python-faithful ones (registering a filter under an existing name replaces Jinjava's).
 */
final class Filters {
    private Filters() {
    }

    /** Every replacement filter. */
    static List<PyFilter> all() {
        return List.of(new ToJson(), new Items(), new StringFilter(),
                new Trim(),
                text("upper", s -> s.toUpperCase(java.util.Locale.ROOT)),
                text("lower", s -> s.toLowerCase(java.util.Locale.ROOT)),
                text("capitalize", PyStr::capitalize),
                text("title", PyStr::title));
    }

    /**
     * Hugging Face's {@code tojson}: {@code json.dumps(x, ensure_ascii=False, indent=None, separators=None,
     * sort_keys=False)}, positional arguments in that order. Jinjava's writes compact JSON ({@code {"a":1}}),
     * Jinja's own escapes HTML; neither is what the models saw in training.
     */
    static final class ToJson extends PyFilter {
        ToJson() {
            super("tojson");
        }

        @Override
        Object apply(Object value, Object[] args, Map<String, Object> kwargs) {
            boolean ensureAscii = PyValues.truthy(arg(args, kwargs, 0, "ensure_ascii", false));
            Object indent = arg(args, kwargs, 1, "indent", null);
            Object separators = arg(args, kwargs, 2, "separators", null);
            boolean sortKeys = PyValues.truthy(arg(args, kwargs, 3, "sort_keys", false));
            String indentText = switch (indent) {
                case null -> null;
                case Number n -> " ".repeat((int) Math.max(0, n.longValue()));
                case CharSequence cs -> cs.toString();
                default -> throw new IllegalArgumentException("indent must be an int or a str");
            };
            String itemSeparator = null;
            String keySeparator = null;
            if (separators != null) {
                List<Object> parts = new ArrayList<>();
                PyValues.iterate(separators).forEach(parts::add);
                if (parts.size() != 2) {
                    throw new IllegalArgumentException("separators must be an (item_separator, key_separator) pair");
                }
                itemSeparator = PyValues.str(parts.get(0));
                keySeparator = PyValues.str(parts.get(1));
            }
            return PyJson.dumps(value, ensureAscii, indentText, itemSeparator, keySeparator, sortKeys);
        }
    }

    /** Jinja 3.1's {@code items}: a dict's (key, value) pairs; Jinjava lacks it. Undefined gives no pairs. */
    static final class Items extends PyFilter {
        Items() {
            super("items");
        }

        @Override
        Object apply(Object value, Object[] args, Map<String, Object> kwargs) {
            if (value == null) {
                return List.of();
            }
            if (!(value instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException("can only get item pairs from a mapping, not "
                        + PyValues.typeName(value));
            }
            List<Map.Entry<Object, Object>> pairs = new ArrayList<>(map.size());
            for (Map.Entry<?, ?> e : map.entrySet()) {
                pairs.add(new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue()));
            }
            return pairs;
        }
    }

    /** {@code string}: Python's {@code str()} ({@code ['a', True]}); Jinjava's uses Java's {@code toString}. */
    static final class StringFilter extends PyFilter {
        StringFilter() {
            super("string");
        }

        @Override
        Object apply(Object value, Object[] args, Map<String, Object> kwargs) {
            return PyValues.str(value);
        }
    }

    /** {@code trim(chars=None)}: Python's {@code str(value).strip(chars)}. */
    static final class Trim extends PyFilter {
        Trim() {
            super("trim");
        }

        @Override
        Object apply(Object value, Object[] args, Map<String, Object> kwargs) {
            Object chars = arg(args, kwargs, 0, "chars", null);
            return PyStr.strip(PyValues.str(value), chars == null ? null : PyValues.str(chars), true, true);
        }
    }

    private static PyFilter text(String name, UnaryOperator<String> op) {
        return new PyFilter(name) {
            @Override
            Object apply(Object value, Object[] args, Map<String, Object> kwargs) {
                return op.apply(PyValues.str(value));
            }
        };
    }
}
