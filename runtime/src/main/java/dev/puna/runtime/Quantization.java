package dev.puna.runtime;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The quantization types {@link Quantizer} produces, by their Ollama names ({@code quantize} in /api/create). */
public enum Quantization {
    Q8_0(7, "q8_0"),
    Q6_K(18, "q6_K"),
    Q5_K_M(17, "q5_K_M"),
    Q4_K_M(15, "q4_K_M"),
    Q4_K_S(14, "q4_K_S");

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
