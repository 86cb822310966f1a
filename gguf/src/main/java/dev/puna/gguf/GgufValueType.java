package dev.puna.gguf;

import java.util.Optional;

/**
 * The types a GGUF metadata value can have ({@code enum gguf_type} in {@code gguf.h}); the constant's ordinal is
 * the id stored in the file.
 */
public enum GgufValueType {
    /** Unsigned 8-bit integer. */
    UINT8(1),
    /** Signed 8-bit integer. */
    INT8(1),
    /** Unsigned 16-bit integer. */
    UINT16(2),
    /** Signed 16-bit integer. */
    INT16(2),
    /** Unsigned 32-bit integer. */
    UINT32(4),
    /** Signed 32-bit integer. */
    INT32(4),
    /** 32-bit IEEE float. */
    FLOAT32(4),
    /** A boolean stored as one byte, 0 or 1. */
    BOOL(1),
    /** A UTF-8 string: a uint64 byte count followed by the bytes, without a terminator. */
    STRING(-1),
    /** An array: a uint32 element type, a uint64 element count, then the elements. */
    ARRAY(-1),
    /** Unsigned 64-bit integer. */
    UINT64(8),
    /** Signed 64-bit integer. */
    INT64(8),
    /** 64-bit IEEE double. */
    FLOAT64(8);

    private static final GgufValueType[] VALUES = values();

    private final int fixedSize;

    GgufValueType(int fixedSize) {
        this.fixedSize = fixedSize;
    }

    /**
     * Looks a type up by the id stored in the file.
     *
     * @return the type, or empty for an id the GGUF specification does not define
     */
    public static Optional<GgufValueType> fromId(int id) {
        return id >= 0 && id < VALUES.length ? Optional.of(VALUES[id]) : Optional.empty();
    }

    /** The id stored in the file. */
    public int id() {
        return ordinal();
    }

    /** Whether values of this type always take the same number of bytes (every type but strings and arrays). */
    public boolean isFixedSize() {
        return fixedSize > 0;
    }

    /**
     * The number of bytes one value of this type takes.
     *
     * @throws IllegalStateException for {@link #STRING} and {@link #ARRAY}, whose size varies
     */
    public int fixedSize() {
        if (fixedSize < 0) {
            throw new IllegalStateException(this + " values have no fixed size");
        }
        return fixedSize;
    }

    /**
     * The fewest bytes a value of this type can take in a file: how a reader bounds element counts by the bytes
     * left in the file before trusting them.
     */
    int minimumSize() {
        return switch (this) {
            case STRING -> 8;
            case ARRAY -> 4 + 8;
            default -> fixedSize;
        };
    }
}
