package dev.puna.gguf;

import java.io.IOException;
import java.util.Objects;

/** Validation and encoding of metadata values by GGUF type, shared by scalars and array elements. */
final class MetadataValues {
    private MetadataValues() {
    }

    /**
     * Checks that {@code value} can be stored as {@code type}, so that a bad value fails when it is put, naming
     * its key, rather than in the middle of writing a file.
     */
    static void check(GgufValueType type, Object value) {
        Objects.requireNonNull(value, "GGUF values cannot be null");
        boolean valid = switch (type) {
            case UINT8 -> inRange(value, 0, 0xFF);
            case INT8 -> inRange(value, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case UINT16 -> inRange(value, 0, 0xFFFF);
            case INT16 -> inRange(value, Short.MIN_VALUE, Short.MAX_VALUE);
            case UINT32 -> inRange(value, 0, 0xFFFF_FFFFL);
            case INT32 -> inRange(value, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case UINT64, INT64 -> isInteger(value);
            case FLOAT32, FLOAT64 -> value instanceof Number;
            case BOOL -> value instanceof Boolean;
            case STRING -> value instanceof String;
            case ARRAY -> value instanceof GgufArray;
        };
        if (!valid) {
            throw new IllegalArgumentException("%s (%s) cannot be stored as %s"
                    .formatted(value, value.getClass().getSimpleName(), type));
        }
    }

    /** Writes a value already {@linkplain #check checked} against {@code type}. */
    static void write(ByteSink sink, GgufValueType type, Object value) throws IOException {
        switch (type) {
            case UINT8, INT8 -> sink.putByte(((Number) value).byteValue());
            case UINT16, INT16 -> sink.putShort(((Number) value).shortValue());
            case UINT32, INT32 -> sink.putInt(((Number) value).intValue());
            case UINT64, INT64 -> sink.putLong(((Number) value).longValue());
            case FLOAT32 -> sink.putFloat(((Number) value).floatValue());
            case FLOAT64 -> sink.putDouble(((Number) value).doubleValue());
            case BOOL -> sink.putByte((byte) ((Boolean) value ? 1 : 0));
            case STRING -> sink.putString((String) value);
            case ARRAY -> {
                GgufArray array = (GgufArray) value;
                sink.putInt(array.elementType().id());
                sink.putLong(array.elements().size());
                for (Object element : array.elements()) {
                    write(sink, array.elementType(), element);
                }
            }
        }
    }

    private static boolean isInteger(Object value) {
        return value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte;
    }

    private static boolean inRange(Object value, long min, long max) {
        return isInteger(value) && ((Number) value).longValue() >= min && ((Number) value).longValue() <= max;
    }
}
