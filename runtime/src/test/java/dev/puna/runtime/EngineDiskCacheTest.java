package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prompt cache's disk tier: a conversation outlives its engine. Runs on a small random model, whose attention
 * depends on the KV cache, so a wrong restore changes the output: each continuation is compared with the same turn
 * served by an engine without any cache.
 */
@Timeout(120)
class EngineDiskCacheTest {
    private static final long DISK = 256L << 20;
    private static Model model;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws IOException {
        model = Model.load(Models.randomSmall());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private Engine engine(long ramBytes, String key) {
        return Engine.start(model, EngineParams.builder().parallel(1).promptCacheBytes(ramBytes)
                .diskCache(key == null ? null : dir, DISK, key)
                .session(SessionParams.builder().contextSize(512).threads(2).build()).build());
    }

    private static GenerationResult run(Engine engine, int[] prompt, int n) {
        return engine.submit(GenerateRequest.builder().promptTokens(prompt).sampling(SamplingParams.greedy())
                .maxTokens(n).build(), GenerationListener.NONE).result().orTimeout(60, TimeUnit.SECONDS).join();
    }

    private static int[] firstTurn(int seed) {
        int[] first = IntStream.range(0, 160).map(i -> 20 + (i * 7 + seed) % 500).toArray();
        first[0] = 1; // BOS
        return first;
    }

    /** The first turn, its 20 generated tokens and 10 more. */
    private static int[] secondTurn(int[] first, GenerationResult answer) {
        int[] second = Arrays.copyOf(first, first.length + answer.tokens().length + 10);
        System.arraycopy(answer.tokens(), 0, second, first.length, answer.tokens().length);
        for (int i = 0; i < 10; i++) {
            second[first.length + answer.tokens().length + i] = 30 + i;
        }
        return second;
    }

    private long files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".kv")).count();
        }
    }

    @Test
    void aConversationResumesInTheNextEngineOnTheSameDirectoryAndKeyOnly() throws IOException {
        int[] first = firstTurn(3);
        GenerationResult answer;
        try (Engine engine = engine(1L << 30, "model-a")) {
            answer = run(engine, first, 20);
            assertEquals(0, answer.cachedPromptTokens());
            assertEquals(20, answer.tokens().length);
        }
        assertEquals(1, files()); // the slot's conversation, written when the engine closed
        int[] second = secondTurn(first, answer);

        GenerationResult cold;
        try (Engine engine = engine(0, null)) {
            cold = run(engine, second, 12);
        }
        assertEquals(0, cold.cachedPromptTokens());

        try (Engine engine = engine(1L << 30, "model-a")) {
            GenerationResult resumed = run(engine, second, 12);
            // The first turn's prompt and all but the last generated token (never decoded) come from disk.
            assertEquals(first.length + 19, resumed.cachedPromptTokens());
            assertArrayEquals(cold.tokens(), resumed.tokens());
            assertEquals(1, engine.stats().promptCacheRestores());
        }

        try (Engine engine = engine(1L << 30, "model-b")) {
            GenerationResult other = run(engine, second, 12);
            assertEquals(0, other.cachedPromptTokens());
            assertEquals(0, engine.stats().promptCacheRestores());
            assertArrayEquals(cold.tokens(), other.tokens());
        }
    }

    @Test
    void aConversationPushedOutOfItsSlotWithoutRamGoesToDiskAndComesBack() throws Exception {
        int[] first = firstTurn(3);
        int[] intruder = firstTurn(11);
        try (Engine engine = engine(0, "model-a")) {
            GenerationResult answer = run(engine, first, 20);
            assertEquals(20, answer.tokens().length);
            run(engine, intruder, 5); // takes the only slot: the first conversation is written to disk
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (files() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20); // the disk tier writes on a thread of its own
            }
            assertEquals(1, files());
            int[] second = secondTurn(first, answer);
            GenerationResult resumed = run(engine, second, 12);
            assertEquals(first.length + 19, resumed.cachedPromptTokens());
            assertEquals(1, engine.stats().promptCacheRestores());
            try (Engine cold = engine(0, null)) {
                assertArrayEquals(run(cold, second, 12).tokens(), resumed.tokens());
            }
        }
    }

    private static GenerationResult run(Engine engine, int[] prompt, int n, LoraAdapter lora, float scale) {
        GenerateRequest.Builder request = GenerateRequest.builder().promptTokens(prompt)
                .sampling(SamplingParams.greedy()).maxTokens(n);
        if (lora != null) {
            request.adapters(List.of(new LoraScale(lora, scale)));
        }
        return engine.submit(request.build(), GenerationListener.NONE).result().orTimeout(60, TimeUnit.SECONDS)
                .join();
    }

    private static EngineParams scriptedParams(Path dir, LoraAdapter lora, float scale) {
        return EngineParams.builder().parallel(2)
                .diskCache(dir, DISK, "scripted+lora", lora == null ? List.of() : List.of(new LoraScale(lora, scale)))
                .session(SessionParams.builder().contextSize(256).threads(2).build()).build();
    }

    private static int[] hellos(int n) {
        int[] prompt = new int[n];
        Arrays.fill(prompt, Models.id("▁Hello"));
        prompt[0] = dev.puna.testkit.Vocabulary.BOS;
        return prompt;
    }

    @Test
    void aConversationUnderTheDiskCachesAdaptersResumesInTheNextEngineAndOtherScalesStayOffDisk() throws IOException {
        int[] first = hellos(80);
        Path lora = dev.puna.testkit.TestModels.scriptedLora(Models.DIR);
        try (Model scripted = Model.load(Models.scripted())) {
            GenerationResult answer;
            try (LoraAdapter adapter = LoraAdapter.load(scripted, lora)) {
                try (Engine engine = Engine.start(scripted, scriptedParams(dir, adapter, 1))) {
                    run(engine, first, 3, adapter, 0.5f); // another scale than the cache's: RAM only
                    run(engine, hellos(90), 3, null, 0); // no adapters: RAM only
                }
                assertEquals(0, files());
                try (Engine engine = Engine.start(scripted, scriptedParams(dir, adapter, 1))) {
                    answer = run(engine, first, 3, adapter, 1);
                }
                assertEquals(1, files()); // the slot's conversation, written when the engine closed
            }
            int[] second = secondTurn(first, answer);
            // Adapters are loaded anew with the model after a restart: the cache knows them by the model key.
            try (LoraAdapter adapter = LoraAdapter.load(scripted, lora)) {
                GenerationResult cold;
                try (Engine engine = Engine.start(scripted, scriptedParams(null, null, 0))) {
                    cold = run(engine, second, 4, adapter, 1);
                }
                try (Engine engine = Engine.start(scripted, scriptedParams(dir, adapter, 0.5f))) {
                    assertEquals(0, run(engine, second, 4, adapter, 0.5f).cachedPromptTokens()); // other scales
                }
                try (Engine engine = Engine.start(scripted, scriptedParams(dir, adapter, 1))) {
                    assertEquals(0, run(engine, second, 4, null, 0).cachedPromptTokens()); // not under the adapter
                    GenerationResult resumed = run(engine, second, 4, adapter, 1);
                    assertEquals(first.length + answer.tokens().length - 1, resumed.cachedPromptTokens());
                    assertEquals(1, engine.stats().promptCacheRestores());
                    assertArrayEquals(cold.tokens(), resumed.tokens());
                }
            }
        }
    }

    @Test
    void shortConversationsStayOffDisk() throws IOException {
        try (Engine engine = engine(1L << 30, "model-a")) {
            run(engine, Arrays.copyOf(firstTurn(3), 30), 5);
        }
        assertEquals(0, files());
    }
}
