package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * EngineParams.firstTokenPause: the decode thread sleeps once after the step that gave a request its first token,
 * before its second, and not after the steps that follow.
 */
@Timeout(60)
class EngineFirstTokenPauseTest {
    private static final int TOKENS = 20;
    private static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(Models.randomSmall());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** When each of a {@value #TOKENS}-token greedy generation's tokens reached the listener (nanoTime). */
    private static List<Long> tokenTimes(Duration pause) {
        try (Engine engine = Engine.start(model, EngineParams.builder().parallel(2).promptCacheBytes(0)
                .firstTokenPause(pause).session(SessionParams.builder().contextSize(512).threads(2).build())
                .build())) {
            List<Long> times = new ArrayList<>(); // the decode thread's only
            GenerationResult result = engine.submit(Models.greedyTokens(3, TOKENS), e -> times.add(System.nanoTime()))
                    .result().orTimeout(30, TimeUnit.SECONDS).join();
            assertEquals(TOKENS, result.tokens().length);
            assertEquals(TOKENS, times.size());
            return times;
        }
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }

    @Test
    void theDecodeThreadSleepsOnceBetweenARequestsFirstAndSecondToken() {
        List<Long> paused = tokenTimes(Duration.ofMillis(300));
        long firstGap = millis(paused.get(1) - paused.get(0));
        assertTrue(firstGap >= 300, "the second token came " + firstGap + " ms after the first");
        // once per request: after every step it would take 19 pauses, over 5 s
        long rest = millis(paused.getLast() - paused.get(1));
        assertTrue(rest < 2500, "the 18 tokens after the second took " + rest + " ms");
        // the control: a step of the small model takes milliseconds
        List<Long> plain = tokenTimes(Duration.ZERO);
        long plainGap = millis(plain.get(1) - plain.get(0));
        assertTrue(plainGap < 300, "without the pause the second token came " + plainGap + " ms after the first");
    }
}
