package dev.puna.store.internal;

import java.util.Map;

/**
 * Names of llama.cpp's model file types ({@code enum llama_ftype}, stored as {@code general.file_type}), spelled as
 * Ollama shows them in {@code quantization_level}: {@code F32}, {@code F16}, {@code Q4_K_M}, ...
 */
public final class FileTypes {
    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(0, "F32"), Map.entry(1, "F16"), Map.entry(2, "Q4_0"), Map.entry(3, "Q4_1"),
            Map.entry(7, "Q8_0"), Map.entry(8, "Q5_0"), Map.entry(9, "Q5_1"), Map.entry(10, "Q2_K"),
            Map.entry(11, "Q3_K_S"), Map.entry(12, "Q3_K_M"), Map.entry(13, "Q3_K_L"), Map.entry(14, "Q4_K_S"),
            Map.entry(15, "Q4_K_M"), Map.entry(16, "Q5_K_S"), Map.entry(17, "Q5_K_M"), Map.entry(18, "Q6_K"),
            Map.entry(19, "IQ2_XXS"), Map.entry(20, "IQ2_XS"), Map.entry(21, "Q2_K_S"), Map.entry(22, "IQ3_XS"),
            Map.entry(23, "IQ3_XXS"), Map.entry(24, "IQ1_S"), Map.entry(25, "IQ4_NL"), Map.entry(26, "IQ3_S"),
            Map.entry(27, "IQ3_M"), Map.entry(28, "IQ2_S"), Map.entry(29, "IQ2_M"), Map.entry(30, "IQ4_XS"),
            Map.entry(31, "IQ1_M"), Map.entry(32, "BF16"), Map.entry(36, "TQ1_0"), Map.entry(37, "TQ2_0"),
            Map.entry(38, "MXFP4"), Map.entry(39, "NVFP4"), Map.entry(40, "Q1_0"), Map.entry(41, "Q2_0"));

    /** {@code LLAMA_FTYPE_ALL_F32}. */
    public static final int F32 = 0;
    /** {@code LLAMA_FTYPE_MOSTLY_F16}. */
    public static final int F16 = 1;
    /** {@code LLAMA_FTYPE_MOSTLY_BF16}. */
    public static final int BF16 = 32;

    private FileTypes() {
    }

    /** The name of file type {@code id}, or {@code unknown}. */
    public static String name(long id) {
        return id >= 0 && id <= Integer.MAX_VALUE ? NAMES.getOrDefault((int) id, "unknown") : "unknown";
    }
}
