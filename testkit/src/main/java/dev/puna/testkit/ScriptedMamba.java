package dev.puna.testkit;

import dev.puna.gguf.GgmlType;
import dev.puna.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A {@link ScriptedModel}'s scripts in llama.cpp's Mamba architecture: the scripted model's vocabulary, token
 * embeddings and output rows around recurrent layers whose output projection ({@code ssm_out}) is zero, so each layer
 * adds nothing to the residual stream and greedy decoding follows the scripts exactly, as the scripted model's zero
 * attention and feed-forward do. The rest of each layer (input projection, convolution, time step, state) is random
 * (small weights, decay and skip as {@link RecurrentModel}'s), so llama.cpp computes and keeps a real recurrent state, at the cost a trained
 * model of the same shape has: what the speculative-decoding benchmark needs of a recurrent target. The state never
 * reaches the output, so this model cannot tell a wrong state from the right one; {@link RecurrentModel} is for that.
 *
 * @param script the scripts, vocabulary, embeddings and output rows (its embedding length is this model's width; the
 *     inner size is twice it)
 * @param layers {@code mamba.block_count}
 * @param stateSize {@code mamba.ssm.state_size}
 * @param timeStepRank {@code mamba.ssm.time_step_rank} (a multiple of 32 for a Q8_0 file)
 * @param name {@code general.name}
 */
public record ScriptedMamba(ScriptedModel script, int layers, int stateSize, int timeStepRank, String name) {
    private static final int CONV_KERNEL = 4;
    /**
     * Uniform within ±0.02 ({@link RandomModel}'s), where {@link RecurrentModel} takes 0.35 for a state that reaches
     * far back: at width 2048 those weights drive the state's values past what a Q8_0 block's F16 scale holds, and the
     * zero output projection then multiplies an infinity (NaN). Here the state never reaches the output anyway.
     */
    private static final float WEIGHT_BOUND = 0.02f;
    private static final long SEED = 0x5CA1ED;

    public ScriptedMamba {
        if (layers < 1 || stateSize < 1 || timeStepRank < 1) {
            throw new IllegalArgumentException("%d layers, state %d, rank %d".formatted(layers, stateSize,
                    timeStepRank));
        }
    }

    /**
     * A writer holding the whole model: norms, convolution bias and the state's decay, skip and time-step bias in
     * F32, every matrix in {@code type}.
     *
     * @param type F32, F16 or Q8_0
     */
    public GgufWriter toWriter(GgmlType type) {
        int width = script.embeddingLength();
        long embd = width;
        long inner = 2L * width;
        int vocabSize = script.vocabulary().size();
        GgufWriter writer = RecurrentModel.mambaHeader(name, layers, width, CONV_KERNEL, stateSize, timeStepRank,
                vocabSize, type);
        script.vocabulary().writeTo(writer);
        writer.addTensor("token_embd.weight", type, new long[] {embd, vocabSize},
                (row, out) -> System.arraycopy(script.embedding((int) row), 0, out, 0, out.length));
        RandomTensors random = new RandomTensors(SEED, WEIGHT_BOUND, type);
        for (int layer = 0; layer < layers; layer++) {
            String p = "blk." + layer + ".";
            RandomTensors.constant(writer, p + "attn_norm.weight", new long[] {embd}, 1);
            RecurrentModel.mambaMixer(writer, random, p, embd, CONV_KERNEL, stateSize, timeStepRank, false);
            writer.addTensor(p + "ssm_out.weight", type, new long[] {inner, embd}, (row, out) -> Arrays.fill(out, 0));
        }
        RandomTensors.constant(writer, "output_norm.weight", new long[] {embd}, 1);
        writer.addTensor("output.weight", type, new long[] {embd, vocabSize},
                (row, out) -> System.arraycopy(script.outputRow((int) row), 0, out, 0, out.length));
        return writer;
    }

    /** Writes the model to {@code file} as {@code type} (see {@link #toWriter}). */
    public void write(Path file, GgmlType type) throws IOException {
        toWriter(type).write(file);
    }
}
