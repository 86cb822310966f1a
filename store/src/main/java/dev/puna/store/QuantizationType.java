package dev.puna.store;

import java.util.Locale;

/**
 * The quantization types {@code /api/create}'s {@code quantize} accepts, Ollama's list (matched
 * case-insensitively): {@code q4_0}, {@code q4_1}, {@code q5_0}, {@code q5_1}, {@code q8_0}, {@code q2_K},
 * {@code q3_K_S}, {@code q3_K_M}, {@code q3_K_L}, {@code q4_K_S}, {@code q4_K_M}, {@code q5_K_S}, {@code q5_K_M},
 * {@code q6_K}. Only F32, F16 and BF16 models can be quantized; those three are sources, not targets.
 */
public enum QuantizationType {
    /** 4-bit, one scale per 32 weights. */
    Q4_0(2, "q4_0"),
    /** 4-bit, scale and minimum per 32 weights. */
    Q4_1(3, "q4_1"),
    /** 5-bit, one scale per 32 weights. */
    Q5_0(8, "q5_0"),
    /** 5-bit, scale and minimum per 32 weights. */
    Q5_1(9, "q5_1"),
    /** 8-bit, one scale per 32 weights ({@code LLAMA_FTYPE_MOSTLY_Q8_0}). */
    Q8_0(7, "q8_0"),
    /** 2-bit k-quant. */
    Q2_K(10, "q2_K"),
    /** 3-bit k-quant, small. */
    Q3_K_S(11, "q3_K_S"),
    /** 3-bit k-quant, medium. */
    Q3_K_M(12, "q3_K_M"),
    /** 3-bit k-quant, large. */
    Q3_K_L(13, "q3_K_L"),
    /** 4-bit k-quant, small ({@code LLAMA_FTYPE_MOSTLY_Q4_K_S}). */
    Q4_K_S(14, "q4_K_S"),
    /** 4-bit k-quant, medium ({@code LLAMA_FTYPE_MOSTLY_Q4_K_M}). */
    Q4_K_M(15, "q4_K_M"),
    /** 5-bit k-quant, small. */
    Q5_K_S(16, "q5_K_S"),
    /** 5-bit k-quant, medium. */
    Q5_K_M(17, "q5_K_M"),
    /** 6-bit k-quant. */
    Q6_K(18, "q6_K");

    private final int fileType;
    private final String ollamaName;

    QuantizationType(int fileType, String ollamaName) {
        this.fileType = fileType;
        this.ollamaName = ollamaName;
    }

    /** The name as Ollama writes it: {@code q4_K_M}. */
    public String ollamaName() {
        return ollamaName;
    }

    /**
     * Parses {@code q8_0}, {@code q4_K_M}, {@code Q4_K_S}, ...
     *
     * @throws InvalidRequestException for any other type, listing the supported ones
     */
    public static QuantizationType parse(String type) {
        for (QuantizationType t : values()) {
            if (t.name().equalsIgnoreCase(type == null ? "" : type.trim())) {
                return t;
            }
        }
        throw new InvalidRequestException("unsupported quantization type '%s': supported types are %s"
                .formatted(type, java.util.Arrays.stream(values()).map(QuantizationType::ollamaName)
                        .collect(java.util.stream.Collectors.joining(", "))));
    }

    /** llama.cpp's {@code enum llama_ftype} value for this type: what {@code llama_model_quantize} takes. */
    public int llamaFileType() {
        return fileType;
    }

    /** The name Ollama shows as {@code quantization_level}: {@code Q8_0}, {@code Q4_K_M}, {@code Q4_K_S}. */
    public String displayName() {
        return name().toUpperCase(Locale.ROOT);
    }
}
