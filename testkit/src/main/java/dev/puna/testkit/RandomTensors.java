package dev.puna.testkit;

import dev.puna.gguf.GgmlType;
import dev.puna.gguf.GgufWriter;
import java.util.Arrays;

/**
 * F32 tensors for the generated models: random ones, uniform within {@code ±bound}, each row from its own generator
 * seeded by the model's seed, the tensor's place in the order they are added and the row (so a model is the same on
 * every machine, and generated row by row as it is written); and constant ones.
 */
final class RandomTensors {
    private final long seed;
    private final float bound;
    private long stream;

    RandomTensors(long seed, float bound) {
        this.seed = seed;
        this.bound = bound;
    }

    /** Adds a random tensor, the next in this model's order. */
    void add(GgufWriter writer, String name, long[] dims) {
        long s = stream++;
        writer.addTensor(name, GgmlType.F32, dims, (row, out) -> {
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
