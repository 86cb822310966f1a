package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.gguf.GgmlType;
import dev.puna.gguf.GgufFile;
import dev.puna.gguf.GgufFormatException;
import dev.puna.gguf.GgufWriter;
import dev.puna.store.Digest;
import dev.puna.store.ProgressListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed GGUF files reach the server two ways, and both are refused in Java, before llama.cpp sees the file, with
 * a 400 naming the problem (and no server path): uploaded through {@code /api/blobs} and {@code /api/create}, and
 * found in the store (a blob changed on disk after it was stored) when a request loads the model. Each case's
 * problem text is what the GGUF reader says about the same bytes, and matches the kind of damage done.
 */
@Timeout(120)
class MalformedGgufTest {
    @TempDir
    static Path dir;
    private static StoreServer s;

    @BeforeAll
    static void start() {
        s = new StoreServer(dir.resolve("models"));
    }

    @AfterAll
    static void stop() {
        if (s != null) {
            s.close();
        }
    }

    /** A small valid model-like file: an architecture, a vocabulary, two F32 tensors. */
    private static byte[] valid() {
        return write(GgufWriter.create().putString(GgufFile.ARCHITECTURE_KEY, "llama")
                .putStringArray("tokenizer.ggml.tokens", List.of("a", "b", "c"))
                .addTensor("first", GgmlType.F32, new long[] {8}, new float[8])
                .addTensor("second", GgmlType.F32, new long[] {8, 2}, new float[16]));
    }

