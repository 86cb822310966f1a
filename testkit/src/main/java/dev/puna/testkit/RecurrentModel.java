package dev.puna.testkit;

import dev.puna.gguf.GgmlType;
import dev.puna.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A small recurrent model with random weights: llama.cpp's Mamba architecture ({@code general.architecture =
 * mamba}), whose layers carry a state from token to token instead of a KV cache. It is what tests of a memory that
 * cannot be cut back need: llama.cpp keeps each sequence's state after its newest token only, so a cached prefix can
 * be continued at its end, or from a saved state, but not from a position inside it.
 *
 * <p>Weights uniform with standard deviation 0.2 (each row from its own seeded generator, as {@link RandomModel}'s),
 * norms 1, the skip {@code ssm_d} 1, the biases 0, and the state's decay {@code ssm_a} -0.02 everywhere: a long
 * memory, so that the next token depends on tokens a hundred positions back (at {@link RandomModel}'s 0.02 and a
 * decay of -1 it depends on the last few only, and a test could not tell a wrong state from the right one); F32;
 * the vocabulary is {@link RandomModel}'s for the same size.
 *
 * @param vocabSize the number of tokens
 * @param layers {@code mamba.block_count}
 * @param embeddingLength {@code mamba.embedding_length}; the inner size is twice it (the one llama.cpp supports)
 * @param stateSize {@code mamba.ssm.state_size}
 * @param convKernel {@code mamba.ssm.conv_kernel}
 * @param timeStepRank {@code mamba.ssm.time_step_rank}
 * @param seed the seed of every weight
 */
public record RecurrentModel(int vocabSize, int layers, int embeddingLength, int stateSize, int convKernel,
        int timeStepRank, long seed) {

    private static final int CONTEXT_LENGTH = 4096;
    private static final float WEIGHT_BOUND = 0.34641016f;

    public RecurrentModel {
        if (layers < 1 || embeddingLength < 1 || stateSize < 1 || convKernel < 1 || timeStepRank < 1) {
            throw new IllegalArgumentException("%d layers, embedding %d, state %d, kernel %d, rank %d"
                    .formatted(layers, embeddingLength, stateSize, convKernel, timeStepRank));
        }
    }

    /** The tests' model: vocabulary 600, 2 layers, width 64 (inner 128), state 16, kernel 4, F32. */
    public static RecurrentModel small() {
        return new RecurrentModel(600, 2, 64, 16, 4, 4, 13);
    }

    /** The model's {@code general.name}, spelling out every parameter. */
    public String name() {
        return "puna-mamba-v1 vocab %d, %d layers, embd %d, state %d, kernel %d, rank %d, seed %d"
                .formatted(vocabSize, layers, embeddingLength, stateSize, convKernel, timeStepRank, seed);
    }

    /** A writer holding the whole model; its tensor rows are generated when it writes. */
    public GgufWriter toWriter() {
        long embd = embeddingLength;
        GgufWriter writer = mambaHeader(name(), layers, embeddingLength, convKernel, stateSize, timeStepRank,
                vocabSize, GgmlType.F32);
        new RandomModel(vocabSize, 1, 32, 32, 1, 1, GgmlType.F32, seed).vocabulary().writeTo(writer);
        RandomTensors random = new RandomTensors(seed, WEIGHT_BOUND, GgmlType.F32);
        random.add(writer, "token_embd.weight", new long[] {embd, vocabSize});
        for (int layer = 0; layer < layers; layer++) {
            String p = "blk." + layer + ".";
            RandomTensors.constant(writer, p + "attn_norm.weight", new long[] {embd}, 1);
            mambaLayer(writer, random, p, embd, convKernel, stateSize, timeStepRank, false);
        }
        RandomTensors.constant(writer, "output_norm.weight", new long[] {embd}, 1);
        random.add(writer, "output.weight", new long[] {embd, vocabSize});
        return writer;
    }

    /**
     * A writer holding a Mamba model's metadata (its vocabulary and tensors still to add), context
     * {@value #CONTEXT_LENGTH}, inner size twice {@code width}, matrices in {@code type}; shared with
     * {@link ScriptedMamba}.
     */
    static GgufWriter mambaHeader(String name, int layers, int width, int convKernel, int stateSize,
                                  int timeStepRank, int vocabSize, GgmlType type) {
        GgufWriter writer = GgufWriter.create()
                .putString("general.architecture", "mamba")
                .putString("general.name", name)
                .putUInt32("mamba.block_count", layers)
                .putUInt32("mamba.context_length", CONTEXT_LENGTH)
                .putUInt32("mamba.embedding_length", width)
                .putUInt32("mamba.feed_forward_length", 0)
                .putUInt32("mamba.attention.head_count", 0)
                .putFloat32("mamba.attention.layer_norm_rms_epsilon", 1e-5f);
        return ssmKeys(writer, "mamba", convKernel, 2L * width, stateSize, timeStepRank)
                .putUInt32("mamba.vocab_size", vocabSize)
                .putUInt32("general.file_type", LlamaShape.fileType(type))
                .putUInt32("general.quantization_version", 2);
    }

    /** The Mamba layers' keys of architecture {@code arch}; shared with {@link HybridModel}. */
    static GgufWriter ssmKeys(GgufWriter writer, String arch, int convKernel, long inner, int stateSize,
                              int timeStepRank) {
        return writer.putUInt32(arch + ".ssm.conv_kernel", convKernel)
                .putUInt32(arch + ".ssm.inner_size", (int) inner)
                .putUInt32(arch + ".ssm.state_size", stateSize)
                .putUInt32(arch + ".ssm.time_step_rank", timeStepRank);
    }

    /**
     * The tensors of one Mamba layer (prefix {@code p}, e.g. {@code blk.0.}) but its input norm: weights from
     * {@code random}, norms 1, the skip 1, biases 0, decay -0.02. Jamba's layers ({@code jambaNorms}) also norm the
     * time step and the B and C projections. Shared with {@link HybridModel}.
     */
    static void mambaLayer(GgufWriter writer, RandomTensors random, String p, long embd, int convKernel,
                           int stateSize, int timeStepRank, boolean jambaNorms) {
        mambaMixer(writer, random, p, embd, convKernel, stateSize, timeStepRank, jambaNorms);
        random.add(writer, p + "ssm_out.weight", new long[] {2 * embd, embd});
    }

    /**
     * {@link #mambaLayer} without its output projection {@code ssm_out}, which the caller adds: random in a random
     * model, zero in {@link ScriptedMamba}.
     */
    static void mambaMixer(GgufWriter writer, RandomTensors random, String p, long embd, int convKernel,
                           int stateSize, int timeStepRank, boolean jambaNorms) {
        long inner = 2 * embd;
        random.add(writer, p + "ssm_in.weight", new long[] {embd, 2 * inner});
        random.addF32(writer, p + "ssm_conv1d.weight", new long[] {convKernel, inner});
        RandomTensors.constant(writer, p + "ssm_conv1d.bias", new long[] {inner}, 0);
        random.add(writer, p + "ssm_x.weight", new long[] {inner, timeStepRank + 2L * stateSize});
        if (jambaNorms) {
            RandomTensors.constant(writer, p + "ssm_dt_norm.weight", new long[] {timeStepRank}, 1);
            RandomTensors.constant(writer, p + "ssm_b_norm.weight", new long[] {stateSize}, 1);
            RandomTensors.constant(writer, p + "ssm_c_norm.weight", new long[] {stateSize}, 1);
        }
        random.add(writer, p + "ssm_dt.weight", new long[] {timeStepRank, inner});
        RandomTensors.constant(writer, p + "ssm_dt.bias", new long[] {inner}, 0);
        RandomTensors.constant(writer, p + "ssm_a", new long[] {stateSize, inner}, -0.02f);
        RandomTensors.constant(writer, p + "ssm_d", new long[] {inner}, 1);
    }

    /** Writes the model to {@code file}, atomically. */
    public void write(Path file) throws IOException {
        toWriter().write(file);
    }
}
