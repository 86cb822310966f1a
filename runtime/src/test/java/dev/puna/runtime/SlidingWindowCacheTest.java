package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.runtime.internal.SlidingWindow;
import dev.puna.runtime.offload.ComputeDevice;
import dev.puna.runtime.offload.DeviceType;
import dev.puna.runtime.offload.ModelFootprint;
import dev.puna.runtime.offload.OffloadPlanner;
import dev.puna.runtime.offload.OffloadSettings;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model with sliding-window attention gets llama.cpp's window-sized cache for its sliding-window layers (as
 * llama-server does), and the engine reuses a cached prefix only where that cache can continue it. Runs on a small
 * random Gemma 3 model whose first layer attends over a window of 32 positions: with a micro-batch of 64 its
 * sliding-window cache holds 256 cells per sequence, so a 400-token conversation has lost its first ~150 positions
 * there. Each output is compared with an engine that keeps full-size caches ({@code swaFull}), which can continue
 * anything, serving the same requests in the same order.
 */
@Timeout(180)
class SlidingWindowCacheTest {
    private static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(Models.slidingWindow());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static Engine engine(boolean swaFull, int parallel, long cacheBytes) {
        return Engine.start(model, EngineParams.builder().parallel(parallel).promptCacheBytes(cacheBytes)
                .session(session(swaFull)).build());
    }

    private static SessionParams session(boolean swaFull) {
        return SessionParams.builder().contextSize(1024).batchSize(256).ubatchSize(64).threads(2).swaFull(swaFull)
                .build();
    }

    static GenerationResult run(Engine engine, int[] prompt, int n) {
        return engine.submit(GenerateRequest.builder().promptTokens(prompt).sampling(SamplingParams.greedy())
                .maxTokens(n).build(), GenerationListener.NONE).result().orTimeout(60, TimeUnit.SECONDS).join();
    }

    /** BOS, then {@code n - 1} tokens of a stride through ids 20-579 that {@code seed} shifts. */
    static int[] prompt(int seed, int n) {
        int[] p = IntStream.range(0, n).map(i -> 20 + (i * 7 + seed * 13) % 560).toArray();
        p[0] = 1;
        return p;
    }

    /** The first {@code keep} tokens of {@code base}, then {@code more} tokens of another stride. */
    private static int[] branch(int[] base, int keep, int more) {
        int[] p = Arrays.copyOf(base, keep + more);
        for (int i = 0; i < more; i++) {
            p[keep + i] = 25 + (i * 11) % 550;
        }
        return p;
    }

    static int[] plus(int[] a, int[] b, int more) {
        int[] p = Arrays.copyOf(a, a.length + b.length + more);
        System.arraycopy(b, 0, p, a.length, b.length);
        for (int i = 0; i < more; i++) {
            p[a.length + b.length + i] = 30 + i;
        }
        return p;
    }

    /** What each engine answers to {@code prompts}, sent one after another; [0] window-sized, [1] full-size. */
    private static GenerationResult[][] both(List<int[]> prompts, int parallel, long cacheBytes) {
        GenerationResult[][] out = new GenerationResult[2][prompts.size()];
        for (int k = 0; k < 2; k++) {
            try (Engine engine = engine(k == 1, parallel, cacheBytes)) {
                for (int i = 0; i < prompts.size(); i++) {
                    out[k][i] = run(engine, prompts.get(i), 8);
                }
            }
        }
        return out;
    }

    @Test
    void theSlidingWindowLayerGetsAWindowSizedCache() {
        for (boolean full : new boolean[] {false, true}) {
            try (LlamaLog log = new LlamaLog(); Engine engine = engine(full, 2, 0)) {
                String expected = "creating     SWA KV cache, size = " + (full ? 1024 : 256) + " cells";
                assertTrue(log.lines.stream().anyMatch(l -> l.contains(expected)),
                        "swaFull " + full + ": no '" + expected + "' in " + log.lines.stream()
                                .filter(l -> l.contains("KV cache")).toList());
                assertEquals(8, run(engine, prompt(1, 40), 8).tokens().length);
            }
        }
    }

