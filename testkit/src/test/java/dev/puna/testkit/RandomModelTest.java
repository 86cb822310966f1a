package dev.puna.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.gguf.GgmlType;
import dev.puna.gguf.GgufFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RandomModelTest {
    private static final RandomModel SMALL = new RandomModel(1000, 2, 128, 256, 4, 2, GgmlType.F32, 7);

    @TempDir
    Path dir;

    @Test
    void writesTheSameBytesEveryTime() throws IOException {
        SMALL.write(dir.resolve("a.gguf"));
        SMALL.write(dir.resolve("b.gguf"));
        assertArrayEquals(Files.readAllBytes(dir.resolve("a.gguf")), Files.readAllBytes(dir.resolve("b.gguf")));
    }

    @Test
    void hasTheRequestedShapeAndSmallWeights() throws IOException {
        Path path = dir.resolve("small.gguf");
        SMALL.write(path);
        GgufFile file = GgufFile.read(path);

        assertEquals(1000, ((List<?>) file.metadata().get("tokenizer.ggml.tokens")).size());
        assertEquals(2, file.getLong("llama.attention.head_count_kv").orElseThrow());
        assertEquals(List.of(128L, 64L), file.tensor("blk.0.attn_v.weight").orElseThrow().dims());
        assertEquals(List.of(128L, 1000L), file.tensor("output.weight").orElseThrow().dims());

        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
        long offset = file.tensor("blk.1.ffn_up.weight").orElseThrow().offset();
        double squares = 0;
        int count = 128 * 256;
        for (int i = 0; i < count; i++) {
            squares += Math.pow(bytes.getFloat((int) offset + 4 * i), 2);
        }
        assertEquals(0.02, Math.sqrt(squares / count), 0.001);
    }

    @Test
    void describesTheBenchModel() {
        RandomModel bench = RandomModel.bench();
        assertEquals(32000, bench.vocabulary().size());
        assertEquals("puna-random-v1 vocab 32000, 12 layers, embd 768, ff 2048, 12/4 heads, Q8_0, seed 42",
                bench.name());
    }

    @Test
    void describesTheGpuBenchModel() {
        assertEquals("puna-random-v1 vocab 32000, 32 layers, embd 3072, ff 8192, 24/8 heads, Q8_0, seed 42",
                RandomModel.gpuBench().name());
        assertEquals("puna-random-v1 vocab 32000, 16 layers, embd 2048, ff 1024, 16/4 heads, Q8_0, seed 42, "
                + "32 experts (4 used)", RandomModel.gpuMoeBench().name());
    }

    @Test
    void aMixtureOfExpertsModelHasStackedExpertsAndARouter() throws IOException {
        Path path = dir.resolve("moe.gguf");
        new RandomModel(1000, 2, 128, 256, 4, 2, GgmlType.F32, 7, 8, 2).write(path);
        GgufFile file = GgufFile.read(path);
        assertEquals(8, file.getLong("llama.expert_count").orElseThrow());
        assertEquals(2, file.getLong("llama.expert_used_count").orElseThrow());
        assertEquals(List.of(128L, 8L), file.tensor("blk.1.ffn_gate_inp.weight").orElseThrow().dims());
        assertEquals(List.of(128L, 256L, 8L), file.tensor("blk.1.ffn_up_exps.weight").orElseThrow().dims());
        assertEquals(List.of(256L, 128L, 8L), file.tensor("blk.1.ffn_down_exps.weight").orElseThrow().dims());
        assertTrue(file.tensor("blk.1.ffn_up.weight").isEmpty(), "no dense feed-forward");
        assertThrows(IllegalArgumentException.class,
                () -> new RandomModel(1000, 2, 128, 256, 4, 2, GgmlType.F32, 7, 2, 3).toWriter());
    }

    @Test
    void rejectsAVocabularyTooSmallForTheFixedTokens() {
        RandomModel tiny = new RandomModel(100, 1, 64, 64, 1, 1, GgmlType.F32, 1);
        assertEquals("a vocabulary needs at least 361 tokens, not 100",
                assertThrows(IllegalArgumentException.class, tiny::vocabulary).getMessage());
    }
}
