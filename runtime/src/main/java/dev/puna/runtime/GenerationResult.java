package dev.puna.runtime;

/**
 * The outcome of one generation.
 *
 * @param text the completion text (stop string excluded)
 * @param tokens the generated token ids, in order (an EOS token that ended the generation is not included)
 * @param finishReason why it ended
 * @param promptTokens number of tokens in the prompt
 * @param cachedPromptTokens how many of them were reused from the session's KV cache instead of evaluated
 * @param completionTokens number of generated tokens
 * @param timings durations of prompt evaluation and generation
 */
public record GenerationResult(String text, int[] tokens, FinishReason finishReason, int promptTokens,
                               int cachedPromptTokens, int completionTokens, Timings timings) {
}
