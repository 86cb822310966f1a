package dev.puna.runtime;

/**
 * Durations of one generation, in nanoseconds, measured around the native calls (Ollama reports the same
 * quantities as {@code load_duration}, {@code prompt_eval_duration}, {@code eval_duration}).
 *
 * @param loadNanos time spent loading the model for this request (0 when it was already loaded)
 * @param promptEvalNanos time spent evaluating the prompt tokens that were not already cached
 * @param evalNanos time spent generating the completion tokens (sampling included)
 * @param promptTokensEvaluated prompt tokens actually evaluated (the rest came from the cache)
 * @param tokensGenerated completion tokens generated
 */
public record Timings(long loadNanos, long promptEvalNanos, long evalNanos, int promptTokensEvaluated,
                      int tokensGenerated) {

    /** Prompt evaluation speed in tokens per second (0 when nothing was evaluated). */
    public double promptTokensPerSecond() {
        return promptEvalNanos <= 0 ? 0 : promptTokensEvaluated * 1e9 / promptEvalNanos;
    }

    /** Generation speed in tokens per second (0 when nothing was generated). */
    public double evalTokensPerSecond() {
        return evalNanos <= 0 ? 0 : tokensGenerated * 1e9 / evalNanos;
    }

    /** The same timings with {@code loadNanos} replaced. */
    public Timings withLoadNanos(long nanos) {
        return new Timings(nanos, promptEvalNanos, evalNanos, promptTokensEvaluated, tokensGenerated);
    }
}
