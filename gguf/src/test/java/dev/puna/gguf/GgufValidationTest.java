package dev.puna.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufValidationTest {
    private static final int F32 = GgmlType.F32.id();

    @TempDir
    Path dir;

    @Test
    void rejectsAFileThatIsNotGguf() throws IOException {
        Path elf = Files.write(dir.resolve("model.gguf"), new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        assertError(elf, "not a GGUF file (magic 0x464c457f)");
    }

    @Test
    void rejectsAFileShorterThanTheMagic() throws IOException {
        Path empty = Files.write(dir.resolve("empty.gguf"), new byte[2]);
        assertError(empty, "not a GGUF file (only 2 bytes long)");
    }

    @Test
    void rejectsUnsupportedVersions() throws IOException {
        assertError(RawGguf.header(1, 0, 0).writeTo(dir.resolve("v1.gguf")),
                "unsupported GGUF version 1 (supported: 2 and 3)");
        assertError(RawGguf.header(0x03000000, 0, 0).writeTo(dir.resolve("be.gguf")),
                "GGUF version 0x03000000: a big-endian file? only little-endian GGUF is supported");
    }

    @Test
    void acceptsVersion2() throws IOException {
        GgufFile file = GgufFile.read(RawGguf.header(2, 0, 1).u32Entry("a", 7).writeTo(dir.resolve("v2.gguf")));
        assertEquals(2, file.version());
        assertEquals(7L, file.metadata().get("a"));
    }

    @Test
    void reportsATruncatedHeader() throws IOException {
        Path file = RawGguf.header(3, 0, 2).u32Entry("a", 1).string("b").u32(GgufValueType.UINT64.id()).u32(5)
                .writeTo(dir.resolve("cut.gguf"));
        assertError(file, "truncated: the file ends at byte %d while reading the value of metadata key 'b'"
                .formatted(Files.size(file)));
    }

    @Test
    void reportsATruncatedTensorInfo() throws IOException {
        Path file = RawGguf.header(3, 1, 0).string("w").u32(2).u64(32).writeTo(dir.resolve("cut.gguf"));
        assertError(file, "truncated: the file ends at byte 45 while reading the info of tensor 'w'");
    }

    @Test
    void reportsTruncatedTensorData() throws IOException {
        Path file = RawGguf.header(3, 2, 0)
                .tensor("a", F32, 0, 8)
                .tensor("output.weight", F32, 32, 32, 2)
                .pad(32).zeros(32 + 100)
                .writeTo(dir.resolve("model.gguf"));
        GgufFile intact = GgufFile.read(RawGguf.header(3, 2, 0)
                .tensor("a", F32, 0, 8)
                .tensor("output.weight", F32, 32, 32, 2)
                .pad(32).zeros(32 + 256)
                .writeTo(dir.resolve("intact.gguf")));
        long end = intact.dataOffset() + 32 + 256;
        assertError(file, "truncated: tensor 'output.weight' ends at byte %d but the file has %d bytes"
                .formatted(end, end - 156));
    }

    @Test
    void reportsAMissingDataSection() throws IOException {
        Path file = RawGguf.header(3, 1, 0).tensor("w", F32, 0, 8).writeTo(dir.resolve("nodata.gguf"));
        assertError(file, "truncated: the tensor data starts at byte 64 but the file has 57 bytes");
    }

    @Test
    void rejectsAbsurdCountsWithoutAllocating() throws IOException {
        assertError(RawGguf.header(3, Long.MAX_VALUE, 0).writeTo(dir.resolve("tensors.gguf")),
                "corrupt header: 9223372036854775807 tensors cannot fit in the 8 bytes left in the file");
        assertError(RawGguf.header(3, 0, -1).writeTo(dir.resolve("entries.gguf")),
                "corrupt header: 18446744073709551615 metadata entries cannot fit in the 0 bytes left in the file");
        assertError(RawGguf.header(3, 0, 1).string("tokens").u32(GgufValueType.ARRAY.id())
                        .u32(GgufValueType.STRING.id()).u64(1L << 60).u64(0).writeTo(dir.resolve("array.gguf")),
                "corrupt array 'tokens': 1152921504606846976 STRING elements cannot fit in the 8 bytes left in"
                        + " the file");
        assertError(RawGguf.header(3, 0, 1).string("scores").u32(GgufValueType.ARRAY.id())
                        .u32(GgufValueType.FLOAT32.id()).u64(3).u32(0).writeTo(dir.resolve("floats.gguf")),
                "corrupt array 'scores': 3 FLOAT32 elements cannot fit in the 4 bytes left in the file");
        assertError(RawGguf.header(3, 0, 1).string("name").u32(GgufValueType.STRING.id()).u64(1L << 40)
                        .writeTo(dir.resolve("string.gguf")),
                "the value of metadata key 'name': string length 1099511627776 exceeds the 0 bytes left in the file");
    }

    @Test
    void rejectsArraysNestedTooDeeply() throws IOException {
        RawGguf raw = RawGguf.header(3, 0, 1).string("deep").u32(GgufValueType.ARRAY.id());
        for (int i = 0; i < 9; i++) {
            raw.u32(GgufValueType.ARRAY.id()).u64(1);
        }
        assertError(raw.u32(GgufValueType.UINT8.id()).u64(0).writeTo(dir.resolve("deep.gguf")),
                "metadata key 'deep' nests arrays more than 8 deep");
    }

    @Test
    void rejectsUnknownTypes() throws IOException {
        assertError(RawGguf.header(3, 1, 0).tensor("w", 99, 0, 8).pad(32).zeros(32)
                .writeTo(dir.resolve("t99.gguf")), "tensor 'w' has unknown ggml type 99");
        assertError(RawGguf.header(3, 1, 0).tensor("w", 31, 0, 32).pad(32).zeros(32)
                .writeTo(dir.resolve("removed.gguf")), "tensor 'w' has unknown ggml type 31");
        assertError(RawGguf.header(3, 0, 1).string("k").u32(13).u32(0).writeTo(dir.resolve("v13.gguf")),
                "metadata key 'k' has unknown value type 13");
    }

    @Test
    void rejectsDuplicates() throws IOException {
        assertError(RawGguf.header(3, 0, 2).u32Entry("a", 1).u32Entry("a", 2).writeTo(dir.resolve("keys.gguf")),
                "duplicate metadata key 'a'");
        assertError(RawGguf.header(3, 2, 0).tensor("w", F32, 0, 8).tensor("w", F32, 32, 8).pad(32).zeros(64)
                .writeTo(dir.resolve("tensors.gguf")), "duplicate tensor name 'w'");
    }

    @Test
    void rejectsBadTensorShapesAndOffsets() throws IOException {
        assertError(RawGguf.header(3, 1, 0).tensor("w", F32, 8, 8).pad(32).zeros(64)
                        .writeTo(dir.resolve("misaligned.gguf")),
                "tensor 'w' has offset 8, which is not a multiple of the alignment 32");
        assertError(RawGguf.header(3, 1, 0).tensor("q", GgmlType.Q8_0.id(), 0, 16).pad(32).zeros(64)
                        .writeTo(dir.resolve("partial-block.gguf")),
                "tensor 'q' of type Q8_0 has rows of 16 elements, not a multiple of its block size 32");
        assertError(RawGguf.header(3, 1, 0).tensor("w", F32, 0, 1, 1, 1, 1, 1).writeTo(dir.resolve("5d.gguf")),
                "tensor 'w' has 5 dimensions (at most 4 are allowed)");
        assertError(RawGguf.header(3, 1, 0).tensor("w", F32, 0, 1L << 40, 1L << 40).writeTo(dir.resolve("huge.gguf")),
                "tensor 'w' is too large (its size overflows 64 bits)");
        assertError(RawGguf.header(3, 1, 0).tensor("x".repeat(64), F32, 0, 8).writeTo(dir.resolve("name.gguf")),
                "tensor #0 name '%s' is longer than 63 bytes".formatted("x".repeat(64)));
    }

    @Test
    void rejectsTensorsThatAreNotPackedInOrder() throws IOException {
        assertError(RawGguf.header(3, 1, 0).tensor("w", F32, 32, 8).pad(32).zeros(64)
                        .writeTo(dir.resolve("gap.gguf")),
                "tensor 'w' has offset 32, expected 0 (tensor data must follow in order, each padded to the alignment "
                        + "of 32)");
        assertError(RawGguf.header(3, 2, 0).tensor("a", F32, 32, 8).tensor("b", F32, 0, 8).pad(32).zeros(64)
                        .writeTo(dir.resolve("swapped.gguf")),
                "tensor 'a' has offset 32, expected 0 (tensor data must follow in order, each padded to the alignment "
                        + "of 32)");
        // Overlapping: b starts inside a (a's 40 bytes pad to 64).
        assertError(RawGguf.header(3, 2, 0).tensor("a", F32, 0, 10).tensor("b", F32, 32, 8).pad(32).zeros(128)
                        .writeTo(dir.resolve("overlap.gguf")),
                "tensor 'b' has offset 32, expected 64 (tensor data must follow in order, each padded to the "
                        + "alignment of 32)");
        GgufFile packed = GgufFile.read(RawGguf.header(3, 2, 0).tensor("a", F32, 0, 10).tensor("b", F32, 64, 8)
                .pad(32).zeros(96).writeTo(dir.resolve("packed.gguf")));
        assertEquals(2, packed.tensors().size());
    }

    @Test
    void boundsStringsAndArraysAsOllamaDoes() throws IOException {
        // Both fit in the (sparse) file; the limits refuse them before a byte of them is read.
        Path string = RawGguf.header(3, 0, 1).string("k").u32(GgufValueType.STRING.id()).u64((16 << 20) + 1)
                .writeTo(dir.resolve("long-string.gguf"));
        extend(string, (16 << 20) + 64);
        assertError(string, "the value of metadata key 'k': string length 16777217 is larger than the limit of "
                + "16777216 bytes");
        Path array = RawGguf.header(3, 0, 1).string("k").u32(GgufValueType.ARRAY.id()).u32(GgufValueType.UINT8.id())
                .u64((64L << 20) + 1).writeTo(dir.resolve("long-array.gguf"));
        extend(array, (64L << 20) + 64);
        assertError(array, "array 'k' has 67108865 elements, more than the limit of 67108864");
    }

    private static void extend(Path file, long size) throws IOException {
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
    }

    @Test
    void rejectsKeysLlamaCppWouldMisreadOrAbortOn() throws IOException {
        assertError(RawGguf.header(3, 0, 1).u32Entry(GgufFile.ARCHITECTURE_KEY, 7).writeTo(dir.resolve("arch.gguf")),
                "metadata key 'general.architecture' is a UINT32, expected STRING");
        assertError(RawGguf.header(3, 0, 1).string("adapter.lora.alpha").u32(GgufValueType.STRING.id()).string("x")
                .writeTo(dir.resolve("alpha.gguf")), "metadata key 'adapter.lora.alpha' is a STRING, expected FLOAT32");
        assertError(RawGguf.header(3, 0, 1).string("tokenizer.ggml.scores").u32(GgufValueType.ARRAY.id())
                        .u32(GgufValueType.STRING.id()).u64(1).string("0.5").writeTo(dir.resolve("scores.gguf")),
                "metadata key 'tokenizer.ggml.scores' is a ARRAY of STRING, expected ARRAY of FLOAT32 or ARRAY of "
                        + "INT32");
        assertError(RawGguf.header(3, 0, 1).string("tokenizer.ggml.tokens").u32(GgufValueType.ARRAY.id())
                        .u32(GgufValueType.INT32.id()).u64(0).writeTo(dir.resolve("tokens.gguf")),
                "metadata key 'tokenizer.ggml.tokens' is a ARRAY of INT32, expected ARRAY of STRING");
        assertError(RawGguf.header(3, 0, 2).string("tokenizer.ggml.tokens").u32(GgufValueType.ARRAY.id())
                        .u32(GgufValueType.STRING.id()).u64(2).string("a").string("b")
                        .string("tokenizer.ggml.token_type").u32(GgufValueType.ARRAY.id())
                        .u32(GgufValueType.INT32.id()).u64(1).u32(1).writeTo(dir.resolve("types.gguf")),
                "metadata array 'tokenizer.ggml.token_type' has 1 elements but 'tokenizer.ggml.tokens' has 2 tokens");
    }

    @Test
    void honoursAndValidatesTheAlignment() throws IOException {
        GgufFile aligned = GgufFile.read(RawGguf.header(3, 1, 1).u32Entry(GgufFile.ALIGNMENT_KEY, 64)
                .tensor("w", F32, 0, 8).pad(64).zeros(32).writeTo(dir.resolve("a64.gguf")));
        assertEquals(64, aligned.alignment());
        assertEquals(128, aligned.dataOffset());
        assertEquals(128, aligned.tensors().getFirst().offset());

        assertError(RawGguf.header(3, 0, 1).u32Entry(GgufFile.ALIGNMENT_KEY, 48).writeTo(dir.resolve("a48.gguf")),
                "general.alignment 48 is not a power of 2");
        assertError(RawGguf.header(3, 0, 1).string(GgufFile.ALIGNMENT_KEY).u32(GgufValueType.UINT64.id()).u64(64)
                .writeTo(dir.resolve("a-u64.gguf")), "general.alignment must be a UINT32, not a UINT64");
    }

    @Test
    void parsesLargeFilesWithoutReadingTheirData() throws IOException {
        Path file = RawGguf.header(3, 1, 0).tensor("big", F32, 0, 1024, 1024, 256).pad(32)
                .writeTo(dir.resolve("big.gguf"));
        long size = Files.size(file) + 1024L * 1024 * 256 * 4;
        try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
            sparse.setLength(size);
        }
        GgufTensorInfo big = GgufFile.read(file).tensors().getFirst();
        assertEquals(size, big.offset() + big.byteSize());
    }

    @Test
    void namesADirectory() {
        FileSystemException e = assertThrows(FileSystemException.class, () -> GgufFile.read(dir));
        assertEquals(dir + ": is a directory, not a GGUF file", e.getMessage());
    }

    @Test
    void namesAMissingFile() {
        Path missing = dir.resolve("missing.gguf");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> GgufFile.read(missing));
        assertEquals(missing + ": no such GGUF file", e.getMessage());
    }

    private static void assertError(Path file, String expected) {
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.read(file));
        assertEquals(file + ": " + expected, e.getMessage());
    }
}
