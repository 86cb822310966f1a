package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The step budget: the target over what a token cost in recent steps (no native state). */
class StepBudgetTest {
    @Test
    void untilAStepIsMeasuredTheBudgetIsTheWholeBatch() {
        assertEquals(512, new StepBudget(Duration.ofMillis(300)).tokens(512));
    }

    @Test
    void theBudgetIsTheTargetOverTheCostOfAToken() {
        StepBudget b = new StepBudget(Duration.ofMillis(300));
        b.record(500, 1_000_000_000L); // 2 ms a token: 300 ms hold 150
        assertEquals(150, b.tokens(512));
    }

    @Test
    void laterStepsMoveTheAverageByAQuarterOfTheirDifference() {
        StepBudget b = new StepBudget(Duration.ofMillis(300));
        b.record(100, 200_000_000L); // 2 ms a token
        b.record(100, 600_000_000L); // 6 ms: the average becomes 2 + (6 - 2) / 4 = 3 ms, so 100 tokens
        assertEquals(100, b.tokens(512));
    }

    @Test
    void smallStepsAreNotMeasured() {
        StepBudget b = new StepBudget(Duration.ofMillis(300));
        b.record(StepBudget.MIN_MEASURED_TOKENS - 1, 3_000_000_000L);
        assertEquals(512, b.tokens(512));
        b.record(StepBudget.MIN_MEASURED_TOKENS, StepBudget.MIN_MEASURED_TOKENS * 10_000_000L); // 10 ms a token
        assertEquals(30, b.tokens(512));
    }

    @Test
    void fastStepsLeaveTheWholeBatchAndSlowOnesAtLeastOneToken() {
        StepBudget fast = new StepBudget(Duration.ofMillis(300));
        fast.record(512, 50_000_000L); // a GPU: 512 tokens in 50 ms
        assertEquals(512, fast.tokens(512));
        StepBudget slow = new StepBudget(Duration.ofMillis(300));
        slow.record(64, 64_000_000_000L); // a second a token
        assertEquals(1, slow.tokens(512));
    }

    @Test
    void aZeroTargetTurnsTheBudgetOff() {
        StepBudget off = new StepBudget(Duration.ZERO);
        off.record(500, 5_000_000_000L);
        assertEquals(512, off.tokens(512));
    }
}
