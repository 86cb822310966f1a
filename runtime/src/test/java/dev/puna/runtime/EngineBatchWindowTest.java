package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * EngineParams.batchWindow: requests that reach an idle engine a little apart are evaluated in one first step, and a
 * request that arrives while others decode is not held back (a window of a whole second that it would have to
 * wait out, against a step of a few milliseconds).
 */
@Timeout(60)
class EngineBatchWindowTest {
    private static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(Models.randomSmall());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static Engine engine(Duration window) {
        return Engine.start(model, EngineParams.builder().parallel(4).promptCacheBytes(0).batchWindow(window)
                .session(SessionParams.builder().contextSize(1024).threads(2).build()).build());
    }


    /**
     * Decode calls it takes two one-token requests (prompt seeds {@code seed} and {@code seed + 1}) submitted
     * {@code gapMillis} apart to an idle engine, the second announced before the first is submitted when
     * {@code announce}.
     */
    private static long decodeCallsForTwoRequestsApart(Engine engine, int seed, long gapMillis, boolean announce)
            throws InterruptedException {
        long before = engine.stats().decodeCalls();
        Engine.Arrival arrival = announce ? engine.expectArrival() : null;
        GenerationHandle first = engine.submit(Models.greedyTokens(seed, 1), GenerationListener.NONE);
        Thread.sleep(gapMillis);
        GenerationHandle second = engine.submit(Models.greedyTokens(seed + 1, 1), GenerationListener.NONE);
        if (arrival != null) {
            arrival.close();
            arrival.close(); // a second close changes nothing
        }
        assertEquals(1, first.result().orTimeout(30, TimeUnit.SECONDS).join().tokens().length);
        assertEquals(1, second.result().orTimeout(30, TimeUnit.SECONDS).join().tokens().length);
        return engine.stats().decodeCalls() - before;
    }

    @Test
    void requestsArrivingTogetherAtAnIdleEngineShareItsFirstStep() throws InterruptedException {
        try (Engine engine = engine(Duration.ofMillis(500))) {
            assertEquals(1, decodeCallsForTwoRequestsApart(engine, 1, 20, false));
        }
        try (Engine engine = engine(Duration.ZERO)) { // the control: without the window, one step each
            assertEquals(2, decodeCallsForTwoRequestsApart(engine, 1, 20, false));
        }
    }

    @Test
    void anAnnouncedRequestIsWaitedForLongerThanTheQuietWindow() throws InterruptedException {
        try (Engine engine = engine(Duration.ofMillis(40))) {
            // the control: 100 ms is more than the 40 ms quiet window (at most 200 ms of waiting), so the first
            // request steps alone
            assertEquals(2, decodeCallsForTwoRequestsApart(engine, 5, 100, false));
            // announced, the second is waited for (within the 200 ms cap) and both share the first step
            assertEquals(1, decodeCallsForTwoRequestsApart(engine, 5, 100, true));
            // and with every arrival closed, the quiet window alone decides again
            assertEquals(2, decodeCallsForTwoRequestsApart(engine, 5, 100, false));
        }
    }

    @Test
    void aLoneRequestWaitsAFifthOfTheWindowUnlessTheLastSpellHadTwoAtOnce() throws InterruptedException {
        try (Engine engine = engine(Duration.ofMillis(600))) {
            // a new engine counts as one that served one request at a time: a lone request waits 120 ms, so the
            // next one, 300 ms later, gets a step of its own
            assertEquals(2, decodeCallsForTwoRequestsApart(engine, 11, 300, false));
            // an announced one is still waited for; that spell has two at once
            assertEquals(1, decodeCallsForTwoRequestsApart(engine, 13, 300, true));
            // so the next lone request waits the whole window and the two share the first step
            assertEquals(1, decodeCallsForTwoRequestsApart(engine, 15, 300, false));
            // a request alone (it waits the whole window too) makes a spell of one at a time again
            GenerationHandle lone = engine.submit(Models.greedyTokens(17, 1), GenerationListener.NONE);
            assertEquals(1, lone.result().orTimeout(30, TimeUnit.SECONDS).join().tokens().length);
            assertEquals(2, decodeCallsForTwoRequestsApart(engine, 19, 300, false));
        }
    }

    @Test
    void aRequestArrivingWhileAnotherDecodesJoinsTheNextStep() {
        try (Engine engine = engine(Duration.ofSeconds(1))) {
            AtomicInteger longTokens = new AtomicInteger();
            GenerationHandle running = engine.submit(Models.greedyTokens(3, 800), e -> longTokens.incrementAndGet());
            while (longTokens.get() < 5) {
                Thread.onSpinWait();
            }
            long start = System.nanoTime();
            GenerationResult joined = engine.submit(Models.greedyTokens(4, 1), GenerationListener.NONE).result()
                    .orTimeout(30, TimeUnit.SECONDS).join();
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(1, joined.tokens().length);
            // One step of the small model takes milliseconds; waiting out the window would take a whole second
            // (and stall the running generation with it).
            assertTrue(waitedMillis < 900, "the newcomer waited " + waitedMillis + " ms");
            assertFalse(running.result().isDone());
            running.cancel();
            running.result().orTimeout(30, TimeUnit.SECONDS).join();
        }
    }
}
