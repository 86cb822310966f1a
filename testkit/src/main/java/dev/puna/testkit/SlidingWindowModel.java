package dev.puna.testkit;

import dev.puna.gguf.GgmlType;
import dev.puna.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A small model with sliding-window attention and random weights: llama.cpp's Gemma 3 architecture
 * ({@code general.architecture = gemma3}), where every {@code pattern}-th layer attends over the whole context and
 * the others over the last {@code window} positions only. It is what tests of a window-sized KV cache need: a
 * sliding-window layer keeps the cells of the last positions only, so a prefix can be reused only when the cells the
 * next token attends to are still there, and its output depends on them.
 *
 * <p>Weights as {@link RandomModel}'s (uniform, standard deviation 0.02, norms 1, each row from its own seeded
 * generator), stored as {@code type} (norms F32); the vocabulary is {@link RandomModel}'s for the same size.
 *
 * @param vocabSize the number of tokens
 * @param layers {@code gemma3.block_count}
 * @param embeddingLength {@code gemma3.embedding_length}, a multiple of {@code heads}
 * @param feedForwardLength {@code gemma3.feed_forward_length}
 * @param heads {@code gemma3.attention.head_count}
 * @param kvHeads {@code gemma3.attention.head_count_kv}, dividing {@code heads}
 * @param window {@code gemma3.attention.sliding_window}, positions a sliding-window layer attends over
 * @param pattern {@code gemma3.attention.sliding_window_pattern}: layer {@code il} attends over the whole context
 *     when {@code il % pattern == pattern - 1}, else over the window (llama.cpp's rule)
 * @param type the weights' type: F32, F16 or Q8_0
 * @param seed the seed of every weight
 */
public record SlidingWindowModel(int vocabSize, int layers, int embeddingLength, int feedForwardLength, int heads,
        int kvHeads, int window, int pattern, GgmlType type, long seed) {

    private static final int CONTEXT_LENGTH = 4096;
    private static final float WEIGHT_BOUND = 0.034641016f;

    public SlidingWindowModel {
        if (window < 1 || pattern < 1 || embeddingLength % heads != 0 || heads % kvHeads != 0
                || (type != GgmlType.F32 && type != GgmlType.F16 && type != GgmlType.Q8_0)) {
            throw new IllegalArgumentException("window %d, pattern %d, embedding %d, %d heads, %d KV heads, %s"
                    .formatted(window, pattern, embeddingLength, heads, kvHeads, type));
        }
    }

    /** The tests' model: vocabulary 600, 2 layers (the first with a window of 32 positions), width 128, F32. */
    public static SlidingWindowModel small() {
        return new SlidingWindowModel(600, 2, 128, 256, 4, 2, 32, 2, GgmlType.F32, 11);
    }

    /**
     * The checkpoint benchmark's model ({@code bench/checkpoint.sh}), Gemma 3's pattern at the CPU benchmark model's
     * size: vocabulary 32000, 12 layers (10 of them over a window of 512 positions), embedding 768, feed-forward
     * 2048, 12 heads, 4 KV heads, Q8_0 (about 130 MiB).
     */
    public static SlidingWindowModel bench() {
        return new SlidingWindowModel(32000, 12, 768, 2048, 12, 4, 512, 6, GgmlType.Q8_0, 42);
    }

    /** Whether layer {@code il} attends over the window only (llama.cpp's {@code set_swa_pattern}). */
    public boolean slidingWindowLayer(int il) {
        return il % pattern < pattern - 1;
    }

    /** The model's {@code general.name}, spelling out every parameter. */
    public String name() {
        return "puna-swa-v1 vocab %d, %d layers, embd %d, ff %d, %d/%d heads, window %d every %d, %sseed %d"
                .formatted(vocabSize, layers, embeddingLength, feedForwardLength, heads, kvHeads, window, pattern,
                        type == GgmlType.F32 ? "" : type + ", ", seed);
    }

    /** A writer holding the whole model; its tensor rows are generated when it writes. */
    public GgufWriter toWriter() {
        int headDim = embeddingLength / heads;
        GgufWriter writer = GgufWriter.create()
                .putString("general.architecture", "gemma3")
                .putString("general.name", name())
                .putUInt32("gemma3.block_count", layers)
                .putUInt32("gemma3.context_length", CONTEXT_LENGTH)
                .putUInt32("gemma3.embedding_length", embeddingLength)
                .putUInt32("gemma3.feed_forward_length", feedForwardLength)
                .putUInt32("gemma3.attention.head_count", heads)
                .putUInt32("gemma3.attention.head_count_kv", kvHeads)
                .putUInt32("gemma3.attention.key_length", headDim)
                .putUInt32("gemma3.attention.value_length", headDim)
                .putFloat32("gemma3.attention.layer_norm_rms_epsilon", 1e-6f)
                .putUInt32("gemma3.attention.sliding_window", window)
                .putUInt32("gemma3.attention.sliding_window_pattern", pattern)
                .putUInt32("gemma3.vocab_size", vocabSize)
                .putUInt32("general.file_type", switch (type) {
                    case F16 -> 1;
                    case Q8_0 -> 7;
                    default -> 0;
                })
                .putUInt32("general.quantization_version", 2);
        new RandomModel(vocabSize, 1, 32, 32, 1, 1, GgmlType.F32, seed).vocabulary().writeTo(writer);
        long embd = embeddingLength;
        long kv = (long) headDim * kvHeads;
        RandomTensors random = new RandomTensors(seed, WEIGHT_BOUND, type);
        random.add(writer, "token_embd.weight", new long[] {embd, vocabSize});
        for (int layer = 0; layer < layers; layer++) {
            String p = "blk." + layer + ".";
            RandomTensors.constant(writer, p + "attn_norm.weight", new long[] {embd}, 1);
            random.add(writer, p + "attn_q.weight", new long[] {embd, embd});
            random.add(writer, p + "attn_k.weight", new long[] {embd, kv});
            random.add(writer, p + "attn_v.weight", new long[] {embd, kv});
            random.add(writer, p + "attn_output.weight", new long[] {embd, embd});
            RandomTensors.constant(writer, p + "attn_q_norm.weight", new long[] {headDim}, 1);
            RandomTensors.constant(writer, p + "attn_k_norm.weight", new long[] {headDim}, 1);
            RandomTensors.constant(writer, p + "post_attention_norm.weight", new long[] {embd}, 1);
            RandomTensors.constant(writer, p + "ffn_norm.weight", new long[] {embd}, 1);
            random.add(writer, p + "ffn_gate.weight", new long[] {embd, feedForwardLength});
            random.add(writer, p + "ffn_up.weight", new long[] {embd, feedForwardLength});
            random.add(writer, p + "ffn_down.weight", new long[] {feedForwardLength, embd});
            RandomTensors.constant(writer, p + "post_ffw_norm.weight", new long[] {embd}, 1);
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
