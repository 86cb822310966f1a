package dev.puna.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes {@link GgufFile#read} with {@link GgufFuzzer}. In the normal test suite: a fixed seed and a fixed number of
 * inputs (a few seconds), so the run is the same every time. {@code scripts/fuzz-gguf.sh DURATION [SEED]} runs the
 * same test for a duration with a fresh seed ({@code -Dpuna.fuzz.seconds}, {@code -Dpuna.fuzz.seed}); a finding
 * fails it with the seed and iteration, and leaves the input in {@code gguf/target/fuzz/findings/}.
 */
class GgufFuzzTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(3600)
    void theReaderAcceptsOrRefusesEveryMutatedInputCleanly() throws Exception {
        long seed = Long.getLong("puna.fuzz.seed", 20261202L);
        long seconds = Long.getLong("puna.fuzz.seconds", 0);
        long inputs = seconds > 0 ? Long.MAX_VALUE : Long.getLong("puna.fuzz.iterations", 5_000);
        Path out = seconds > 0 ? Path.of(System.getProperty("puna.fuzz.dir", "target/fuzz")) : dir;
        java.nio.file.Files.createDirectories(out);
        GgufFuzzer fuzzer = new GgufFuzzer(seed, out.resolve("input.gguf"));
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (fuzzer.iterations() < inputs && (seconds == 0 || System.nanoTime() < deadline)) {
            fuzzer.step();
        }
        System.out.printf("GGUF fuzz: seed %d, %d inputs, %d accepted%n", seed, fuzzer.iterations(),
                fuzzer.accepted());
        // Mutations that keep a file valid (a changed value, a flipped bit in a string) must occur, or the fuzzer
        // would only be exercising the first checks.
        assertTrue(fuzzer.accepted() > fuzzer.iterations() / 50, "accepted " + fuzzer.accepted());
    }

    @Test
    void theSameSeedMutatesTheSameWay() throws Exception {
        GgufFuzzer a = new GgufFuzzer(7, dir.resolve("a.gguf"));
        GgufFuzzer b = new GgufFuzzer(7, dir.resolve("b.gguf"));
        byte[] seed = GgufFuzzer.seeds().getFirst();
        for (int i = 0; i < 100; i++) {
            assertTrue(Arrays.equals(a.mutate(seed), b.mutate(seed)));
        }
        assertEquals(4, GgufFuzzer.seeds().size());
    }
}
