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
 * @param drafts speculative decoding's figures (zero without a draft model)
 */
public record GenerationResult(String text, int[] tokens, FinishReason finishReason, int promptTokens,
                               int cachedPromptTokens, int completionTokens, Timings timings, Drafts drafts) {
    /** Tokens a draft model proposed for this generation, and how many of them the target accepted. */
    public record Drafts(int proposed, int accepted) {
        public static final Drafts NONE = new Drafts(0, 0);

        /** Accepted over proposed; 0 when nothing was proposed. */
        public double acceptanceRate() {
            return proposed == 0 ? 0 : (double) accepted / proposed;
        }
    }

    /** A result without speculative decoding. */
    public GenerationResult(String text, int[] tokens, FinishReason finishReason, int promptTokens,
                            int cachedPromptTokens, int completionTokens, Timings timings) {
        this(text, tokens, finishReason, promptTokens, cachedPromptTokens, completionTokens, timings, Drafts.NONE);
    }
}
