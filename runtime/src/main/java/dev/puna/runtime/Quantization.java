package dev.puna.runtime;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The quantization types {@link Quantizer} produces, by their Ollama names ({@code quantize} in /api/create):
 * Ollama's list, with llama.cpp's {@code llama_ftype} for each.
 */
public enum Quantization {
    Q4_0(2, "q4_0"),
    Q4_1(3, "q4_1"),
    Q5_0(8, "q5_0"),
    Q5_1(9, "q5_1"),
    Q8_0(7, "q8_0"),
    Q2_K(10, "q2_K"),
    Q3_K_S(11, "q3_K_S"),
    Q3_K_M(12, "q3_K_M"),
    Q3_K_L(13, "q3_K_L"),
    Q4_K_S(14, "q4_K_S"),
    Q4_K_M(15, "q4_K_M"),
    Q5_K_S(16, "q5_K_S"),
    Q5_K_M(17, "q5_K_M"),
    Q6_K(18, "q6_K");

    private final int llamaFtype;
    private final String ollamaName;

    Quantization(int llamaFtype, String ollamaName) {
        this.llamaFtype = llamaFtype;
        this.ollamaName = ollamaName;
    }

    /** The {@code llama_ftype} value. */
    int llamaFtype() {
        return llamaFtype;
    }

    /** The name as Ollama writes it ({@code q4_K_M}); {@link #parse} ignores case. */
    public String ollamaName() {
        return ollamaName;
    }

    /**
     * Parses a quantization name case-insensitively ({@code q8_0}, {@code Q4_K_M}, {@code q4_k_s}).
     *
     * @throws InvalidParameterException ({@code quantize}) naming the supported types
     */
    public static Quantization parse(String name) {
        for (Quantization q : values()) {
            if (q.name().equalsIgnoreCase(name == null ? "" : name.trim())) {
                return q;
            }
        }
        throw new InvalidParameterException("quantize", "unsupported quantization type '" + name + "'; supported: "
                + Arrays.stream(values()).map(Quantization::ollamaName).collect(Collectors.joining(", ")));
    }
}
