package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A conversation's cached prefix follows it when its next turn lands in another slot: copied from the free slot
 * that holds it, or restored from host RAM after another request took that slot. Runs on a small random model,
 * whose attention does depend on the KV cache, so a wrong copy changes the output: each continuation is compared
 * with the same turn served from the conversation's own, untouched slot.
 */
@Timeout(120)
class EnginePrefixReuseTest {
    private static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(Models.randomSmall());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static Engine engine(int parallel, long cacheBytes) {
        return Engine.start(model, EngineParams.builder().parallel(parallel).promptCacheBytes(cacheBytes)
                .session(SessionParams.builder().contextSize(512).threads(2).build()).build());
    }

    private static GenerationResult run(Engine engine, int[] prompt, int n) {
        return engine.submit(GenerateRequest.builder().promptTokens(prompt).sampling(SamplingParams.greedy())
                .maxTokens(n).build(), GenerationListener.NONE).result().orTimeout(60, TimeUnit.SECONDS).join();
    }

    /** 150 prompt tokens of a first turn, then its 20 generated tokens and 10 more: the second turn. */
    private static int[][] turns(int seed) {
        int[] first = IntStream.range(0, 150).map(i -> 20 + (i * 7 + seed) % 500).toArray();
        first[0] = 1; // BOS
        return new int[][] {first};
    }

    private static int[] secondTurn(int[] first, GenerationResult answer) {
        int[] second = Arrays.copyOf(first, first.length + answer.tokens().length + 10);
        System.arraycopy(answer.tokens(), 0, second, first.length, answer.tokens().length);
        for (int i = 0; i < 10; i++) {
            second[first.length + answer.tokens().length + i] = 30 + i;
        }
        return second;
    }

    /** The reference: the second turn served from the slot the first turn left behind. */
    private static GenerationResult reference(int[] first) {
        try (Engine engine = engine(1, 0)) {
            GenerationResult answer = run(engine, first, 20);
            GenerationResult r = run(engine, secondTurn(first, answer), 12);
            assertEquals(first.length + 19, r.cachedPromptTokens());
            return r;
        }
    }

