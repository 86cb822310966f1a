package dev.puna.runtime;

import dev.puna.gguf.GgmlType;
import dev.puna.testkit.TestModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.stream.IntStream;

/** Generated test models, written once per build into target/test-models. */
final class Models {
    static final Path DIR = Path.of("target", "test-models").toAbsolutePath();

    private Models() {
    }

    /** A generator's way to write a model file. */
    private interface Writer {
        void write(Path file) throws IOException;
    }

    /** {@code file} in {@link #DIR}, written by {@code writer} unless it is there already. */
    private static Path once(String file, Writer writer) {
        Path path = DIR.resolve(file);
        try {
            if (!java.nio.file.Files.isRegularFile(path)) {
                java.nio.file.Files.createDirectories(DIR);
                writer.write(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return path;
    }

    static Path scripted(GgmlType type) {
        try {
            return TestModels.scripted(DIR, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A {@link TestModels} model's way to write itself into a directory. */
    private interface InDir {
        Path write(Path dir) throws IOException;
    }

    private static Path inDir(InDir model) {
        try {
            return model.write(DIR);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The scripted model with a mixture-of-experts feed-forward (4 experts, 2 used), Q8_0. */
    static Path scriptedMoe() {
        return inDir(TestModels::scriptedMoe);
    }

    /** {@link TestModels#scriptedMamba}: the scripts in a recurrent (Mamba) model. */
    static Path scriptedMamba() {
        return inDir(TestModels::scriptedMamba);
    }

    /** {@link TestModels#offScript}: the scripted model with one step of its count off the script. */
    static Path offScript() {
        return inDir(TestModels::offScript);
    }

    static Path reranker() {
        return inDir(TestModels::reranker);
    }

    /**
     * A small random model (600-token vocabulary, 2 layers, width 128) with live attention, for the engine tests
     * whose outputs must depend on the cached prefix; written once.
     */
    static Path randomSmall() {
        return once("puna-random-small.gguf",
                new dev.puna.testkit.RandomModel(600, 2, 128, 256, 4, 2, GgmlType.F32, 7)::write);
    }

    /** {@link dev.puna.testkit.RecurrentModel#small()}: a recurrent (Mamba) model, no KV cache. */
    static Path recurrent() {
        return once("puna-mamba-small.gguf", dev.puna.testkit.RecurrentModel.small()::write);
    }

    /**
     * {@link dev.puna.testkit.HybridModel#small()}: a hybrid (Jamba) model, a Mamba layer and an attention layer;
     * written once.
     */
    static Path hybrid() {
        return once("puna-jamba-small.gguf", dev.puna.testkit.HybridModel.small()::write);
    }

    /**
     * A small random Gemma 3-architecture model whose first layer attends over a window of 32 positions and whose
     * second over everything ({@link dev.puna.testkit.SlidingWindowModel#small()}); written once.
     */
    static Path slidingWindow() {
        return once("puna-swa-small.gguf", dev.puna.testkit.SlidingWindowModel.small()::write);
    }

    static Path scripted() {
        return scripted(GgmlType.F32);
    }

    static int id(String piece) {
        return TestModels.vocabulary().id(piece);
    }

    /** Small, fast sessions: tests do not need 4096 tokens of KV cache. */
    static SessionParams session() {
        return SessionParams.builder().contextSize(256).threads(2).build();
    }

    static GenerateRequest greedy(String prompt) {
        return GenerateRequest.builder().prompt(prompt).sampling(SamplingParams.greedy()).build();
    }

    /**
     * A greedy request of 40 prompt tokens, BOS then a stride through ids 20-419 that {@code seed} shifts, so that two
     * seeds share only the BOS; {@code maxTokens} to generate.
     */
    static GenerateRequest greedyTokens(int seed, int maxTokens) {
        int[] prompt = IntStream.range(0, 40).map(i -> 20 + (i * 11 + seed) % 400).toArray();
        prompt[0] = 1; // BOS
        return GenerateRequest.builder().promptTokens(prompt).sampling(SamplingParams.greedy()).maxTokens(maxTokens)
                .build();
    }
}