    /** llama.cpp's own KV buffer sizes (its log), against what the offload planner counts for the same settings. */
    @Test
    void thePlannerCountsTheKvCacheLlamaCppAllocates() throws Exception {
        ModelFootprint footprint = ModelFootprint.read(Models.slidingWindow());
        ComputeDevice cpu = new ComputeDevice("CPU", "", DeviceType.CPU, 1L << 34, 1L << 34);
        Pattern size = Pattern.compile("KV buffer size = +([0-9.]+) MiB");
        for (boolean full : new boolean[] {false, true}) {
            double logged = 0;
            try (LlamaLog log = new LlamaLog(); Engine engine = engine(full, 2, 0)) {
                for (String line : log.lines) {
                    Matcher m = size.matcher(line);
                    if (m.find()) {
                        logged += Double.parseDouble(m.group(1));
                    }
                }
            }
            OffloadSettings settings = OffloadSettings.builder().numCtx(1024).slots(2).ubatch(64).swaFull(full)
                    .build();
            long planned = OffloadPlanner.plan(footprint, settings, List.of(cpu)).cpu().kvBytes();
            // 2 KV heads x 32 x (K + V) x 2 bytes = 256 bytes a cell; the full layer 2 x 1024 cells, the sliding
            // one 2 x 256 window-sized (0.625 MiB in all) or 2 x 1024 full-size (1 MiB).
            assertEquals(full ? 1L << 20 : 655_360L, planned);
            assertEquals(planned / (double) (1 << 20), logged, 0.01, "swaFull " + full);
        }
    }

    @Test
    void aConversationsNextTurnContinuesTheWindowSizedCache() {
        int[] first = prompt(2, 400);
        GenerationResult[][] firstTurn = both(List.of(first), 1, 0);
        assertArrayEquals(firstTurn[1][0].tokens(), firstTurn[0][0].tokens());
        int[] second = plus(first, firstTurn[0][0].tokens(), 20);
        GenerationResult[][] r = both(List.of(first, second), 1, 0);
        assertEquals(first.length + 7, r[0][1].cachedPromptTokens());
        assertEquals(first.length + 7, r[1][1].cachedPromptTokens());
        assertArrayEquals(r[1][1].tokens(), r[0][1].tokens());
    }

    @Test
    void aPrefixWhoseWindowIsStillCachedIsReused() {
        int[] first = prompt(3, 400);
        int[] retry = branch(first, 380, 30);
        GenerationResult[][] r = both(List.of(first, retry), 1, 0);
        assertEquals(380, r[0][1].cachedPromptTokens());
        assertEquals(380, r[1][1].cachedPromptTokens());
        assertArrayEquals(r[1][1].tokens(), r[0][1].tokens());
    }

    @Test
    void aPrefixThatLeavesTheCacheBeforeItsWindowIsEvaluatedAgain() {
        int[] first = prompt(4, 400);
        int[] edit = branch(first, 100, 60);
        GenerationResult[][] r = both(List.of(first, edit), 1, 0);
        // Full-size caches continue after 100 tokens; the window-sized one lost positions 69-99 and starts over.
        assertEquals(100, r[1][1].cachedPromptTokens());
        assertEquals(0, r[0][1].cachedPromptTokens());
        assertEquals(FinishReason.LENGTH, r[0][1].finishReason());
        try (Engine fresh = engine(false, 1, 0)) {
            assertArrayEquals(run(fresh, edit, 8).tokens(), r[0][1].tokens());
        }
    }

