package dev.puna.testkit;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes the {@linkplain RandomModel#bench() benchmark model} for {@code bench/}: {@code WriteBenchModel DIR}
 * prints the file's path. Kept here so that the benchmark scripts and the tests generate the very same bytes.
 */
public final class WriteBenchModel {
    private WriteBenchModel() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: WriteBenchModel DIR");
            System.exit(2);
        }
        System.out.println(TestModels.benchModel(Path.of(args[0])).toAbsolutePath());
    }
}
