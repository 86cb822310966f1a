package dev.puna.runtime;

/**
 * A snapshot of an {@link Engine}'s state and its counters since it started.
 *
 * @param slots number of slots
 * @param activeSlots slots running a request
 * @param queued requests waiting for a slot
 * @param kvTokensUsed tokens held in the KV cache, over all slots (finished requests' prefixes included)
 * @param kvTokensCapacity tokens the KV cache can hold, over all slots
 * @param requests requests finished (any outcome)
 * @param promptTokensEvaluated prompt tokens decoded
 * @param promptTokensCached prompt tokens reused from the KV cache
 * @param tokensGenerated completion tokens sampled
 * @param decodeCalls {@code llama_decode} calls made
 * @param promptCacheBytes bytes of KV-cache sequences saved in host RAM
 * @param promptCacheRestores saved sequences brought back into a slot, from host RAM or from disk
 * @param draftTokens tokens a draft model proposed
 * @param draftAccepted of those, the tokens the target accepted
 * @param draftEvaluated tokens the draft model evaluated: catching up with the target, then drafting
 */
public record EngineStats(int slots, int activeSlots, int queued, long kvTokensUsed, long kvTokensCapacity,
                          long requests, long promptTokensEvaluated, long promptTokensCached, long tokensGenerated,
                          long decodeCalls, long promptCacheBytes, long promptCacheRestores, long draftTokens,
                          long draftAccepted, long draftEvaluated) {
    /** Stats of an engine without speculative decoding. */
    public EngineStats(int slots, int activeSlots, int queued, long kvTokensUsed, long kvTokensCapacity,
                       long requests, long promptTokensEvaluated, long promptTokensCached, long tokensGenerated,
                       long decodeCalls, long promptCacheBytes, long promptCacheRestores) {
        this(slots, activeSlots, queued, kvTokensUsed, kvTokensCapacity, requests, promptTokensEvaluated,
                promptTokensCached, tokensGenerated, decodeCalls, promptCacheBytes, promptCacheRestores, 0, 0, 0);
    }
}
