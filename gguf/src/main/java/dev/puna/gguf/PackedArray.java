package dev.puna.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * An immutable list over the raw little-endian bytes of a numeric or boolean GGUF array, boxing each element as it
 * is read. A tokenizer's scores or token types (tens of thousands of elements) then cost their file size in memory,
 * not a boxed object per element.
 */
final class PackedArray extends AbstractList<Object> implements RandomAccess {
    private final GgufValueType type;
    private final ByteBuffer bytes;
    private final int size;

    PackedArray(GgufValueType type, byte[] bytes) {
        this.type = type;
        this.bytes = ByteBuffer.wrap(bytes).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        this.size = bytes.length / type.fixedSize();
    }

    @Override
    public Object get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " of " + size);
        }
        return decode(type, bytes, index * type.fixedSize());
    }

    @Override
    public int size() {
        return size;
    }

    /** Decodes the fixed-size value of {@code type} at byte {@code at} as the boxed type {@link GgufFile} exposes. */
    static Object decode(GgufValueType type, ByteBuffer bytes, int at) {
        return switch (type) {
            case UINT8 -> (long) Byte.toUnsignedInt(bytes.get(at));
            case INT8 -> (long) bytes.get(at);
            case UINT16 -> (long) Short.toUnsignedInt(bytes.getShort(at));
            case INT16 -> (long) bytes.getShort(at);
            case UINT32 -> Integer.toUnsignedLong(bytes.getInt(at));
            case INT32 -> (long) bytes.getInt(at);
            case UINT64, INT64 -> bytes.getLong(at);
            case FLOAT32 -> (double) bytes.getFloat(at);
            case FLOAT64 -> bytes.getDouble(at);
            case BOOL -> bytes.get(at) != 0;
            case STRING, ARRAY -> throw new IllegalArgumentException(type + " values have no fixed size");
        };
    }
}
