package dev.puna.runtime.offload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.gguf.GgmlType;
import dev.puna.gguf.GgufWriter;
import dev.puna.runtime.KvCacheType;
import dev.puna.testkit.TestModels;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The footprint is read from the GGUF tensor table and hyperparameters, tensor by tensor. */
class ModelFootprintTest {

    @Test
    void layersTheOutputAndTheTiedEmbeddingAreCountedApart(@TempDir Path dir) throws Exception {
        // Two layers of unequal size, a Q8_0 token embedding of 64 x 8 (8 rows of 2 blocks x 34 bytes = 544), no
        // output.weight (tied), an F32 output_norm (64 x 4 = 256 bytes), per-layer KV heads [2, 1].
        Path file = dir.resolve("tiny.gguf");
        GgufWriter.create()
                .putString("general.architecture", "llama")
                .putUInt32("llama.block_count", 2)
                .putUInt32("llama.embedding_length", 64)
                .putUInt32("llama.feed_forward_length", 128)
                .putUInt32("llama.attention.head_count", 4)
                .putInt32Array("llama.attention.head_count_kv", new int[] {2, 1})
                .addTensor("token_embd.weight", GgmlType.Q8_0, new long[] {64, 8}, new float[512])
                .addTensor("blk.0.attn_norm.weight", GgmlType.F32, new long[] {64}, new float[64])
                .addTensor("blk.0.attn_q.weight", GgmlType.F16, new long[] {64, 64}, new float[4096])
                .addTensor("blk.1.attn_norm.weight", GgmlType.F32, new long[] {64}, new float[64])
                .addTensor("output_norm.weight", GgmlType.F32, new long[] {64}, new float[64])
                .write(file);
        ModelFootprint f = ModelFootprint.read(file);
        assertEquals("llama", f.architecture());
        assertEquals(2, f.layerCount());
        // blk.0: 256 + 64 x 64 x 2 = 8448; blk.1: 256
        assertEquals(List.of(8448L, 256L), f.layerWeightBytes());
        assertEquals(544, f.tokenEmbeddingBytes());
        assertTrue(f.outputTied());
        // output_norm plus the duplicated token embedding a GPU would hold
        assertEquals(256 + 544, f.outputBytes());
        assertEquals(544 + 8448 + 256 + 256, f.weightBytes()); // the tied embedding counted once
        assertEquals(List.of(2, 1), f.headCountKv());
        assertEquals(16, f.keyLength()); // 64 / 4 heads
        assertEquals(8, f.vocabSize());
        // layer 0, F16: 2 heads x 16 x (K + V) x 2 bytes = 128; layer 1 at q8_0: 16 elements per row -> 0 whole
        // blocks; rows of 32 or more are how real models look, so check q8_0 on layer 0: 32/32 x 34 x 2 = 68
        assertEquals(128, f.kvBytesPerCell(0, KvCacheType.F16));
        assertEquals(64, f.kvBytesPerCell(1, KvCacheType.F16));
        assertEquals(68, f.kvBytesPerCell(0, KvCacheType.Q8_0));
    }

    @Test
    void aGeneratedModelsFootprintAddsUpToItsTensors(@TempDir Path dir) throws Exception {
        Path file = TestModels.scripted(dir, GgmlType.F32);
        dev.puna.gguf.GgufFile gguf = dev.puna.gguf.GgufFile.read(file);
        ModelFootprint f = ModelFootprint.of(gguf);
        long tensors = gguf.tensors().stream().mapToLong(dev.puna.gguf.GgufTensorInfo::byteSize).sum();
        assertEquals(tensors, f.weightBytes());
        assertFalse(f.outputTied());
        assertEquals(gguf.getLong("llama.block_count").orElseThrow(), f.layerCount());
        assertEquals(List.of(0L, 0L), f.layerExpertBytes()); // dense
        assertFalse(f.hasExperts());
    }

    @Test
    void aMixtureOfExpertsModelsExpertMatricesAreCountedPerLayer(@TempDir Path dir) throws Exception {
        // The scripted MoE model, Q8_0 (34 bytes per 32 values): per layer ffn_gate_exps and ffn_up_exps of
        // 64 x 128 x 4 experts and ffn_down_exps of 128 x 64 x 4, 32768 values each = 1024 blocks = 34816 bytes;
        // the router ffn_gate_inp (64 x 4) is not an expert matrix and stays in the layer's dense part.
        Path file = TestModels.scriptedMoe(dir);
        dev.puna.gguf.GgufFile gguf = dev.puna.gguf.GgufFile.read(file);
        ModelFootprint f = ModelFootprint.of(gguf);
        assertEquals(List.of(3 * 34_816L, 3 * 34_816L), f.layerExpertBytes());
        assertTrue(f.hasExperts());
        assertEquals(gguf.tensors().stream().mapToLong(dev.puna.gguf.GgufTensorInfo::byteSize).sum(),
                f.weightBytes());
        assertThrows(IllegalArgumentException.class, () -> new ModelFootprint("llama", List.of(10L), 0, 0,
                false, 64, 128, 4, List.of(4), 16, 16, 100, List.of(11L)));
    }
}
