package dev.puna.testkit;

import dev.puna.gguf.GgmlType;
import dev.puna.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A small hybrid model with random weights: llama.cpp's Jamba architecture ({@code general.architecture = jamba}),
 * whose layers are Mamba layers (a state carried from token to token) or attention layers (a KV cache), each with a
 * feed-forward block. It is what tests of the memory of hybrids (Jamba, Granite 4, Qwen3-Next, Qwen3.5) need: the
 * attention caches can be cut back to a prefix and the recurrent state cannot, so llama.cpp keeps both in one
 * memory, and saving or restoring only the part that cannot be cut back ({@code LLAMA_STATE_SEQ_FLAGS_PARTIAL_ONLY})
 * must leave the attention part as it is.
 *
 * <p>Weights as {@link RecurrentModel}'s (uniform, standard deviation 0.2, each row from its own seeded generator,
 * norms 1, skip {@code ssm_d} 1, biases 0, decay {@code ssm_a} -0.02: a long memory); F32; the vocabulary is
 * {@link RandomModel}'s for the same size.
 *
 * @param vocabSize the number of tokens
 * @param layers {@code jamba.block_count}
 * @param attentionEvery layer {@code il} is an attention layer when {@code il % attentionEvery == attentionEvery - 1},
 *     else a Mamba layer (Jamba's own checkpoints put one attention layer in eight)
 * @param embeddingLength {@code jamba.embedding_length}, a multiple of {@code heads}; the Mamba inner size is twice
 *     it (the one llama.cpp supports)
 * @param feedForwardLength {@code jamba.feed_forward_length}
 * @param heads {@code jamba.attention.head_count}
 * @param kvHeads the attention layers' {@code jamba.attention.head_count_kv} (0 for the Mamba layers)
 * @param stateSize {@code jamba.ssm.state_size}
 * @param convKernel {@code jamba.ssm.conv_kernel}
 * @param timeStepRank {@code jamba.ssm.time_step_rank}
 * @param seed the seed of every weight
 */
public record HybridModel(int vocabSize, int layers, int attentionEvery, int embeddingLength, int feedForwardLength,
        int heads, int kvHeads, int stateSize, int convKernel, int timeStepRank, long seed) {

    private static final int CONTEXT_LENGTH = 4096;
    private static final float WEIGHT_BOUND = 0.34641016f;

    public HybridModel {
        if (layers < 1 || attentionEvery < 1 || embeddingLength % heads != 0 || kvHeads < 1 || heads % kvHeads != 0
                || stateSize < 1 || convKernel < 1 || timeStepRank < 1) {
            throw new IllegalArgumentException("%d layers, attention every %d, embedding %d, %d/%d heads".formatted(
                    layers, attentionEvery, embeddingLength, heads, kvHeads));
        }
    }

    /**
     * The tests' model: vocabulary 600, 2 layers (a Mamba layer, then an attention layer), width 64 (inner 128),
     * feed-forward 128, 4 heads, 2 KV heads, state 16, kernel 4, F32.
     */
    public static HybridModel small() {
        return new HybridModel(600, 2, 2, 64, 128, 4, 2, 16, 4, 4, 17);
    }

    /** Whether layer {@code il} is an attention layer. */
    public boolean attentionLayer(int il) {
        return il % attentionEvery == attentionEvery - 1;
    }

    /** The model's {@code general.name}, spelling out every parameter. */
    public String name() {
        return "puna-jamba-v1 vocab %d, %d layers, attention every %d, embd %d, ff %d, %d/%d heads, state %d, "
                .formatted(vocabSize, layers, attentionEvery, embeddingLength, feedForwardLength, heads, kvHeads,
                        stateSize)
                + "kernel %d, rank %d, seed %d".formatted(convKernel, timeStepRank, seed);
    }

    /** A writer holding the whole model; its tensor rows are generated when it writes. */
    public GgufWriter toWriter() {
        long embd = embeddingLength;
        long inner = 2L * embeddingLength;
        long kv = (long) embeddingLength / heads * kvHeads;
        int[] kvPerLayer = new int[layers];
        for (int il = 0; il < layers; il++) {
            kvPerLayer[il] = attentionLayer(il) ? kvHeads : 0;
        }
        GgufWriter writer = GgufWriter.create()
                .putString("general.architecture", "jamba")
                .putString("general.name", name())
                .putUInt32("jamba.block_count", layers)
                .putUInt32("jamba.context_length", CONTEXT_LENGTH)
                .putUInt32("jamba.embedding_length", embeddingLength)
                .putUInt32("jamba.feed_forward_length", feedForwardLength)
                .putUInt32("jamba.attention.head_count", heads)
                .putInt32Array("jamba.attention.head_count_kv", kvPerLayer)
                .putFloat32("jamba.attention.layer_norm_rms_epsilon", 1e-5f);
        RecurrentModel.ssmKeys(writer, "jamba", convKernel, inner, stateSize, timeStepRank)
                .putUInt32("jamba.vocab_size", vocabSize)
                .putUInt32("general.file_type", 0)
                .putUInt32("general.quantization_version", 2);
        new RandomModel(vocabSize, 1, 32, 32, 1, 1, GgmlType.F32, seed).vocabulary().writeTo(writer);
        RandomTensors random = new RandomTensors(seed, WEIGHT_BOUND, GgmlType.F32);
        random.add(writer, "token_embd.weight", new long[] {embd, vocabSize});
        for (int layer = 0; layer < layers; layer++) {
            String p = "blk." + layer + ".";
            RandomTensors.constant(writer, p + "attn_norm.weight", new long[] {embd}, 1);
            if (attentionLayer(layer)) {
                random.add(writer, p + "attn_q.weight", new long[] {embd, embd});
                random.add(writer, p + "attn_k.weight", new long[] {embd, kv});
                random.add(writer, p + "attn_v.weight", new long[] {embd, kv});
                random.add(writer, p + "attn_output.weight", new long[] {embd, embd});
            } else {
                RecurrentModel.mambaLayer(writer, random, p, embd, convKernel, stateSize, timeStepRank, true);
            }
            RandomTensors.constant(writer, p + "ffn_norm.weight", new long[] {embd}, 1);
            random.add(writer, p + "ffn_gate.weight", new long[] {embd, feedForwardLength});
            random.add(writer, p + "ffn_up.weight", new long[] {embd, feedForwardLength});
            random.add(writer, p + "ffn_down.weight", new long[] {feedForwardLength, embd});
        }
        RandomTensors.constant(writer, "output_norm.weight", new long[] {embd}, 1);
        random.add(writer, "output.weight", new long[] {embd, vocabSize});
        return writer;
    }

    /** Writes the model to {@code file}, atomically. */
    public void write(Path file) throws IOException {
        toWriter().write(file);
    }
}
