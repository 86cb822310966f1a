package dev.puna.gguf;

/** Constants of the GGUF format that the reader and the writer must agree on. */
final class GgufFormat {
    /** "GGUF" as a little-endian uint32. */
    static final int MAGIC = 0x46554747;
    /** The version {@link GgufWriter} writes. */
    static final int VERSION = 3;
    /** {@code GGML_MAX_DIMS}. */
    static final int MAX_DIMS = 4;
    /** ggml keeps tensor names in a 64-byte char array, terminator included ({@code GGML_MAX_NAME}). */
    static final int MAX_TENSOR_NAME_BYTES = 63;
    /** Keeps alignments in an {@code int}; real files use 32 or 64. */
    static final int MAX_ALIGNMENT = 1 << 30;

    private GgufFormat() {
    }
}
