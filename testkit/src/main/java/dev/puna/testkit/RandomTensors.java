package dev.puna.testkit;

import dev.puna.gguf.GgmlType;
import dev.puna.gguf.GgufWriter;
import java.util.Arrays;

/**
 * Tensors for the generated models: random ones, uniform within {@code ±bound}, each row from its own generator
 * seeded by the model's seed, the tensor's place in the order they are added and the row (so a model is the same on
 * every machine, and generated row by row as it is written); and constant F32 ones.
 */
final class RandomTensors {
    private final long seed;
    private final float bound;
    private final GgmlType type;
    private long stream;

    /** Random tensors stored as {@code type} (the writer converts the generated F32 rows). */
    RandomTensors(long seed, float bound, GgmlType type) {
        this.seed = seed;
        this.bound = bound;
        this.type = type;
    }

    /** Adds a random tensor, the next in this model's order. */
    void add(GgufWriter writer, String name, long[] dims) {
        add(writer, name, dims, type);
    }

    /**
     * Adds a random tensor, the next in this model's order, as F32 whatever this model's type: for tensors llama.cpp
     * needs in F32 (a Mamba layer's convolution) or whose rows are shorter than a quantized block.
     */
    void addF32(GgufWriter writer, String name, long[] dims) {
        add(writer, name, dims, GgmlType.F32);
    }

    private void add(GgufWriter writer, String name, long[] dims, GgmlType type) {
        long s = stream++;
        writer.addTensor(name, type, dims, (row, out) -> {
            SplitMix64 random = SplitMix64.forItem(seed, s, row);
            for (int i = 0; i < out.length; i++) {
                out[i] = bound * random.nextSymmetric();
            }
        });
    }

    /** Adds a tensor holding {@code value} everywhere. */
    static void constant(GgufWriter writer, String name, long[] dims, float value) {
        writer.addTensor(name, GgmlType.F32, dims, (row, out) -> Arrays.fill(out, value));
    }
}
