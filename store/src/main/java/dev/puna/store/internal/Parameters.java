package dev.puna.store.internal;

import dev.puna.store.InvalidRequestException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The model parameters a Modelfile's {@code PARAMETER} lines and {@code /api/create}'s {@code parameters} may set:
 * Ollama's option names ({@code api.Options}) with their types. Values are normalized to {@code Long} (integer
 * options), {@code Double} (float options), {@code Boolean} and {@code List<String>} ({@code stop}).
 *
 * <p>Names Ollama has retired ({@code penalize_newline}, {@code low_vram}, {@code f16_kv}, {@code logits_all},
 * {@code vocab_only}, {@code use_mlock}) are skipped with a warning, as Ollama's Modelfile parser does; any other
 * unknown name is an error.
 */
public final class Parameters {
    /** The type of a parameter's value. */
    public enum Type {
        /** A whole number. */
        INT,
        /** A number. */
        FLOAT,
        /** true or false. */
        BOOL,
        /** One or more strings (repeated lines accumulate). */
        STRINGS,
        /** One string (a model name, for {@code draft_model}). */
        STRING
    }

    private static final Logger LOG = LogManager.getLogger(Parameters.class);
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
    private static final Set<String> RETIRED =
            Set.of("penalize_newline", "low_vram", "f16_kv", "logits_all", "vocab_only", "use_mlock");

    /** Every accepted parameter and its type. */
    public static final Map<String, Type> SPEC = Collections.unmodifiableMap(new TreeMap<>(Map.ofEntries(
            Map.entry("num_ctx", Type.INT), Map.entry("num_batch", Type.INT), Map.entry("num_gpu", Type.INT),
            Map.entry("main_gpu", Type.INT), Map.entry("use_mmap", Type.BOOL), Map.entry("num_thread", Type.INT),
            Map.entry("num_keep", Type.INT), Map.entry("seed", Type.INT), Map.entry("num_predict", Type.INT),
            Map.entry("top_k", Type.INT), Map.entry("top_p", Type.FLOAT), Map.entry("min_p", Type.FLOAT),
            Map.entry("typical_p", Type.FLOAT), Map.entry("repeat_last_n", Type.INT),
            Map.entry("temperature", Type.FLOAT), Map.entry("repeat_penalty", Type.FLOAT),
            Map.entry("presence_penalty", Type.FLOAT), Map.entry("frequency_penalty", Type.FLOAT),
            Map.entry("mirostat", Type.INT), Map.entry("mirostat_tau", Type.FLOAT),
            Map.entry("mirostat_eta", Type.FLOAT), Map.entry("stop", Type.STRINGS),
            Map.entry("draft_model", Type.STRING), Map.entry("draft_max", Type.INT), Map.entry("draft_min", Type.INT),
            Map.entry("draft_p_min", Type.FLOAT), Map.entry("rpc_servers", Type.STRING),
            Map.entry("n_cpu_moe", Type.INT))));

    private Parameters() {
    }

    /** Whether {@code name} is a retired Ollama parameter that is skipped rather than refused. */
    public static boolean isRetired(String name) {
        return RETIRED.contains(name);
    }

    /**
     * Parses one {@code PARAMETER name value} line's value (Ollama's {@code api.FormatParams}).
     *
     * @return the value, or null if the parameter is retired and skipped
     * @throws InvalidRequestException for an unknown name or a value of the wrong type, naming both
     */
    public static Object parse(String name, String value) {
        if (isRetired(name)) {
            LOG.warn("parameter {} is deprecated and ignored", name);
            return null;
        }
        Type type = SPEC.get(name);
        if (type == null) {
            throw new InvalidRequestException("unknown parameter '%s'".formatted(name));
        }
        String v = value.trim();
        return switch (type) {
            case INT -> {
                if (!INTEGER.matcher(v).matches()) {
                    throw invalid(name, "int", value);
                }
                try {
                    yield Long.parseLong(v);
                } catch (NumberFormatException e) {
                    throw invalid(name, "int", value);
                }
            }
            case FLOAT -> {
                if (!DECIMAL.matcher(v).matches()) {
                    throw invalid(name, "float", value);
                }
                float f = Float.parseFloat(v);
                if (Float.isInfinite(f)) {
                    throw invalid(name, "float", value);
                }
                // Ollama parses these as float32; keep the float's shortest decimal (0.1 stays 0.1).
                yield Double.parseDouble(Float.toString(f));
            }
            case BOOL -> switch (v) {
                case "1", "t", "T", "TRUE", "true", "True" -> Boolean.TRUE;
                case "0", "f", "F", "FALSE", "false", "False" -> Boolean.FALSE;
                default -> throw invalid(name, "bool", value);
            };
            case STRINGS -> List.of(value);
            case STRING -> v;
        };
    }

