package dev.puna.store.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Writes JSON byte for byte as Go's {@code encoding/json} does, so that the blobs and manifests Puna writes have
 * the digests Ollama would give the same content: no whitespace, {@code <}, {@code >}, {@code &}, U+2028 and U+2029
 * escaped as backslash-u003c and so on, floats in Go's shortest form ({@code 4096}, {@code 0.7}, {@code 1e-7}), and an
 * optional trailing newline ({@code json.Encoder} adds one, {@code json.Marshal} does not).
 *
 * <p>Values: {@code Map} (written in its iteration order: pass a {@code TreeMap} for a Go map, whose keys Go sorts,
 * or a {@code LinkedHashMap} for a struct's fields), {@code List}, {@code String}, {@code Boolean}, integral
 * numbers, {@code Double}/{@code Float} and null. Thread-safe.
 */
public final class GoJson {
    /** A Jackson mapper for reading JSON the store stored or received. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private static final JsonFactory FACTORY = new JsonFactory();
    private static final CharacterEscapes GO_ESCAPES = new GoEscapes();

    private GoJson() {
    }

    /** Encodes {@code value}; with {@code newline} as {@code json.Encoder.Encode} does. */
    public static byte[] encode(Object value, boolean newline) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.setCharacterEscapes(GO_ESCAPES);
            write(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (newline) {
            out.write('\n');
        }
        return out.toByteArray();
    }

    private static void write(JsonGenerator g, Object value) throws IOException {
        switch (value) {
            case null -> g.writeNull();
            case String s -> g.writeString(s);
            case Boolean b -> g.writeBoolean(b);
            case Long l -> g.writeNumber(l);
            case Integer i -> g.writeNumber(i);
            case Short s -> g.writeNumber(s);
            case Byte b -> g.writeNumber(b);
            case Double d -> g.writeRawValue(formatFloat(d));
            case Float f -> g.writeRawValue(formatFloat(Double.parseDouble(Float.toString(f))));
            case Map<?, ?> map -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    g.writeFieldName(String.valueOf(e.getKey()));
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            case List<?> list -> {
                g.writeStartArray();
                for (Object o : list) {
                    write(g, o);
                }
                g.writeEndArray();
            }
            default -> throw new IllegalArgumentException("cannot encode a " + value.getClass().getName());
        }
    }

    /**
     * A float64 as Go's encoder writes it: the shortest decimal that reads back as the same double, in plain
     * notation for magnitudes in [1e-6, 1e21) and in exponent notation ({@code 1e-7}, {@code 1.5e+21}) outside.
     *
     * @throws IllegalArgumentException for NaN and infinities, which JSON cannot represent (Go fails too)
     */
    public static String formatFloat(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new IllegalArgumentException("JSON has no representation for " + d);
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0" : "0";
        }
        // Double.toString gives the shortest digits that round-trip (JDK 19+).
        BigDecimal exact = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        double abs = Math.abs(d);
        if (abs >= 1e-6 && abs < 1e21) {
            return exact.toPlainString();
        }
        String digits = exact.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - exact.scale();
        StringBuilder s = new StringBuilder();
        if (d < 0) {
            s.append('-');
        }
        s.append(digits.charAt(0));
        if (digits.length() > 1) {
            s.append('.').append(digits, 1, digits.length());
        }
        s.append('e').append(exponent < 0 ? '-' : '+');
        int e = Math.abs(exponent);
        // strconv writes at least two exponent digits; the encoder then turns e-07 into e-7 (not e+07).
        if (e < 10 && exponent > 0) {
            s.append('0');
        }
        s.append(e);
        return s.toString();
    }

    /**
     * Go's string escapes: HTML-safe, lower-case backslash-u00xx for control characters other than \b \f \n \r
     * \t (Go 1.22+), and U+2028/U+2029.
     */
    private static final class GoEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private final int[] ascii;

        GoEscapes() {
            ascii = standardAsciiEscapesForJSON();
            ascii['<'] = ESCAPE_CUSTOM;
            ascii['>'] = ESCAPE_CUSTOM;
            ascii['&'] = ESCAPE_CUSTOM;
            for (int c = 0; c < 0x20; c++) {
                if ("\b\f\n\r\t".indexOf(c) < 0) {
                    ascii[c] = ESCAPE_CUSTOM; // Go writes lower-case hex, Jackson upper-case
                }
            }
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            boolean escaped = ch == '<' || ch == '>' || ch == '&' || ch == 0x2028 || ch == 0x2029
                    || (ch < 0x20 && "\b\f\n\r\t".indexOf(ch) < 0);
            return escaped ? new SerializedString("\\u%04x".formatted(ch)) : null;
        }
    }
}