    private static byte[] write(GgufWriter writer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writer.write(out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /** The index just after the first GGUF string {@code text} (its u64 length, then its bytes). */
    private static int after(byte[] file, String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        byte[] needle = ByteBuffer.allocate(8 + utf8.length).order(ByteOrder.LITTLE_ENDIAN).putLong(utf8.length)
                .put(utf8).array();
        for (int i = 0; i + needle.length <= file.length; i++) {
            if (Arrays.equals(file, i, i + needle.length, needle, 0, needle.length)) {
                return i + needle.length;
            }
        }
        throw new AssertionError("no '" + text + "' in the file");
    }

    private static UnaryOperator<byte[]> u32(String after, int skip, int value) {
        return f -> {
            byte[] b = f.clone();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(after(b, after) + skip, value);
            return b;
        };
    }

    private static UnaryOperator<byte[]> u64(String after, int skip, long value) {
        return f -> {
            byte[] b = f.clone();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(after(b, after) + skip, value);
            return b;
        };
    }

    private static UnaryOperator<byte[]> at(int offset, long value) {
        return f -> {
            byte[] b = f.clone();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(offset, value);
            return b;
        };
    }

    /**
     * Each damage and the problem the server must name. Tensor infos are {@code name, u32 n_dims, u64 dims..., u32
     * type, u64 offset}; metadata entries {@code key, u32 type, value}; an array value {@code u32 type, u64 count}.
     */
    static Stream<Arguments> damages() {
        return Stream.of(
                Arguments.of("magic only", (UnaryOperator<byte[]>) f -> Arrays.copyOf(f, 4),
                        "^truncated: the file ends at byte 4 while reading the header$"),
                Arguments.of("truncated data", (UnaryOperator<byte[]>) f -> Arrays.copyOf(f, f.length - 40),
                        "^truncated: tensor 'second' ends at byte \\d+ but the file has \\d+ bytes$"),
                Arguments.of("truncated header", (UnaryOperator<byte[]>) f -> Arrays.copyOf(f, after(f, "first") + 2),
                        "^truncated: the file ends at byte \\d+ while reading the info of tensor 'first'$"),
                Arguments.of("tensor count", at(8, 1L << 40),
                        "^corrupt header: 1099511627776 tensors cannot fit in the \\d+ bytes left in the file$"),
                Arguments.of("metadata count", at(16, -1),
                        "^corrupt header: 18446744073709551615 metadata entries cannot fit in the \\d+ bytes left"),
                Arguments.of("string length", at(24, 1L << 50),
                        "^the key of metadata entry #0: string length 1125899906842624 exceeds the \\d+ bytes left"),
                Arguments.of("array length", u64("tokenizer.ggml.tokens", 8, 1L << 40),
                        "^corrupt array 'tokenizer.ggml.tokens': 1099511627776 STRING elements cannot fit in the"),
                Arguments.of("misaligned offset", u64("second", 4 + 16 + 4, 33),
                        "^tensor 'second' has offset 33, which is not a multiple of the alignment 32$"),
                Arguments.of("offset not packed", u64("second", 4 + 16 + 4, 64),
                        "^tensor 'second' has offset 64, expected 32 \\(tensor data must follow in order"),
                Arguments.of("tensor past the end", u64("second", 4, 8000),
                        "^truncated: tensor 'second' ends at byte \\d+ but the file has \\d+ bytes$"),
                Arguments.of("five dimensions", u32("first", 0, 5),
                        "^tensor 'first' has 5 dimensions \\(at most 4 are allowed\\)$"),
                Arguments.of("element count overflow", (UnaryOperator<byte[]>) f -> u64("second", 12, 1L << 40).apply(
                                u64("second", 4, 1L << 40).apply(f)),
                        "^tensor 'second' is too large \\(its size overflows 64 bits\\)$"),
                Arguments.of("unknown tensor type", u32("first", 4 + 8, 99),
                        "^tensor 'first' has unknown ggml type 99$"),
                Arguments.of("unknown value type", u32(GgufFile.ARCHITECTURE_KEY, 0, 99),
                        "^metadata key 'general.architecture' has unknown value type 99$"),
                Arguments.of("architecture of the wrong type", (UnaryOperator<byte[]>) f -> write(GgufWriter.create()
                                .putUInt32(GgufFile.ARCHITECTURE_KEY, 7)),
                        "^metadata key 'general.architecture' is a UINT32, expected STRING$"),
                Arguments.of("scores shorter than the vocabulary", (UnaryOperator<byte[]>) f -> write(GgufWriter.create()
                                .putStringArray("tokenizer.ggml.tokens", List.of("a", "b", "c"))
                                .putFloat32Array("tokenizer.ggml.scores", new float[] {0, 0})),
                        "^metadata array 'tokenizer.ggml.scores' has 2 elements but 'tokenizer.ggml.tokens' has 3"));
    }

    /** What the GGUF reader itself says about {@code bytes}: the server must say exactly this. */
    private static String problem(byte[] bytes, String name, String pattern) throws IOException {
        Path file = Files.write(dir.resolve(name.replace(' ', '-') + ".gguf"), bytes);
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.read(file));
        assertTrue(Pattern.compile(pattern).matcher(e.problem()).find(), name + ": " + e.problem());
        return e.problem();
    }

    private static String errorBody(String message) throws IOException {
        return Http.JSON.writeValueAsString(java.util.Map.of("error", message));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damages")
    void anUploadedMalformedFileIsA400NamingTheProblem(String name, UnaryOperator<byte[]> damage, String pattern)
            throws IOException {
        byte[] bytes = damage.apply(valid());
        String problem = problem(bytes, name, pattern);
        Digest digest = StoreServer.digest(bytes);
        assertEquals(201, s.http.postBytes("/api/blobs/" + digest, bytes).status());
        Http.Response r = s.http.post("/api/create", "{\"model\":\"broken\",\"stream\":false,\"files\":"
                + "{\"model.gguf\":\"" + digest + "\"}}");
        assertEquals(400, r.status(), r.body());
        assertEquals(errorBody("supplied file 'model.gguf' was not in GGUF format: " + problem), r.body());
        assertTrue(!r.body().contains(dir.toString()), "no server path in " + r.body());
        assertEquals(404, s.http.post("/api/show", "{\"model\":\"broken\"}").status(), "nothing was created");
    }

    @Test
    void aValidFileIsAccepted() throws IOException {
        byte[] bytes = valid();
        GgufFile.read(Files.write(dir.resolve("valid.gguf"), bytes));
        Digest digest = StoreServer.digest(bytes);
        assertEquals(201, s.http.postBytes("/api/blobs/" + digest, bytes).status());
        Http.Response r = s.http.post("/api/create", "{\"model\":\"fine\",\"stream\":false,\"files\":"
                + "{\"model.gguf\":\"" + digest + "\"}}");
        assertEquals(200, r.status(), r.body());
    }

    @Test
    void aMalformedFileFoundInTheStoreIsA400WhenAModelLoadsIt() throws IOException {
        Path source = dir.resolve("stored.gguf");
        Files.copy(StoreServer.scripted(GgmlType.F32), source);
        s.store.register("damaged", source, ProgressListener.NONE);
        Path blob = s.store.blobPath(StoreServer.digest(source)).orElseThrow();
        // Changed on disk after it was stored (a hard link from elsewhere, another tool): cut mid-tensor.
        byte[] cut = Arrays.copyOf(Files.readAllBytes(blob), (int) (Files.size(blob) / 2));
        Files.delete(blob);
        Files.write(blob, cut);
        String problem = problem(cut, "stored-cut", "^truncated: tensor '[^']+' ends at byte \\d+ but the file has "
                + cut.length + " bytes$");

        Http.Response ollama = s.http.post("/api/generate", "{\"model\":\"damaged\",\"prompt\":\"Hello\","
                + "\"stream\":false}");
        assertEquals(400, ollama.status(), ollama.body());
        assertEquals(errorBody("model 'damaged:latest' is not a valid GGUF file: " + problem), ollama.body());
        Http.Response openAi = s.http.post("/v1/chat/completions", "{\"model\":\"damaged\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        assertEquals(400, openAi.status(), openAi.body());
        assertEquals("model 'damaged:latest' is not a valid GGUF file: " + problem,
                openAi.json().at("/error/message").asText());
        assertEquals("invalid_request_error", openAi.json().at("/error/type").asText());
        // The server is fine: the same store still serves a good model (another file: the F32 one's blob is cut).
        s.store.register("good", StoreServer.scripted(GgmlType.F16), ProgressListener.NONE);
        assertEquals(200, s.http.post("/api/generate", "{\"model\":\"good\",\"prompt\":\"Hello\",\"raw\":true,"
                + "\"stream\":false,\"options\":{\"temperature\":0}}").status());
    }
}
