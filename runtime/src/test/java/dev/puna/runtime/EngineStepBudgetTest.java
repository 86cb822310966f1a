package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * EngineParams.stepTarget on a real engine: prompts that wait together are evaluated one per step once a step has
 * been measured to be dearer than the target, and what they generate does not change.
 */
@Timeout(60)
class EngineStepBudgetTest {
    private static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(Models.randomSmall());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static Engine engine(Duration stepTarget) {
        // A long batch window: the three requests below reach the idle engine together and share a first step.
        return Engine.start(model, EngineParams.builder().parallel(4).promptCacheBytes(0)
                .batchWindow(Duration.ofMillis(200)).stepTarget(stepTarget)
                .session(SessionParams.builder().contextSize(1024).threads(2).build()).build());
    }


    /** Decode calls for three 40-token prompts submitted together after one measured request; their outputs. */
    private static long threePrompts(Engine engine, List<int[]> outputs) {
        // 40 prompt tokens: a step big enough to be measured (StepBudget.MIN_MEASURED_TOKENS)
        engine.submit(Models.greedyTokens(99, 1), GenerationListener.NONE).result()
                .orTimeout(30, TimeUnit.SECONDS).join();
        long before = engine.stats().decodeCalls();
        List<GenerationHandle> handles = new ArrayList<>();
        for (int seed = 1; seed <= 3; seed++) {
            handles.add(engine.submit(Models.greedyTokens(seed, 3), GenerationListener.NONE));
        }
        for (GenerationHandle h : handles) {
            outputs.add(h.result().orTimeout(30, TimeUnit.SECONDS).join().tokens());
        }
        return engine.stats().decodeCalls() - before;
    }

    @Test
    void waitingPromptsAreEvaluatedOnePerStepWhenAStepIsDearerThanTheTarget() {
        List<int[]> budgeted = new ArrayList<>();
        List<int[]> full = new ArrayList<>();
        try (Engine engine = engine(Duration.ofNanos(1))) {
            // A 1 ns target buys 1 token: each step holds the oldest prompt whole and the decoding sequences.
            // Step 1: prompt 1; 2: prompt 2 and 1's 2nd token; 3: prompt 3, 1's 3rd and 2's 2nd; 4 and 5: the rest.
            assertEquals(5, threePrompts(engine, budgeted));
        }
        try (Engine engine = engine(Duration.ZERO)) {
            // The control, no budget: one step for the three prompts, then two steps for their 2nd and 3rd tokens.
            assertEquals(3, threePrompts(engine, full));
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(3, full.get(i).length);
            assertArrayEquals(full.get(i), budgeted.get(i), "request " + (i + 1));
        }
    }
}
