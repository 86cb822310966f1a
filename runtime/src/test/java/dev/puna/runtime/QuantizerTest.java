package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.gguf.GgmlType;
import dev.puna.gguf.GgufFile;
import dev.puna.gguf.GgufTensorInfo;
import dev.puna.testkit.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizerTest {
    @TempDir
    Path dir;

    @Test
    void q8_0QuantizationKeepsTheScriptedOutput() throws Exception {
        Path out = dir.resolve("q8.gguf");
        Quantizer.quantize(Models.scripted(GgmlType.F32), out, Quantization.Q8_0, 2);
        GgufFile gguf = GgufFile.read(out);
        assertEquals(GgmlType.Q8_0, gguf.tensor("blk.0.attn_q.weight").orElseThrow().type());
        try (Model m = Model.load(out); Session s = m.newSession(Models.session())) {
            assertEquals("Q8_0", m.info().quantization());
            assertEquals(TestModels.HELLO_COMPLETION, s.generate(Models.greedy(TestModels.HELLO_PROMPT)).text());
        }
    }

    @Test
    void kQuantsFallBackWhereRowsAreTooShortAndStillLoad() throws Exception {
        Path out = dir.resolve("q4km.gguf");
        Quantizer.quantize(Models.scripted(GgmlType.F16), out, Quantization.parse("Q4_K_M"), 0);
        try (Model m = Model.load(out)) {
            assertEquals("Q4_K - Medium", m.info().quantization());
        }
        // The scripted model's rows (64 wide) are shorter than a k-quant block (256): llama.cpp falls back to
        // another type for those tensors rather than failing.
        for (GgufTensorInfo t : GgufFile.read(out).tensors()) {
            assertTrue(t.type() != GgmlType.F16 || t.dims().size() == 1, t.name() + " left unquantized");
        }
    }

    @Test
    void onlyUnquantizedModelsAreAccepted() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> Quantizer.quantize(Models.scripted(GgmlType.Q8_0), dir.resolve("x.gguf"), Quantization.Q4_K_S, 1));
        assertTrue(e.getMessage().contains("already quantized"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("x.gguf")));
        assertThrows(ModelLoadException.class,
                () -> Quantizer.quantize(dir.resolve("missing.gguf"), dir.resolve("y.gguf"), Quantization.Q8_0, 1));
        assertThrows(ModelLoadException.class,
                () -> Quantizer.quantize(dir, dir.resolve("y.gguf"), Quantization.Q8_0, 1));
    }

    @Test
    void namesParseCaseInsensitivelyAndUnknownOnesAreNamed() {
        assertEquals(Quantization.Q4_K_M, Quantization.parse("q4_k_m"));
        assertEquals(Quantization.Q8_0, Quantization.parse("Q8_0"));
        assertEquals("q4_K_S", Quantization.Q4_K_S.ollamaName());
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> Quantization.parse("q3_x"));
        assertEquals("quantize", e.parameter());
        assertTrue(e.getMessage().contains("supported: q4_0, q4_1, q5_0, q5_1, q8_0, q2_K, q3_K_S, q3_K_M, q3_K_L, "
                + "q4_K_S, q4_K_M, q5_K_S, q5_K_M, q6_K"), e.getMessage());
    }

    @Test
    void everyOllamaTypeQuantizesToItsFileType() throws Exception {
        Path source = Models.scripted(GgmlType.F16);
        long[] expected = {2, 3, 8, 9, 7, 10, 11, 12, 13, 14, 15, 16, 17, 18};
        Quantization[] types = Quantization.values();
        assertEquals(expected.length, types.length);
        for (int i = 0; i < types.length; i++) {
            Path out = dir.resolve(types[i].ollamaName() + ".gguf");
            Quantizer.quantize(source, out, types[i], 2);
            assertEquals(expected[i], GgufFile.read(out).getLong("general.file_type").orElseThrow(),
                    types[i].ollamaName());
            assertEquals(types[i], Quantization.parse(types[i].ollamaName().toUpperCase(java.util.Locale.ROOT)));
        }
        for (String source32 : new String[] {"f16", "f32", "bf16", "iq2_xs", "q4_k"}) {
            assertThrows(InvalidParameterException.class, () -> Quantization.parse(source32), source32);
        }
    }

    @Test
    void aChildProcessQuantizesLikeTheInProcessQuantizer() throws Exception {
        Path inProcess = dir.resolve("in.gguf");
        Path child = dir.resolve("child.gguf");
        Quantizer.quantize(Models.scripted(GgmlType.F32), inProcess, Quantization.Q8_0, 2);
        Quantizer.quantizeInChildProcess(Models.scripted(GgmlType.F32), child, Quantization.Q8_0, 2);
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(inProcess), Files.readAllBytes(child)));
        InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> Quantizer
                .quantizeInChildProcess(Models.scripted(GgmlType.Q8_0), dir.resolve("x.gguf"), Quantization.Q4_0, 1));
        assertTrue(e.getMessage().contains("already quantized"), e.getMessage());
        assertEquals(0, ProcessHandle.current().descendants().count());
    }

    /**
     * An interrupt kills the child mid-quantization: the call throws InterruptedException (it would have returned
     * had the quantization finished) only once the child is gone, and no process or quantizing thread is left.
     */
    @Test
    void anInterruptedChildQuantizationLeavesNothingRunning() throws Exception {
        Path source = TestModels.quantizable(Models.DIR);
        Path out = dir.resolve("cancelled.gguf");
        java.util.concurrent.atomic.AtomicReference<Throwable> outcome = new java.util.concurrent.atomic.AtomicReference<>();
        Thread worker = new Thread(() -> {
            try {
                Quantizer.quantizeInChildProcess(source, out, Quantization.Q3_K_M, 1);
            } catch (Throwable t) {
                outcome.set(t);
            }
        }, "quantize-under-test");
        worker.start();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        // llama.cpp creates the output when it starts quantizing; then it is busy for seconds.
        while (!(Files.exists(out) && Files.size(out) > 0) && worker.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(Files.exists(out), "the child never started writing");
        List<ProcessHandle> children = ProcessHandle.current().children().toList();
        assertEquals(1, children.size(), children.toString());
        worker.interrupt();
        worker.join(30_000);
        assertTrue(!worker.isAlive(), "the quantizing thread is still running");
        assertTrue(outcome.get() instanceof InterruptedException, String.valueOf(outcome.get()));
        assertTrue(!children.getFirst().isAlive(), "the child survived");
        assertEquals(0, ProcessHandle.current().descendants().count());
    }
}