    private static InvalidRequestException invalid(String name, String type, String value) {
        return new InvalidRequestException("invalid %s value [%s] for parameter '%s'".formatted(type, value, name));
    }

    /**
     * Validates the {@code parameters} of a create request (JSON-decoded values) and normalizes them: integer
     * options must be whole numbers, float options numbers, {@code use_mmap} a boolean, {@code stop} a string or an
     * array of strings.
     *
     * @return a new map, sorted by name
     * @throws InvalidRequestException naming the first bad parameter
     */
    public static Map<String, Object> validate(Map<String, ?> params) {
        Map<String, Object> out = new TreeMap<>();
        if (params == null) {
            return out;
        }
        for (Map.Entry<String, ?> e : params.entrySet()) {
            String name = e.getKey();
            Object value = e.getValue();
            if (isRetired(name)) {
                LOG.warn("parameter {} is deprecated and ignored", name);
                continue;
            }
            Type type = SPEC.get(name);
            if (type == null) {
                throw new InvalidRequestException("unknown parameter '%s'".formatted(name));
            }
            if (value == null) {
                continue;
            }
            out.put(name, switch (type) {
                case INT -> {
                    if (value instanceof Number n && isWhole(n)) {
                        yield n.longValue();
                    }
                    throw typeError(name, "an integer", value);
                }
                case FLOAT -> {
                    if (value instanceof Number n && Double.isFinite(n.doubleValue())) {
                        yield n.doubleValue();
                    }
                    throw typeError(name, "a number", value);
                }
                case BOOL -> {
                    if (value instanceof Boolean b) {
                        yield b;
                    }
                    throw typeError(name, "a boolean", value);
                }
                case STRINGS -> {
                    if (value instanceof String s) {
                        yield List.of(s);
                    }
                    if (value instanceof List<?> list && list.stream().allMatch(x -> x instanceof String)) {
                        List<String> strings = new ArrayList<>();
                        list.forEach(x -> strings.add((String) x));
                        yield List.copyOf(strings);
                    }
                    throw typeError(name, "a string or an array of strings", value);
                }
                case STRING -> {
                    if (value instanceof String s) {
                        yield s;
                    }
                    throw typeError(name, "a string", value);
                }
            });
        }
        return out;
    }

    private static boolean isWhole(Number n) {
        if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
            return true;
        }
        if (n instanceof java.math.BigInteger b) {
            return b.bitLength() < 64;
        }
        double d = n.doubleValue();
        return Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 0x1p63;
    }

    private static InvalidRequestException typeError(String name, String expected, Object value) {
        String shown = value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
        return new InvalidRequestException("parameter '%s' must be %s, not %s".formatted(name, expected, shown));
    }

    /**
     * Merges {@code update} over {@code base} as Ollama's create does: a parameter in {@code update} replaces the
     * base's value ({@code stop} included), the others are inherited.
     */
    public static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> update) {
        Map<String, Object> merged = new TreeMap<>(base);
        merged.putAll(update);
        return merged;
    }

    /** A value as Go's {@code %v} prints it (how a rendered Modelfile shows it). */
    public static String formatPlain(Object value) {
        return switch (value) {
            case Double d -> formatG(d);
            case Float f -> formatG(Double.parseDouble(Float.toString(f)));
            default -> String.valueOf(value);
        };
    }

    /** A value as Go's {@code %#v} prints it (how {@code /api/show}'s {@code parameters} shows it). */
    public static String formatGoSyntax(Object value) {
        return value instanceof String s ? quote(s) : formatPlain(value);
    }

    /**
     * Go's {@code %v} of a float64 ({@code %g} with the shortest precision): plain for decimal exponents in
     * [-4, 6), else exponent form with at least two exponent digits: {@code 4096}, {@code 0.7}, {@code 1e+06},
     * {@code 1e-05}.
     */
    static String formatG(double d) {
        if (d == 0 || !Double.isFinite(d)) {
            return d == 0 ? "0" : Double.toString(d);
        }
        BigDecimal exact = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        String digits = exact.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - exact.scale();
        if (exponent < -4 || exponent >= 6) {
            StringBuilder s = new StringBuilder(d < 0 ? "-" : "");
            s.append(digits.charAt(0));
            if (digits.length() > 1) {
                s.append('.').append(digits, 1, digits.length());
            }
            s.append('e').append(exponent < 0 ? '-' : '+');
            int e = Math.abs(exponent);
            s.append(e < 10 ? "0" + e : Integer.toString(e));
            return s.toString();
        }
        return exact.toPlainString();
    }

    /** Go's {@code strconv.Quote} for the characters a parameter value can hold. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
