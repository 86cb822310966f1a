package dev.puna.gguf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * A seeded, structure-aware mutation fuzzer for {@link GgufFile#read}, in the manner of llama.cpp's
 * {@code test-gguf} and OSS-Fuzz targets (Jazzer does not resolve in this project's repository mirror): it starts
 * from valid files written by {@link GgufWriter} (every value type, nested arrays, a vocabulary, tensors of plain
 * and quantized types, two alignments), and mutates them the ways corrupt and hostile files differ from valid ones:
 * counts, lengths, type ids, dimensions and offsets replaced by boundary values (0, 1, -1, 2^31, 2^32, 2^63-1, the
 * file size, 16 MiB, 64 Mi), random bytes, truncation, inserted, deleted and duplicated chunks, and splices of two
 * seeds. Multi-byte fields are hit where they lie: at the offsets of the header fields, at 4- and 8-byte
 * boundaries, and just after string bodies.
 *
 * <p>The property: the reader either returns a file whose tensors lie within it (aligned, packed, at most four
 * dimensions) or throws {@link GgufFormatException}; any other exception or error (an overflow, an out-of-bounds
 * index, an {@code OutOfMemoryError}, a stack overflow) is a finding. A finding is written to
 * {@code findings/} with its seed and iteration, so that it can be replayed and turned into a test.
 *
 * <p>Deterministic for a given seed and iteration count. Not thread-safe.
 */
final class GgufFuzzer {
    private static final long[] BOUNDARIES = {0, 1, 2, 3, 4, 7, 8, 31, 32, 63, 64, 255, 256, 65535, 65536,
        Integer.MAX_VALUE, 1L << 31, (1L << 32) - 1, 1L << 32, 16L << 20, (16L << 20) + 1, 64L << 20, (64L << 20) + 1,
        Long.MAX_VALUE, Long.MIN_VALUE, -1, -2, 1L << 62};

    private final Random random;
    private final List<byte[]> seeds;
    private final Path scratch;
    private final Path findings;
    private long iterations;
    private long accepted;

    /** @param scratch a file the fuzzer may overwrite for each input; findings go next to it in {@code findings/} */
    GgufFuzzer(long seed, Path scratch) throws IOException {
        this.random = new Random(seed);
        this.seeds = seeds();
        this.scratch = scratch;
        this.findings = scratch.resolveSibling("findings");
    }

    /** Valid files of every shape the reader handles. */
    static List<byte[]> seeds() throws IOException {
        List<byte[]> out = new ArrayList<>();
        out.add(bytes(GgufWriter.create()
                .putString(GgufFile.ARCHITECTURE_KEY, "llama")
                .putString("general.name", "fuzz")
                .putUInt32("llama.context_length", 256)
                .putStringArray("tokenizer.ggml.tokens", List.of("<unk>", "<s>", "</s>", "\u2581Hello", "!"))
                .putFloat32Array("tokenizer.ggml.scores", new float[] {0, 0, 0, -1.5f, -2})
                .putInt32Array("tokenizer.ggml.token_type", new int[] {2, 3, 3, 1, 1})
                .addTensor("token_embd.weight", GgmlType.F32, new long[] {4, 5}, new float[20])
                .addTensor("output.weight", GgmlType.F16, new long[] {4, 5}, new float[20])));
        out.add(bytes(GgufWriter.create()
                .putUInt8("u8", 200).putInt8("i8", (byte) -3).putUInt16("u16", 65000).putInt16("i16", (short) -7)
                .putUInt32("u32", 4_000_000_000L).putInt32("i32", -9).putUInt64("u64", -1L).putInt64("i64", 5)
                .putFloat32("f32", 0.5f).putFloat64("f64", 1e300).putBool("b", true).putString("s", "\u00e9t\u00e9")
                .putArray("nested", GgufArray.of(GgufValueType.ARRAY, GgufArray.of(GgufValueType.INT8, -1, 1),
                        GgufArray.of(GgufValueType.STRING, "a", "")))
                .putArray("empty", GgufArray.of(GgufValueType.INT16))
                .putArray("bools", GgufArray.of(GgufValueType.BOOL, true, false))));
        out.add(bytes(GgufWriter.create()
                .putUInt32(GgufFile.ALIGNMENT_KEY, 64)
                .putString(GgufFile.ARCHITECTURE_KEY, "llama")
                .addTensor("a", GgmlType.Q8_0, new long[] {32, 2}, new float[64])
                .addTensor("b", GgmlType.F32, new long[] {3}, new float[3])
                .addTensor("c", GgmlType.F32, new long[] {1, 1, 1, 2}, new float[2])));
        out.add(bytes(GgufWriter.create().putString("k", "v")));
        for (byte[] seed : out) {
            Path p = Files.createTempFile("gguf-seed", ".gguf");
            try {
                GgufFile.read(Files.write(p, seed)); // every seed is valid, or the fuzzer would start from noise
            } finally {
                Files.delete(p);
            }
        }
        return out;
    }

    private static byte[] bytes(GgufWriter writer) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.write(out);
        return out.toByteArray();
    }

    /** Inputs tried so far. */
    long iterations() {
        return iterations;
    }

    /** Inputs the reader accepted (the rest it refused with a {@link GgufFormatException}). */
    long accepted() {
        return accepted;
    }

    /**
     * Tries one more mutated input.
     *
     * @throws AssertionError describing the finding (and where its input was saved) when the property breaks
     */
    void step() throws IOException {
        byte[] input = mutate(seeds.get(random.nextInt(seeds.size())));
        iterations++;
        Files.write(scratch, input);
        try {
            GgufFile file = GgufFile.read(scratch);
            check(file, input.length);
            accepted++;
        } catch (GgufFormatException expected) {
            if (!expected.getMessage().startsWith(scratch + ": ")) {
                throw finding(input, new AssertionError("an error that does not name the file: "
                        + expected.getMessage()));
            }
        } catch (IOException | RuntimeException | Error e) {
            throw finding(input, e);
        }
    }

    private static void check(GgufFile file, long size) {
        long expected = file.dataOffset();
        for (GgufTensorInfo t : file.tensors()) {
            if (t.dims().size() > 4 || t.offset() != expected || t.offset() % file.alignment() != 0
                    || t.offset() + t.byteSize() > size || t.byteSize() < 0) {
                throw new IllegalStateException("accepted a tensor outside the rules: " + t + " in " + file);
            }
            expected = t.offset() + ((t.byteSize() + file.alignment() - 1) & -(long) file.alignment());
        }
        if (file.dataOffset() > size && !file.tensors().isEmpty()) {
            throw new IllegalStateException("data offset " + file.dataOffset() + " beyond the file (" + size + ")");
        }
    }

    private AssertionError finding(byte[] input, Throwable cause) throws IOException {
        Files.createDirectories(findings);
        Path saved = findings.resolve("finding-" + iterations + ".gguf");
        Files.write(saved, input);
        AssertionError e = new AssertionError("GGUF reader finding at iteration " + iterations + " (input saved as "
                + saved + ", first bytes " + HexFormat.of().formatHex(input, 0, Math.min(64, input.length)) + "): "
                + cause, cause);
        return e;
    }

    /** One to four mutations of {@code seed}. */
    byte[] mutate(byte[] seed) {
        byte[] b = seed.clone();
        int rounds = 1 + random.nextInt(4);
        for (int i = 0; i < rounds; i++) {
            b = switch (random.nextInt(9)) {
                case 0 -> field(b, headerOffset(), 8);
                case 1 -> field(b, aligned(b.length, 4), 4);
                case 2 -> field(b, aligned(b.length, 8), 8);
                case 3 -> field(b, random.nextInt(Math.max(1, b.length)), random.nextBoolean() ? 4 : 8);
                case 4 -> flip(b);
                case 5 -> java.util.Arrays.copyOf(b, random.nextInt(b.length + 1));
                case 6 -> chunk(b);
                case 7 -> splice(b, seeds.get(random.nextInt(seeds.size())));
                default -> typeId(b);
            };
        }
        return b;
    }

    /** The version, the tensor count, the entry count, or the first key's length. */
    private int headerOffset() {
        return new int[] {4, 8, 16, 24}[random.nextInt(4)];
    }

    private int aligned(int length, int to) {
        return length < to ? 0 : random.nextInt(length / to) * to;
    }

    /** Writes a boundary value (or one near the input's size) as a little-endian field of {@code width} bytes. */
    private byte[] field(byte[] b, int at, int width) {
        if (at + width > b.length) {
            return b;
        }
        long value = switch (random.nextInt(4)) {
            case 0 -> b.length + random.nextInt(64) - 32;
            case 1 -> BOUNDARIES[random.nextInt(BOUNDARIES.length)] + random.nextInt(3) - 1;
            default -> BOUNDARIES[random.nextInt(BOUNDARIES.length)];
        };
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        if (width == 4) {
            buf.putInt(at, (int) value);
        } else {
            buf.putLong(at, value);
        }
        return b;
    }

    /** A small type id (valid, removed or unknown) where a 4-byte type field may be. */
    private byte[] typeId(byte[] b) {
        int at = aligned(b.length, 4);
        if (at + 4 <= b.length) {
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, random.nextInt(45) - 2);
        }
        return b;
    }

    private byte[] flip(byte[] b) {
        if (b.length > 0) {
            int n = 1 + random.nextInt(8);
            for (int i = 0; i < n; i++) {
                b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
            }
        }
        return b;
    }

    /** Deletes, duplicates or inserts random bytes at a random place. */
    private byte[] chunk(byte[] b) {
        int at = random.nextInt(b.length + 1);
        int len = 1 + random.nextInt(Math.min(64, Math.max(1, b.length - at)));
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + len);
        out.write(b, 0, at);
        switch (random.nextInt(3)) {
            case 0 -> out.write(b, Math.min(b.length, at + len), Math.max(0, b.length - at - len));
            case 1 -> {
                out.write(b, at, Math.min(len, b.length - at));
                out.write(b, at, b.length - at);
            }
            default -> {
                byte[] noise = new byte[len];
                random.nextBytes(noise);
                out.write(noise, 0, noise.length);
                out.write(b, at, b.length - at);
            }
        }
        return out.toByteArray();
    }

    /** The head of {@code a} and the tail of {@code other}. */
    private byte[] splice(byte[] a, byte[] other) {
        int cut = random.nextInt(a.length + 1);
        int from = random.nextInt(other.length + 1);
        byte[] out = java.util.Arrays.copyOf(a, cut + other.length - from);
        System.arraycopy(other, from, out, cut, other.length - from);
        return out;
    }
}
