package dev.puna.testkit;

import dev.puna.gguf.GgmlType;
import dev.puna.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A llama-architecture model of realistic shape with random weights, for benchmarks: its output is noise, but it
 * costs llama.cpp what a real model of its size would.
 *
 * <p>Weights are uniform with standard deviation 0.02 (the usual initialization scale, which keeps activations
 * finite through every layer); norm weights are 1 and stored as F32. The vocabulary is the fixed {@link Vocabulary}
 * tokens followed by synthetic pieces {@code ▁a .. ▁z, ▁aa ..}, generated shortest first so that every prefix of a
 * piece is a token too. Each tensor row comes from its own seeded generator, so the same model always produces the
 * same bytes, and rows are generated while the file is written instead of being held in memory.
 *
 * @param vocabSize the number of tokens, at least the fixed tokens of {@link Vocabulary}
 * @param layers {@code llama.block_count}
 * @param embeddingLength {@code llama.embedding_length}, a multiple of 32 and of {@code heads}
 * @param feedForwardLength {@code llama.feed_forward_length}, a multiple of 32
 * @param heads {@code llama.attention.head_count}
 * @param kvHeads {@code llama.attention.head_count_kv}, dividing {@code heads}
 * @param type the type of every tensor but the norms: F32, F16 or Q8_0
 * @param seed the seed of every weight
 * @param experts {@code llama.expert_count}: 0 for a dense model, else every layer's feed-forward is a mixture of
 *     this many experts of {@code feedForwardLength} each (see {@link LlamaShape})
 * @param expertsUsed {@code llama.expert_used_count}, the experts each token runs (0 for a dense model)
 */
public record RandomModel(int vocabSize, int layers, int embeddingLength, int feedForwardLength, int heads,
        int kvHeads, GgmlType type, long seed, int experts, int expertsUsed) {

    /** A dense model. */
    public RandomModel(int vocabSize, int layers, int embeddingLength, int feedForwardLength, int heads, int kvHeads,
                       GgmlType type, long seed) {
        this(vocabSize, layers, embeddingLength, feedForwardLength, heads, kvHeads, type, seed, 0, 0);
    }

    private static final int CONTEXT_LENGTH = 4096;
    /** The bound of a uniform distribution with standard deviation 0.02: 0.02 * sqrt(3). */
    private static final float WEIGHT_BOUND = 0.034641016f;

    /**
     * The benchmark model: vocabulary 32000, 12 layers, embedding 768, feed-forward 2048, 12 heads, 4 KV heads, Q8_0
     * (about 126 MiB).
     */
    public static RandomModel bench() {
        return new RandomModel(32000, 12, 768, 2048, 12, 4, GgmlType.Q8_0, 42);
    }

    /**
     * The GPU benchmark model, of a size users run on GPUs (a 3B-class model's shape): vocabulary 32000, 32 layers,
     * embedding 3072, feed-forward 8192, 24 heads, 8 KV heads, Q8_0 (about 3.4 GiB).
     */
    public static RandomModel gpuBench() {
        return new RandomModel(32000, 32, 3072, 8192, 24, 8, GgmlType.Q8_0, 42);
    }

    /**
     * The GPU mixture-of-experts benchmark model, for the offload of experts to host memory ({@code n_cpu_moe}):
     * vocabulary 32000, 16 layers, embedding 2048, 32 experts of feed-forward 1024 with 4 used per token, 16 heads,
     * 4 KV heads, Q8_0 (about 3.6 GiB, 3.4 GiB of it experts).
     */
    public static RandomModel gpuMoeBench() {
        return new RandomModel(32000, 16, 2048, 1024, 16, 4, GgmlType.Q8_0, 42, 32, 4);
    }

    /** A writer holding the whole model; its tensor rows are generated when it writes. */
    public GgufWriter toWriter() {
        LlamaShape shape = new LlamaShape(vocabSize, layers, embeddingLength, feedForwardLength, heads, kvHeads,
                CONTEXT_LENGTH, experts, expertsUsed);
        GgufWriter writer = GgufWriter.create();
        shape.putMetadata(writer, "llama", name(), type);
        vocabulary().writeTo(writer);
        List<LlamaShape.Tensor> tensors = shape.tensors();
        for (int index = 0; index < tensors.size(); index++) {
            LlamaShape.Tensor tensor = tensors.get(index);
            long stream = index;
            if (tensor.role() == LlamaShape.Role.NORM) {
                writer.addTensor(tensor.name(), GgmlType.F32, tensor.dims(), (row, out) -> Arrays.fill(out, 1));
            } else {
                writer.addTensor(tensor.name(), type, tensor.dims(), (row, out) -> {
                    SplitMix64 random = SplitMix64.forItem(seed, stream, row);
                    for (int i = 0; i < out.length; i++) {
                        out[i] = WEIGHT_BOUND * random.nextSymmetric();
                    }
                });
            }
        }
        return writer;
    }

    /**
     * The model's {@code general.name}, which spells out every parameter (and the generator's version), so that a
     * cached file can be recognized without comparing its bytes.
     */
    public String name() {
        String name = "puna-random-v1 vocab %d, %d layers, embd %d, ff %d, %d/%d heads, %s, seed %d"
                .formatted(vocabSize, layers, embeddingLength, feedForwardLength, heads, kvHeads, type, seed);
        // a dense model keeps the name it always had, so cached bench models stay valid
        return experts == 0 ? name : name + ", %d experts (%d used)".formatted(experts, expertsUsed);
    }

    /** Writes the model to {@code file}, atomically. */
    public void write(Path file) throws IOException {
        toWriter().write(file);
    }

    /** The vocabulary: the fixed tokens, then synthetic word pieces up to {@link #vocabSize}. */
    public Vocabulary vocabulary() {
        Vocabulary.Builder builder = Vocabulary.builder();
        if (builder.size() > vocabSize) {
            throw new IllegalArgumentException("a vocabulary needs at least %d tokens, not %d"
                    .formatted(builder.size(), vocabSize));
        }
        // Counting in base 26 with letters as digits lists all pieces of one length before any longer one.
        for (long n = 1; builder.size() < vocabSize; n++) {
            StringBuilder piece = new StringBuilder();
            for (long rest = n; rest > 0; rest = (rest - 1) / 26) {
                piece.append((char) ('a' + (rest - 1) % 26));
            }
            builder.word(Vocabulary.SPACE + piece.reverse());
        }
        return builder.build();
    }
}
