package dev.puna.runtime;

import java.time.Duration;

/**
 * How many tokens one decode step may hold while several prompts wait, so that it lasts about
 * {@link EngineParams#stepTarget()}: the target divided by what a token has cost in recent steps. Where steps are
 * fast (a GPU, a small model) the budget is the whole batch and nothing changes; where a full batch takes a second
 * or more (a CPU), a burst's prompts are evaluated a few per step and get their first tokens one group after
 * another, for the same work in all (see {@link BatchBuilder#plan(int, int[], int[], long[], int)}).
 *
 * <p>Only steps of at least {@link #MIN_MEASURED_TOKENS} tokens are measured: in a step of a few tokens the fixed
 * cost of a pass over the weights dominates, and would make the tokens of a big step look dearer than they are.
 * Until such a step has run the budget is the whole batch. Decode thread only.
 */
final class StepBudget {
    static final int MIN_MEASURED_TOKENS = 32;
    /** Weight of the newest step in the running average: a few steps follow a change of load. */
    private static final double SMOOTHING = 0.25;

    private final long targetNanos;
    private double nanosPerToken;

    /** {@code target} zero: no budget, every step may fill the batch. */
    StepBudget(Duration target) {
        this.targetNanos = target.toNanos();
    }

    /** Records a step of {@code tokens} tokens that took {@code nanos}. */
    void record(int tokens, long nanos) {
        if (tokens < MIN_MEASURED_TOKENS || nanos <= 0) {
            return;
        }
        double perToken = (double) nanos / tokens;
        nanosPerToken = nanosPerToken == 0 ? perToken : nanosPerToken + SMOOTHING * (perToken - nanosPerToken);
    }

    /** The tokens the next step may hold, out of a batch of {@code capacity}: at least 1, at most the capacity. */
    int tokens(int capacity) {
        if (targetNanos == 0 || nanosPerToken == 0) {
            return capacity;
        }
        return (int) Math.max(1, Math.min(capacity, (long) (targetNanos / nanosPerToken)));
    }
}
