package dev.puna.testkit;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes a benchmark model for {@code bench/}: {@code WriteBenchModel DIR [bench|gpu]} prints the file's path. The
 * {@linkplain RandomModel#bench() bench} model (the default) is the CPU benches'; the {@linkplain
 * RandomModel#gpuBench() gpu} model is bench/gpu's. Kept here so that the benchmark scripts and the tests generate
 * the very same bytes.
 */
public final class WriteBenchModel {
    private WriteBenchModel() {
    }

    public static void main(String[] args) throws IOException {
        String kind = args.length == 2 ? args[1] : "bench";
        if (args.length < 1 || args.length > 2 || !(kind.equals("bench") || kind.equals("gpu"))) {
            System.err.println("usage: WriteBenchModel DIR [bench|gpu]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        Path file = kind.equals("gpu") ? TestModels.gpuBenchModel(dir) : TestModels.benchModel(dir);
        System.out.println(file.toAbsolutePath());
    }
}
