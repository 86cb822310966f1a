package dev.puna.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Checks encoded tensor bytes against values worked out by hand. */
class TensorEncodingTest {

    @Test
    void encodesF16AsIeeeHalfRoundingToNearestEven() throws IOException {
        float[] values = {
            1.0f, -2.0f, 65504f, 0.1f,
            1 + 0x1p-11f,     // halfway between 0x3c00 and 0x3c01: ties to the even 0x3c00
            1 + 3 * 0x1p-11f, // halfway between 0x3c01 and 0x3c02: ties to the even 0x3c02
            0x1p-24f,         // the smallest subnormal
            0f,
        };
        // 0.1 = 0x1.99999ap-4: exponent -4 + 15 = 0b01011, mantissa 0x199 rounded up to 0x19a -> 0x2e66.
        assertEquals("003c" + "00c0" + "ff7b" + "662e" + "003c" + "023c" + "0100" + "0000",
                hex(encode(GgmlType.F16, values)));
    }

    @Test
    void encodesF32LittleEndian() throws IOException {
        assertEquals("0000803f" + "000020c0", hex(encode(GgmlType.F32, new float[] {1.0f, -2.5f})));
    }

    @Test
    void encodesQ8_0WithScaleAndRoundingAwayFromZero() throws IOException {
        // max |x| = 127, so d = 1 (fp16 0x3c00) and q = roundf(x): halves round away from zero.
        float[] unitScale = new float[32];
        float[] inputs = {127, -127, 0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -2.49f, 0.49f};
        System.arraycopy(inputs, 0, unitScale, 0, inputs.length);
        byte[] expected = new byte[34];
        expected[0] = 0x00;
        expected[1] = 0x3c;
        byte[] q = {127, -127, 1, -1, 2, -2, 3, -2, 0};
        System.arraycopy(q, 0, expected, 2, q.length);
        assertArrayEquals(expected, encode(GgmlType.Q8_0, unitScale));
    }

    @Test
    void encodesQ8_0ScalesAsHalfFloats() throws IOException {
        // max |x| = 254: d = 2 (fp16 0x4000), x / d = 127, -50, 1.5 -> 2, -1.5 -> -2, 0.5 -> 1.
        float[] twoScale = new float[32];
        System.arraycopy(new float[] {254, -100, 3, -3, 1}, 0, twoScale, 0, 5);
        // max |x| = 1: d = 1/127 = 0x1.020408p-7, fp16 exponent -7 + 15 = 8, mantissa 0x008 -> 0x2008.
        float[] smallScale = new float[32];
        System.arraycopy(new float[] {1, -1, 0.25f}, 0, smallScale, 0, 3);
        float[] zero = new float[32];

        float[] row = new float[96];
        System.arraycopy(twoScale, 0, row, 0, 32);
        System.arraycopy(smallScale, 0, row, 32, 32);
        System.arraycopy(zero, 0, row, 64, 32);
        byte[] bytes = encode(GgmlType.Q8_0, row);

        assertEquals(3 * 34, bytes.length);
        assertEquals("0040" + "7fce02fe01" + "00".repeat(27), hex(Arrays.copyOfRange(bytes, 0, 34)));
        assertEquals("0820" + "7f8120" + "00".repeat(29), hex(Arrays.copyOfRange(bytes, 34, 68)));
        assertEquals("00".repeat(34), hex(Arrays.copyOfRange(bytes, 68, 102)), "an all-zero block has d = 0");
    }

    @Test
    void knowsTheBlockLayoutOfEveryType() {
        assertEquals(Optional.of(GgmlType.BF16), GgmlType.fromId(30));
        assertEquals(Optional.empty(), GgmlType.fromId(4), "Q4_2 was removed");
        assertEquals(Optional.empty(), GgmlType.fromId(43));
        assertEquals(34 * 24L, GgmlType.Q8_0.byteSize(768));
        assertEquals(210L, GgmlType.Q6_K.byteSize(256));
        assertEquals(Optional.of(GgufValueType.FLOAT64), GgufValueType.fromId(12));
        assertEquals(Optional.empty(), GgufValueType.fromId(13));
    }

    private static byte[] encode(GgmlType type, float[] row) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteSink sink = new ByteSink(Channels.newChannel(out));
        TensorEncoder.encode(type, row, sink);
        sink.flush();
        return out.toByteArray();
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
