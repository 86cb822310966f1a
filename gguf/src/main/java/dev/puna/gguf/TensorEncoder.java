package dev.puna.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Set;

/** Encodes rows of floats as the tensor types {@link GgufWriter} can write. */
final class TensorEncoder {
    /** The types {@link #encode} supports. */
    static final Set<GgmlType> SUPPORTED = EnumSet.of(GgmlType.F32, GgmlType.F16, GgmlType.Q8_0);

    private static final int Q8_0_BLOCK = 32;

    private TensorEncoder() {
    }

    /** Encodes {@code row} (a whole number of blocks) as {@code type}. */
    static void encode(GgmlType type, float[] row, ByteSink sink) throws IOException {
        switch (type) {
            case F32 -> {
                for (float value : row) {
                    sink.reserve(4).putFloat(value);
                }
            }
            case F16 -> {
                for (float value : row) {
                    // Float.floatToFloat16 rounds to nearest even, as ggml's conversion does.
                    sink.reserve(2).putShort(Float.floatToFloat16(value));
                }
            }
            case Q8_0 -> {
                for (int start = 0; start < row.length; start += Q8_0_BLOCK) {
                    encodeQ8_0Block(row, start, sink.reserve(Q8_0_BLOCK + 2));
                }
            }
            default -> throw new IllegalArgumentException("cannot encode " + type);
        }
    }

    /**
     * One Q8_0 block: an fp16 scale {@code d = max|x| / 127}, then 32 int8 values {@code round(x / d)}. This follows
     * ggml's reference {@code quantize_row_q8_0_ref} step by step (float arithmetic, multiplying by the inverse
     * scale, C {@code roundf}), so the bytes match what llama.cpp's own quantizer writes.
     */
    private static void encodeQ8_0Block(float[] row, int start, ByteBuffer out) {
        float max = 0;
        for (int i = start; i < start + Q8_0_BLOCK; i++) {
            max = Math.max(max, Math.abs(row[i]));
        }
        float d = max / 127;
        float inverse = d != 0 ? 1.0f / d : 0.0f;
        out.putShort(Float.floatToFloat16(d));
        for (int i = start; i < start + Q8_0_BLOCK; i++) {
            out.put((byte) roundHalfAwayFromZero(row[i] * inverse));
        }
    }

    /**
     * C's {@code roundf}: halves round away from zero, unlike {@link Math#round}, which rounds them up. Adding the
     * half in double precision is exact for any float below 2^52, so no sum rounds up across an integer.
     */
    private static int roundHalfAwayFromZero(float value) {
        return (int) (value + Math.copySign(0.5, value));
    }
}
