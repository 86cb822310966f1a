package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The warm-up an engine decodes when it starts leaves nothing behind: counters at zero, no tokens in any slot,
 * and the first request's output (greedy, on a random model whose attention reads the KV cache) the same as on an
 * engine started without it, even for a prompt that begins with the warm-up's own prompt.
 */
@Timeout(120)
class EngineWarmupTest {
    private static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(Models.randomSmall());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static Engine engine(int warmupTokens) {
        return Engine.start(model, EngineParams.builder().parallel(2).warmupTokens(warmupTokens)
                .session(SessionParams.builder().contextSize(256).threads(2).build()).build());
    }

    private static GenerationResult run(Engine engine, int[] prompt) {
        return engine.submit(GenerateRequest.builder().promptTokens(prompt).sampling(SamplingParams.greedy())
                .maxTokens(16).build(), GenerationListener.NONE).result().orTimeout(60, TimeUnit.SECONDS).join();
    }

    /** The warm-up's prompt followed by 40 more tokens: a request that would reuse a leftover warm-up prefix. */
    private static int[] prompt() {
        int[] warm = model.tokenize("Warm up the engine", true, false);
        int[] more = IntStream.range(0, 40).map(i -> 20 + i * 11 % 500).toArray();
        int[] prompt = Arrays.copyOf(warm, warm.length + more.length);
        System.arraycopy(more, 0, prompt, warm.length, more.length);
        return prompt;
    }

    @Test
    void statsAreZeroAfterStart() {
        try (Engine engine = engine(8)) {
            assertEquals(new EngineStats(2, 0, 0, 0, 2L * engine.slotContextSize(), 0, 0, 0, 0, 0, 0, 0),
                    engine.stats());
        }
    }

    @Test
    void firstRequestIsServedAsWithoutWarmup() {
        int[] prompt = prompt();
        GenerationResult cold;
        try (Engine engine = engine(0)) {
            cold = run(engine, prompt);
        }
        try (Engine engine = engine(32)) {
            GenerationResult warm = run(engine, prompt);
            assertEquals(0, warm.cachedPromptTokens(), "the warm-up's tokens were reused");
            assertArrayEquals(cold.tokens(), warm.tokens());
            EngineStats stats = engine.stats();
            assertEquals(1, stats.requests());
            assertEquals(prompt.length, stats.promptTokensEvaluated());
            assertEquals(0, stats.promptTokensCached());
            assertEquals(warm.completionTokens(), stats.tokensGenerated());
        }
        assertEquals(16, cold.completionTokens());
    }

    @Test
    void warmupTokensAreValidated() {
        assertThrows(InvalidParameterException.class, () -> EngineParams.builder().warmupTokens(-1));
        assertEquals(0, EngineParams.builder().warmupTokens(0).build().warmupTokens());
    }
}
