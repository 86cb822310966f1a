package dev.puna.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a benchmark model for {@code bench/}: {@code WriteBenchModel DIR [bench|gpu|gpu-moe|swa]} prints the
 * file's path. The {@linkplain RandomModel#bench() bench} model (the default) is the CPU benches'; the {@linkplain
 * RandomModel#gpuBench() gpu} and {@linkplain RandomModel#gpuMoeBench() gpu-moe} models are bench/gpu's; the
 * {@linkplain SlidingWindowModel#bench() swa} model is bench/checkpoint.sh's. Kept here so that the benchmark
 * scripts and the tests generate the very same bytes.
 */
public final class WriteBenchModel {
    private WriteBenchModel() {
    }

    public static void main(String[] args) throws IOException {
        String kind = args.length == 2 ? args[1] : "bench";
        if (args.length < 1 || args.length > 2 || !List.of("bench", "gpu", "gpu-moe", "swa").contains(kind)) {
            System.err.println("usage: WriteBenchModel DIR [bench|gpu|gpu-moe|swa]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        Path file = switch (kind) {
            case "gpu" -> TestModels.gpuBenchModel(dir);
            case "gpu-moe" -> TestModels.gpuMoeBenchModel(dir);
            case "swa" -> TestModels.swaBenchModel(dir);
            default -> TestModels.benchModel(dir);
        };
        System.out.println(file.toAbsolutePath());
    }
}
