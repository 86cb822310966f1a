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
        assertTrue(e.getMessage().contains("q8_0, q6_K, q5_K_M, q4_K_M, q4_K_S"), e.getMessage());
    }
}
