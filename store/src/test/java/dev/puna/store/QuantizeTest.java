package dev.puna.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.gguf.GgmlType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quantizing during create, with a stand-in for llama.cpp's quantizer. */
class QuantizeTest {
    @TempDir
    Path tmp;

    /** Writes the scripted model as Q8_0: what llama_model_quantize would produce from the F32 one. */
    private Quantizer fake(List<String> calls) {
        return (input, output, type, progress) -> {
            calls.add(input.getFileName() + " -> " + type);
            progress.accept(0.5);
            Path q8 = TestGgufs.scripted(tmp.resolve("q8"), GgmlType.Q8_0);
            Files.copy(q8, output);
            progress.accept(1.0);
        };
    }

    @Test
    void f32IsQuantizedThroughTheQuantizer() throws IOException {
        List<String> calls = new ArrayList<>();
        ModelStore store = ModelStore.builder(tmp.resolve("models")).quantizer(fake(calls)).open();
        Path f32 = TestGgufs.scripted(tmp.resolve("src"), GgmlType.F32);
        store.register("base", f32, ProgressListener.NONE);
        List<Progress> progress = new ArrayList<>();
        store.create(CreateRequest.builder("base:q8_0").from("base").quantize("Q8_0").build(), progress::add);

        Digest source = store.resolve("base").manifest().layers().getFirst().digest();
        assertEquals(List.of(source.fileName() + " -> Q8_0"), calls);
        long size = Files.size(f32);
        assertEquals(new Progress("quantizing F32 model to Q8_0", null, size, 0), progress.getFirst());
        assertEquals(new Progress("quantizing F32 model to Q8_0", null, size, size), progress.get(
                (int) progress.stream().filter(p -> p.status().startsWith("quantizing")).count() - 1));
        ResolvedModel q = store.resolve("base:q8_0");
        assertEquals("Q8_0", q.details().quantizationLevel());
        assertEquals(Files.size(TestGgufs.scripted(tmp.resolve("q8"), GgmlType.Q8_0)), Files.size(q.modelPath()));
        assertTrue(progress.stream().anyMatch(p -> p.status().equals("creating new layer "
                + q.manifest().layers().getFirst().digest())));
        assertEquals("success", progress.getLast().status());
        assertEquals("F32", store.resolve("base").details().quantizationLevel(), "the source is untouched");
        assertNoTemporaryFiles(tmp.resolve("models/blobs"));
    }

    @Test
    void onlyFloatSourcesAndKnownTypesAreAccepted() throws IOException {
        ModelStore store = ModelStore.builder(tmp.resolve("models")).quantizer(fake(new ArrayList<>())).open();
        store.register("q8", TestGgufs.scripted(tmp.resolve("src"), GgmlType.Q8_0), ProgressListener.NONE);
        InvalidRequestException notFloat = assertThrows(InvalidRequestException.class, () -> store.create(
                CreateRequest.builder("x").from("q8").quantize("q4_K_M").build(), ProgressListener.NONE));
        assertEquals("quantization is only supported for F32, F16 and BF16 models, not Q8_0",
                notFloat.getMessage());
        InvalidRequestException unknown = assertThrows(InvalidRequestException.class, () -> store.create(
                CreateRequest.builder("x").from("q8").quantize("iq2_xs").build(), ProgressListener.NONE));
        assertEquals("unsupported quantization type 'iq2_xs': supported types are q4_0, q4_1, q5_0, q5_1, q8_0, "
                + "q2_K, q3_K_S, q3_K_M, q3_K_L, q4_K_S, q4_K_M, q5_K_S, q5_K_M, q6_K", unknown.getMessage());
        for (QuantizationType t : QuantizationType.values()) {
            assertEquals(t, QuantizationType.parse(t.ollamaName().toLowerCase(java.util.Locale.ROOT)));
        }
        assertThrows(InvalidRequestException.class, () -> QuantizationType.parse("f16"));
        assertEquals(QuantizationType.Q4_K_S, QuantizationType.parse("Q4_k_s"));
        assertEquals(15, QuantizationType.Q4_K_M.llamaFileType());
        // Already the requested type: nothing to do.
        store.create(CreateRequest.builder("same").from("q8").quantize("q8_0").build(), ProgressListener.NONE);
        assertEquals(store.resolve("q8").modelPath(), store.resolve("same").modelPath());
    }

    @Test
    void withoutAQuantizerItIsRefused() throws IOException {
        ModelStore store = ModelStore.open(tmp.resolve("models"));
        store.register("f16", TestGgufs.scripted(tmp.resolve("src"), GgmlType.F16), ProgressListener.NONE);
        QuantizationException e = assertThrows(QuantizationException.class, () -> store.create(
                CreateRequest.builder("x").from("f16").quantize("q8_0").build(), ProgressListener.NONE));
        assertEquals(501, e.httpStatus());
        assertThrows(ModelNotFoundException.class, () -> store.resolve("x"));
    }

    @Test
    void aBrokenQuantizerLeavesNothingBehind() throws IOException {
        Quantizer wrongType = (input, output, type, progress) -> Files.copy(input, output);
        ModelStore store = ModelStore.builder(tmp.resolve("models")).quantizer(wrongType).open();
        store.register("f32", TestGgufs.scripted(tmp.resolve("src"), GgmlType.F32), ProgressListener.NONE);
        QuantizationException wrong = assertThrows(QuantizationException.class, () -> store.create(
                CreateRequest.builder("x").from("f32").quantize("q8_0").build(), ProgressListener.NONE));
        assertEquals("the quantizer wrote a F32 file, not Q8_0", wrong.getMessage());
        assertEquals(500, wrong.httpStatus());

        Quantizer failing = (input, output, type, progress) -> {
            Files.writeString(output, "half");
            throw new IOException("llama_model_quantize returned 1");
        };
        ModelStore store2 = ModelStore.builder(tmp.resolve("models")).quantizer(failing).open();
        QuantizationException failed = assertThrows(QuantizationException.class, () -> store2.create(
                CreateRequest.builder("x").from("f32").quantize("q8_0").build(), ProgressListener.NONE));
        assertTrue(failed.getMessage().contains("llama_model_quantize returned 1"));
        assertNoTemporaryFiles(tmp.resolve("models/blobs"));
        assertFalse(store2.list().stream().anyMatch(m -> m.name().equals("x:latest")));
    }

    private static void assertNoTemporaryFiles(Path blobs) throws IOException {
        try (Stream<Path> files = Files.list(blobs)) {
            assertEquals(List.of(), files.filter(p -> !p.getFileName().toString().matches("sha256-[0-9a-f]{64}"))
                    .toList());
        }
    }
}
