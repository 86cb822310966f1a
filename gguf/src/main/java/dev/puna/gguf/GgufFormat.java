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
    /**
     * The longest string a file may hold (a key, a value, a tensor name), as Ollama's reader bounds it: chat
     * templates and vocabulary entries are far shorter.
     */
    static final int MAX_STRING_BYTES = 16 << 20;
    /** The most elements a metadata array may hold, as Ollama's reader bounds it: vocabularies have ~10^5-10^6. */
    static final long MAX_ARRAY_ELEMENTS = 64L << 20;

    private GgufFormat() {
    }
}
