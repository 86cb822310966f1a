package dev.puna.testkit;

import dev.puna.gguf.GgmlType;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes the speculative-decoding benchmark's pair for {@code bench/speculative.sh}:
 * {@code WriteSpeculativeBenchModels DIR} prints the target's path, then the draft's, one per line
 * (see {@link TestModels#scriptedBenchTarget}).
 */
public final class WriteSpeculativeBenchModels {
    private WriteSpeculativeBenchModels() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: WriteSpeculativeBenchModels DIR");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        System.out.println(TestModels.scriptedBenchTarget(dir).toAbsolutePath());
        System.out.println(TestModels.scripted(dir, GgmlType.F32).toAbsolutePath());
    }
}