    @Test
    void aSequenceRestoredFromHostRamFollowsTheSameRule() {
        int[] first = prompt(5, 400);
        int[] other = prompt(6, 80);
        GenerationResult[][] firstTurn = both(List.of(first), 1, 0);
        int[] next = plus(first, firstTurn[0][0].tokens(), 20);
        int[] edit = branch(first, 120, 40);
        // One slot: `other` pushes the conversation out to host RAM, each later prompt brings it back.
        GenerationResult[][] r = both(List.of(first, other, next, other, edit), 1, 64L << 20);
        assertEquals(first.length + 7, r[0][2].cachedPromptTokens());
        assertArrayEquals(r[1][2].tokens(), r[0][2].tokens());
        assertEquals(120, r[1][4].cachedPromptTokens());
        assertEquals(0, r[0][4].cachedPromptTokens());
        try (Engine fresh = engine(false, 1, 0)) {
            assertArrayEquals(run(fresh, edit, 8).tokens(), r[0][4].tokens());
        }
    }

    /**
     * After a restart the conversation comes back from the disk tier under the same rule, and a file written with
     * full-size caches is never loaded into window-sized ones (their identities differ).
     */
    @Test
    void aConversationOnDiskFollowsTheSameRuleAndKeepsItsCacheKind(@TempDir Path dir) {
        int[] first = prompt(8, 400);
        int[] next = plus(first, both(List.of(first), 1, 0)[0][0].tokens(), 20);
        int[] edit = branch(first, 150, 30);
        GenerationResult[][] reference = both(List.of(first, next), 1, 0);
        for (boolean full : new boolean[] {true, false}) {
            try (Engine engine = diskEngine(full, dir)) {
                run(engine, first, 8); // written to disk when the engine closes
            }
        }
        try (Engine engine = diskEngine(false, dir)) {
            GenerationResult resumed = run(engine, next, 8);
            assertEquals(first.length + 7, resumed.cachedPromptTokens());
            assertArrayEquals(reference[0][1].tokens(), resumed.tokens());
            assertEquals(1, engine.stats().promptCacheRestores());
        }
        try (Engine engine = diskEngine(false, dir)) {
            GenerationResult far = run(engine, edit, 8);
            assertEquals(0, far.cachedPromptTokens());
            try (Engine fresh = engine(false, 1, 0)) {
                assertArrayEquals(run(fresh, edit, 8).tokens(), far.tokens());
            }
        }
    }

    private static Engine diskEngine(boolean swaFull, Path dir) {
        return Engine.start(model, EngineParams.builder().parallel(1).promptCacheBytes(64L << 20)
                .diskCache(dir, 256L << 20, "swa-model").session(session(swaFull)).build());
    }

    @Test
    void aSessionFollowsTheSameRule() {
        int[] first = prompt(7, 400);
        int[] edit = branch(first, 100, 60);
        int[] near = branch(first, 390, 10);
        try (Session session = model.newSession(session(false))) {
            session.generate(request(first), GenerationListener.NONE);
            GenerationResult far = session.generate(request(edit), GenerationListener.NONE);
            assertEquals(0, far.cachedPromptTokens());
            session.generate(request(first), GenerationListener.NONE);
            assertEquals(390, session.generate(request(near), GenerationListener.NONE).cachedPromptTokens());
        }
    }

    private static GenerateRequest request(int[] prompt) {
        return GenerateRequest.builder().promptTokens(prompt).sampling(SamplingParams.greedy()).maxTokens(4).build();
    }

    @Test
    void theRule() {
        // A token at p attends to p - 31 .. p under a window of 32: continuing after keep needs keep - 31 onwards.
        assertTrue(SlidingWindow.canContinue(32, 69, 100));
        assertTrue(!SlidingWindow.canContinue(32, 70, 100));
        assertTrue(SlidingWindow.canContinue(32, 0, 20));
        assertTrue(!SlidingWindow.canContinue(32, 1, 20));
        assertTrue(!SlidingWindow.canContinue(32, -1, 5), "a sequence with no cell cannot be continued");
        assertTrue(SlidingWindow.canContinue(32, -1, 0), "nothing kept: nothing needed");
        assertTrue(SlidingWindow.canContinue(0, 300, 100), "no window: anything cached is there");
    }
}