    /**
     * Takes a slot and pauses itself after its first token (holding the slot without decoding, and without blocking
     * the decode thread), so that the next request is admitted next to it.
     */
    private static GenerationHandle holdASlot(Engine engine, CountDownLatch paused) {
        GenerationHandle[] self = new GenerationHandle[1];
        CountDownLatch assigned = new CountDownLatch(1);
        self[0] = engine.submit(GenerateRequest.builder().promptTokens(new int[] {1, 40, 41})
                .sampling(SamplingParams.greedy()).maxTokens(400).build(), event -> {
                    try {
                        assigned.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    if (!self[0].isPaused()) {
                        self[0].pause();
                        paused.countDown();
                    }
                });
        assigned.countDown();
        return self[0];
    }

    @Test
    void aFreeSlotsPrefixIsCopiedIntoTheSlotNextToTheBusyOne() throws Exception {
        int[] first = turns(3)[0];
        GenerationResult expected = reference(first);
        try (Engine engine = engine(4, 0)) {
            // At an idle engine each goes to the lowest slot holding nothing worth keeping: 0, 1, 2
            GenerationResult answer = run(engine, first, 20);
            run(engine, turns(21)[0], 4);
            run(engine, turns(23)[0], 4);
            CountDownLatch paused = new CountDownLatch(1);
            GenerationHandle hold = holdASlot(engine, paused); // slot 3, the only empty one
            assertTrue(paused.await(30, TimeUnit.SECONDS));
            // Slot 3 is busy, so the second turn goes next to it, to slot 2, and takes slot 0's prefix.
            GenerationResult second = run(engine, secondTurn(first, answer), 12);
            assertEquals(first.length + 19, second.cachedPromptTokens());
            assertArrayEquals(expected.tokens(), second.tokens());
            assertEquals(0, engine.stats().promptCacheRestores());
            hold.cancel();
            assertEquals(FinishReason.CANCELLED, hold.result().join().finishReason());
        }
    }

    /**
     * At an idle engine a newcomer takes an empty slot rather than one whose conversation it would have to save
     * first, and the conversation's next turn goes back to the slot that holds it: no copy either way.
     */
    @Test
    void aNewcomerAtAnIdleEngineLeavesAnUnsavedConversationInItsSlot() {
        int[] first = turns(25)[0];
        GenerationResult expected = reference(first);
        try (Engine engine = Engine.start(model, EngineParams.builder().parallel(2).promptCacheBytes(64L << 20)
                .idleSaveDelay(Duration.ofMinutes(10))
                .session(SessionParams.builder().contextSize(512).threads(2).build()).build())) {
            GenerationResult answer = run(engine, first, 20);
            run(engine, turns(27)[0], 4); // slot 1: slot 0's conversation is not saved yet
            assertEquals(0, engine.stats().promptCacheBytes(), "nothing saved on the newcomer's way");
            GenerationResult second = run(engine, secondTurn(first, answer), 12);
            assertEquals(first.length + 19, second.cachedPromptTokens());
            assertArrayEquals(expected.tokens(), second.tokens());
            assertEquals(0, engine.stats().promptCacheRestores());
            assertEquals(0, engine.stats().promptCacheBytes());
        }
    }

    @Test
    void anIdleSlotsConversationIsSavedBeforeANewcomerNeedsTheSlot() throws Exception {
        int[] first = turns(9)[0];
        GenerationResult expected = reference(first);
        try (Engine engine = engine(1, 64L << 20)) {
            GenerationResult answer = run(engine, first, 20);
            // Nothing else is asked: the engine idles, and saves the finished conversation meanwhile.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (engine.stats().promptCacheBytes() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            long saved = engine.stats().promptCacheBytes();
            assertTrue(saved > 0, "saved while idle");
            run(engine, turns(13)[0], 4); // takes the only slot: the conversation is in host RAM already
            GenerationResult second = run(engine, secondTurn(first, answer), 12);
            assertEquals(first.length + 19, second.cachedPromptTokens());
            assertArrayEquals(expected.tokens(), second.tokens());
            assertEquals(1, engine.stats().promptCacheRestores());
        }
    }

    /**
     * The idle save waits for {@code idleSaveDelay}: a next turn that comes sooner finds its slot as it was and does
     * not wait for a copy. A newcomer that takes the slot before the save saves the conversation itself.
     */
    @Test
    void anIdleSlotIsNotSavedBeforeTheDelayAndANewcomerSavesItItself() throws Exception {
        int[] first = turns(17)[0];
        GenerationResult expected = reference(first);
        try (Engine engine = Engine.start(model, EngineParams.builder().parallel(1).promptCacheBytes(64L << 20)
                .idleSaveDelay(Duration.ofMinutes(10))
                .session(SessionParams.builder().contextSize(512).threads(2).build()).build())) {
            GenerationResult answer = run(engine, first, 20);
            Thread.sleep(300); // ample for a save (the test above sees one within milliseconds of idling)
            assertEquals(0, engine.stats().promptCacheBytes(), "not saved before the delay");
            run(engine, turns(19)[0], 4); // takes the only slot: the conversation is saved on the way
            assertTrue(engine.stats().promptCacheBytes() > 0, "saved by the newcomer");
            GenerationResult second = run(engine, secondTurn(first, answer), 12);
            assertEquals(first.length + 19, second.cachedPromptTokens());
            assertArrayEquals(expected.tokens(), second.tokens());
            assertEquals(1, engine.stats().promptCacheRestores());
        }
    }

    @Test
    void aConversationPushedOutOfItsSlotComesBackFromHostRam() {
        int[] first = turns(5)[0];
        GenerationResult expected = reference(first);
        try (Engine engine = engine(1, 64L << 20)) {
            GenerationResult answer = run(engine, first, 20);
            int[] other = turns(11)[0];
            run(engine, other, 4); // takes the only slot; the first conversation is saved to host RAM
            assertTrue(engine.stats().promptCacheBytes() > 0);
            GenerationResult second = run(engine, secondTurn(first, answer), 12);
            assertEquals(first.length + 19, second.cachedPromptTokens());
            assertArrayEquals(expected.tokens(), second.tokens());
            assertEquals(1, engine.stats().promptCacheRestores());
        }
    }

    /**
     * The host-RAM cache outlives the decode thread that filled it: an idle engine lets its thread go
     * ({@code threadKeepAlive}), and the next one restores, evicts and finally frees what the last one saved (with no
     * disk tier, and for checkpoints, whose entries no writer thread frees).
     */
    @Test
    void aConversationSavedByOneDecodeThreadComesBackOnTheNext() throws InterruptedException {
        int[] first = turns(6)[0];
        GenerationResult expected = reference(first);
        try (Engine engine = Engine.start(model, EngineParams.builder().parallel(1).promptCacheBytes(64L << 20)
                .threadKeepAlive(java.time.Duration.ofMillis(20))
                .session(SessionParams.builder().contextSize(512).threads(2).build()).build())) {
            GenerationResult answer = run(engine, first, 20);
            Thread.sleep(500); // saved while idle, then the thread goes
            run(engine, turns(12)[0], 4); // another thread takes the only slot
            Thread.sleep(500);
            GenerationResult second = run(engine, secondTurn(first, answer), 12);
            assertEquals(first.length + 19, second.cachedPromptTokens());
            assertArrayEquals(expected.tokens(), second.tokens());
            assertEquals(1, engine.stats().promptCacheRestores());
        }
    }

    @Test
    void withoutHostRamThePushedOutConversationIsEvaluatedAgain() {
        int[] first = turns(5)[0];
        try (Engine engine = engine(1, 0)) {
            GenerationResult answer = run(engine, first, 20);
            run(engine, turns(11)[0], 4);
            GenerationResult second = run(engine, secondTurn(first, answer), 12);
            assertEquals(1, second.cachedPromptTokens()); // only BOS is shared with the other prompt
            assertEquals(0, engine.stats().promptCacheBytes());
        }
    }
}
