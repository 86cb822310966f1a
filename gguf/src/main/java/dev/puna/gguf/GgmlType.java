package dev.puna.gguf;

import java.util.Optional;

/**
 * The tensor element types of ggml, with the ids GGUF files store ({@code enum ggml_type} in {@code ggml.h}).
 *
 * <p>Quantized types pack a fixed number of elements (the block size) into a fixed number of bytes; plain types
 * have a block size of 1. Ids that ggml has removed (4, 5, 31 to 33 and 36 to 38) have no constant: files using
 * them cannot be loaded by llama.cpp either.
 */
public enum GgmlType {
    /** 32-bit IEEE float. */
    F32(0, 1, 4),
    /** 16-bit IEEE half float. */
    F16(1, 1, 2),
    /** 4-bit quantization, one fp16 scale per 32 elements. */
    Q4_0(2, 32, 18),
    /** 4-bit quantization, an fp16 scale and minimum per 32 elements. */
    Q4_1(3, 32, 20),
    /** 5-bit quantization, one fp16 scale per 32 elements. */
    Q5_0(6, 32, 22),
    /** 5-bit quantization, an fp16 scale and minimum per 32 elements. */
    Q5_1(7, 32, 24),
    /** 8-bit quantization: an fp16 scale, then 32 int8 values. */
    Q8_0(8, 32, 34),
    /** 8-bit quantization with a precomputed sum (intermediate results). */
    Q8_1(9, 32, 36),
    /** 2-bit k-quant, 256-element super-blocks. */
    Q2_K(10, 256, 84),
    /** 3-bit k-quant, 256-element super-blocks. */
    Q3_K(11, 256, 110),
    /** 4-bit k-quant, 256-element super-blocks. */
    Q4_K(12, 256, 144),
    /** 5-bit k-quant, 256-element super-blocks. */
    Q5_K(13, 256, 176),
    /** 6-bit k-quant, 256-element super-blocks. */
    Q6_K(14, 256, 210),
    /** 8-bit k-quant (intermediate results). */
    Q8_K(15, 256, 292),
    /** 2.06-bit i-quant. */
    IQ2_XXS(16, 256, 66),
    /** 2.31-bit i-quant. */
    IQ2_XS(17, 256, 74),
    /** 3.06-bit i-quant. */
    IQ3_XXS(18, 256, 98),
    /** 1.56-bit i-quant. */
    IQ1_S(19, 256, 50),
    /** 4.5-bit non-linear quant, 32-element blocks. */
    IQ4_NL(20, 32, 18),
    /** 3.44-bit i-quant. */
    IQ3_S(21, 256, 110),
    /** 2.5-bit i-quant. */
    IQ2_S(22, 256, 82),
    /** 4.25-bit non-linear quant, 256-element super-blocks. */
    IQ4_XS(23, 256, 136),
    /** 8-bit integer. */
    I8(24, 1, 1),
    /** 16-bit integer. */
    I16(25, 1, 2),
    /** 32-bit integer. */
    I32(26, 1, 4),
    /** 64-bit integer. */
    I64(27, 1, 8),
    /** 64-bit IEEE double. */
    F64(28, 1, 8),
    /** 1.75-bit i-quant. */
    IQ1_M(29, 256, 56),
    /** 16-bit bfloat. */
    BF16(30, 1, 2),
    /** Ternary quantization, 1.69 bits. */
    TQ1_0(34, 256, 54),
    /** Ternary quantization, 2.06 bits. */
    TQ2_0(35, 256, 66),
    /** OCP microscaling 4-bit float, 32-element blocks. */
    MXFP4(39, 32, 17),
    /** NVIDIA 4-bit float with E4M3 scales, 64-element blocks. */
    NVFP4(40, 64, 36),
    /** 1-bit quantization, 128-element blocks. */
    Q1_0(41, 128, 18),
    /** 2-bit quantization, 64-element blocks. */
    Q2_0(42, 64, 18);

    private static final GgmlType[] BY_ID = new GgmlType[43];

    static {
        for (GgmlType type : values()) {
            BY_ID[type.id] = type;
        }
    }

    private final int id;
    private final int blockSize;
    private final int bytesPerBlock;

    GgmlType(int id, int blockSize, int bytesPerBlock) {
        this.id = id;
        this.blockSize = blockSize;
        this.bytesPerBlock = bytesPerBlock;
    }

    /**
     * Looks a type up by the id stored in a GGUF tensor info.
     *
     * @return the type, or empty for an id ggml does not define (or has removed)
     */
    public static Optional<GgmlType> fromId(int id) {
        return id >= 0 && id < BY_ID.length ? Optional.ofNullable(BY_ID[id]) : Optional.empty();
    }

    /** The id GGUF files store for this type. */
    public int id() {
        return id;
    }

    /** How many elements one block holds (1 for unquantized types). */
    public int blockSize() {
        return blockSize;
    }

    /** How many bytes one block takes. */
    public int bytesPerBlock() {
        return bytesPerBlock;
    }

    /**
     * The number of bytes {@code elements} elements of this type take.
     *
     * @throws IllegalArgumentException if {@code elements} is negative or not a whole number of blocks
     * @throws ArithmeticException if the size does not fit in a {@code long}
     */
    public long byteSize(long elements) {
        if (elements < 0 || elements % blockSize != 0) {
            throw new IllegalArgumentException("%d elements of %s are not a whole number of %d-element blocks"
                    .formatted(elements, this, blockSize));
        }
        return Math.multiplyExact(elements / blockSize, bytesPerBlock);
    }
}
