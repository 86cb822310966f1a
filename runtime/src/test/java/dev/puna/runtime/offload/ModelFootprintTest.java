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
        assertEquals(gguf.getLong("llama.feed_forward_length").orElseThrow(), f.activeFeedForwardLength());
    }

    @Test
    void theActiveFeedForwardWidthCountsTheExpertsUsedAndTheSharedOnes(@TempDir Path dir) throws Exception {
        // DeepSeek-style metadata: dense leading layers 10944 wide, 6 of 64 routed experts of 1408, and 2 shared
        // experts of 1408: 6 x 1408 + 2 x 1408 = 11264, more than the dense 10944.
        assertEquals(11_264, activeWidth(dir, 10_944, 6, 1408, 1408, 2));
        // Qwen3-MoE-style: 8 experts of 768 used, no shared ones; feed_forward_length (6144) is the floor.
        assertEquals(6144, activeWidth(dir, 6144, 8, 768, 0, 0));
        assertEquals(12_288, activeWidth(dir, 6144, 16, 768, 0, 0));
        // absurd values saturate instead of overflowing, and a negative width counts as none
        assertEquals(Integer.MAX_VALUE, activeWidth(dir, 64, Integer.MAX_VALUE, Integer.MAX_VALUE, 0, 0));
        assertEquals(0, activeWidth(dir, -5, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ModelFootprint("llama", List.of(10L), 0, 0,
                false, 64, 128, 4, List.of(4), 16, 16, 100, List.of(0L), -1));
        // per-layer widths (OpenELM-style): the widest layer's activations size the buffer
        Path perLayer = dir.resolve("per-layer.gguf");
        GgufWriter.create()
                .putString("general.architecture", "llama")
                .putUInt32("llama.block_count", 2)
                .putUInt32("llama.embedding_length", 64)
                .putInt32Array("llama.feed_forward_length", new int[] {128, 512})
                .putUInt32("llama.attention.head_count", 4)
                .addTensor("token_embd.weight", GgmlType.F32, new long[] {64, 8}, new float[512])
                .write(perLayer);
        ModelFootprint f = ModelFootprint.read(perLayer);
        assertEquals(128, f.feedForwardLength());
        assertEquals(512, f.activeFeedForwardLength());
    }

    private static int activeWidth(Path dir, int ff, int used, int expertFf, int sharedFf, int shared)
            throws Exception {
        Path file = dir.resolve("moe-" + ff + "-" + used + "-" + expertFf + ".gguf");
        GgufWriter.create()
                .putString("general.architecture", "deepseek2")
                .putUInt32("deepseek2.block_count", 1)
                .putUInt32("deepseek2.embedding_length", 64)
                .putInt32("deepseek2.feed_forward_length", ff)
                .putUInt32("deepseek2.attention.head_count", 4)
                .putUInt32("deepseek2.expert_used_count", used)
                .putUInt32("deepseek2.expert_feed_forward_length", expertFf)
                .putUInt32("deepseek2.expert_shared_feed_forward_length", sharedFf)
                .putUInt32("deepseek2.expert_shared_count", shared)
                .addTensor("token_embd.weight", GgmlType.F32, new long[] {64, 8}, new float[512])
                .write(file);
        return ModelFootprint.read(file).activeFeedForwardLength();
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
        // 2 of the 4 experts per token, 128 wide each (llama's MoE names the expert width feed_forward_length)
        assertEquals(2 * 128, f.activeFeedForwardLength());
        assertThrows(IllegalArgumentException.class, () -> new ModelFootprint("llama", List.of(10L), 0, 0,
                false, 64, 128, 4, List.of(4), 16, 16, 100, List.of(11L)));
    }
}
