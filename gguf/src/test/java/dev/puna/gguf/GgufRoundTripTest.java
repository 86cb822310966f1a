package dev.puna.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class GgufRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsEveryScalarType() throws IOException {
        GgufFile file = writeAndRead(GgufWriter.create()
                .putUInt8("u8", 255)
                .putInt8("i8", (byte) -128)
                .putUInt16("u16", 65535)
                .putInt16("i16", (short) -32768)
                .putUInt32("u32", 0xFFFF_FFFFL)
                .putInt32("i32", Integer.MIN_VALUE)
                .putFloat32("f32", 0.1f)
                .putBool("bool", true)
                .putString("string", "héllo ▁😀")
                .putUInt64("u64", -1L)
                .putInt64("i64", Long.MIN_VALUE)
                .putFloat64("f64", Math.PI));

        assertEquals(List.of("u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "u64", "i64", "f64"),
                List.copyOf(file.metadata().keySet()));
        assertEquals(Map.ofEntries(
                Map.entry("u8", 255L), Map.entry("i8", -128L), Map.entry("u16", 65535L), Map.entry("i16", -32768L),
                Map.entry("u32", 0xFFFF_FFFFL), Map.entry("i32", (long) Integer.MIN_VALUE),
                Map.entry("f32", (double) 0.1f), Map.entry("bool", true), Map.entry("string", "héllo ▁😀"),
                Map.entry("u64", -1L), Map.entry("i64", Long.MIN_VALUE), Map.entry("f64", Math.PI)), file.metadata());
        List<GgufValueType> types = List.of(GgufValueType.UINT8, GgufValueType.INT8, GgufValueType.UINT16,
                GgufValueType.INT16, GgufValueType.UINT32, GgufValueType.INT32, GgufValueType.FLOAT32,
                GgufValueType.BOOL, GgufValueType.STRING, GgufValueType.UINT64, GgufValueType.INT64,
                GgufValueType.FLOAT64);
        List<String> keys = List.copyOf(file.metadata().keySet());
        for (int i = 0; i < keys.size(); i++) {
            assertEquals(Optional.of(types.get(i)), file.valueType(keys.get(i)), keys.get(i));
        }
    }

    @Test
    void roundTripsArraysOfEveryKindIncludingNestedOnes() throws IOException {
        GgufFile file = writeAndRead(GgufWriter.create()
                .putStringArray("strings", List.of("<unk>", "▁Hello", ""))
                .putInt32Array("ints", new int[] {1, -2, 3})
                .putFloat32Array("floats", new float[] {0.5f, -1.25f})
                .putArray("bytes", GgufArray.of(GgufValueType.UINT8, 0, 200, 255))
                .putArray("bools", GgufArray.of(GgufValueType.BOOL, true, false))
                .putArray("u64s", GgufArray.of(GgufValueType.UINT64, -1L, 7L))
                .putArray("doubles", GgufArray.of(GgufValueType.FLOAT64, 1e300))
                .putArray("empty", GgufArray.of(GgufValueType.INT16))
                .putArray("nested", GgufArray.of(GgufValueType.ARRAY,
                        GgufArray.of(GgufValueType.INT8, -1, 1),
                        GgufArray.of(GgufValueType.STRING, "a"))));

        assertEquals(List.of("<unk>", "▁Hello", ""), file.metadata().get("strings"));
        assertEquals(List.of(1L, -2L, 3L), file.metadata().get("ints"));
        assertEquals(List.of(0.5, -1.25), file.metadata().get("floats"));
        assertEquals(List.of(0L, 200L, 255L), file.metadata().get("bytes"));
        assertEquals(List.of(true, false), file.metadata().get("bools"));
        assertEquals(List.of(-1L, 7L), file.metadata().get("u64s"));
        assertEquals(List.of(1e300), file.metadata().get("doubles"));
        assertEquals(List.of(), file.metadata().get("empty"));
        assertEquals(List.of(List.of(-1L, 1L), List.of("a")), file.metadata().get("nested"));
        assertEquals(Optional.of(GgufValueType.ARRAY), file.valueType("nested"));
    }

    @Test
    void typedGettersCheckTheType() throws IOException {
        GgufFile file = writeAndRead(GgufWriter.create()
                .putString(GgufFile.ARCHITECTURE_KEY, "llama")
                .putUInt32("llama.block_count", 2)
                .putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
                .putBool("tokenizer.ggml.add_bos_token", true));

        assertEquals(Optional.of("llama"), file.architecture());
        assertEquals(OptionalLong.of(2), file.getLong("llama.block_count"));
        assertEquals(OptionalDouble.of(1e-5f), file.getDouble("llama.attention.layer_norm_rms_epsilon"));
        assertEquals(Optional.of(true), file.getBoolean("tokenizer.ggml.add_bos_token"));
        assertEquals(OptionalLong.empty(), file.getLong("absent"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> file.getLong("general.architecture"));
        assertEquals(file.path() + ": metadata key 'general.architecture' holds STRING, not an integer",
                e.getMessage());
    }

    @Test
    void writesTensorsAlignedWithTheirDataAtTheReportedOffsets() throws IOException {
        float[] values = new float[3 * 8];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5f;
        }
        Path path = dir.resolve("tensors.gguf");
        GgufWriter.create()
                .putString("general.name", "t")
                .addTensor("first", GgmlType.F32, new long[] {8, 3}, values)
                .addTensor("second", GgmlType.Q8_0, new long[] {32, 2}, (row, out) -> Arrays.fill(out, row))
                .addTensor("third", GgmlType.F16, new long[] {4}, new float[] {1, 2, 3, 4})
                .write(path);

        GgufFile file = GgufFile.read(path);
        assertEquals(3, file.version());
        assertEquals(32, file.alignment());
        assertEquals(0, file.dataOffset() % 32);
        List<GgufTensorInfo> tensors = file.tensors();
        assertEquals(new GgufTensorInfo("first", List.of(8L, 3L), GgmlType.F32, file.dataOffset(), 96), tensors.get(0));
        assertEquals(new GgufTensorInfo("second", List.of(32L, 2L), GgmlType.Q8_0, file.dataOffset() + 96, 68),
                tensors.get(1));
        assertEquals(new GgufTensorInfo("third", List.of(4L), GgmlType.F16, file.dataOffset() + 96 + 96, 8),
                tensors.get(2));
        assertEquals(file.dataOffset() + 96 + 96 + 32, Files.size(path));

        ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < values.length; i++) {
            assertEquals(values[i], data.getFloat((int) tensors.get(0).offset() + 4 * i));
        }
        assertEquals(Float.floatToFloat16(1f / 127), data.getShort((int) tensors.get(1).offset() + 34));
        assertEquals(Float.floatToFloat16(3), data.getShort((int) tensors.get(2).offset() + 4));
    }

    @Test
    void writesIdenticalBytesEveryTimeAndLeavesNoTemporaryFile() throws IOException {
        GgufWriter writer = GgufWriter.create()
                .putUInt32(GgufFile.ALIGNMENT_KEY, 64)
                .addTensor("w", GgmlType.Q8_0, new long[] {64, 4}, (row, out) -> {
                    for (int i = 0; i < out.length; i++) {
                        out[i] = (float) Math.sin(row * 64 + i);
                    }
                });
        writer.write(dir.resolve("a.gguf"));
        writer.write(dir.resolve("b.gguf"));
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        writer.write(stream);

        byte[] bytes = Files.readAllBytes(dir.resolve("a.gguf"));
        assertArrayEquals(bytes, Files.readAllBytes(dir.resolve("b.gguf")));
        assertArrayEquals(bytes, stream.toByteArray());
        assertEquals(64, GgufFile.read(dir.resolve("a.gguf")).alignment());
        try (var files = Files.list(dir)) {
            assertEquals(List.of("a.gguf", "b.gguf"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void rejectsInvalidPutsAndTensors() {
        GgufWriter writer = GgufWriter.create().putString("k", "v");
        assertMessage("metadata key 'k' is already set", () -> writer.putString("k", "again"));
        assertMessage("metadata key 'u8': 256 (Integer) cannot be stored as UINT8", () -> writer.putUInt8("u8", 256));
        assertMessage("general.alignment must be a UINT32 power of 2 up to 2^30",
                () -> writer.putUInt32(GgufFile.ALIGNMENT_KEY, 48));
        assertMessage("1 (Integer) cannot be stored as STRING", () -> GgufArray.of(GgufValueType.STRING, "a", 1));
        assertMessage("tensor 'q': a row of 16 elements is not a whole number of Q8_0 blocks",
                () -> writer.addTensor("q", GgmlType.Q8_0, new long[] {16}, new float[16]));
        assertMessage("tensor 'k': writing Q4_0 is not supported (only [F32, F16, Q8_0])",
                () -> writer.addTensor("k", GgmlType.Q4_0, new long[] {32}, new float[32]));
        assertMessage("tensor 'w' has 8 elements but 7 values were given",
                () -> writer.addTensor("w", GgmlType.F32, new long[] {4, 2}, new float[7]));
        writer.addTensor("w", GgmlType.F32, new long[] {4}, new float[4]);
        assertMessage("tensor 'w' is already added",
                () -> writer.addTensor("w", GgmlType.F32, new long[] {4}, new float[4]));
    }

    private GgufFile writeAndRead(GgufWriter writer) throws IOException {
        Path path = dir.resolve("model.gguf");
        writer.write(path);
        return GgufFile.read(path);
    }

    private static void assertMessage(String expected, Executable executable) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, executable).getMessage());
    }
}
