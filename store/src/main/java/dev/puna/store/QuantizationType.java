package dev.puna.store;

import java.util.Locale;

/**
 * The quantization types {@code /api/create}'s {@code quantize} accepts, as in Ollama: {@code q8_0},
 * {@code q4_K_M} and {@code q4_K_S} (matched case-insensitively). Only F32, F16 and BF16 models can be quantized.
 */
public enum QuantizationType {
    /** 8-bit, one scale per 32 weights ({@code LLAMA_FTYPE_MOSTLY_Q8_0}). */
    Q8_0(7),
    /** 4-bit k-quant, medium ({@code LLAMA_FTYPE_MOSTLY_Q4_K_M}). */
    Q4_K_M(15),
    /** 4-bit k-quant, small ({@code LLAMA_FTYPE_MOSTLY_Q4_K_S}). */
    Q4_K_S(14);

    private final int fileType;

    QuantizationType(int fileType) {
        this.fileType = fileType;
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
        throw new InvalidRequestException("unsupported quantization type '%s': supported types are q8_0, q4_K_M and "
                .formatted(type) + "q4_K_S");
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
