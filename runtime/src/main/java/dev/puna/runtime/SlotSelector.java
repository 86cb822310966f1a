package dev.puna.runtime;

import dev.puna.runtime.internal.PromptCache;

/**
 * Decides where a request runs and which cached prefix it starts from. Pure: it reads slots' token lists and
 * decides; the {@link Engine} carries the decision out on the KV cache.
 */
final class SlotSelector {
    /** How many more cached tokens another source must offer before its prefix is brought into a slot. */
    static final int REUSE_MARGIN = 32;

    /** Where a newly admitted prompt's prefix comes from. */
    enum Source {
        /** The slot's own cache (possibly nothing). */
        OWN,
        /** A copy of an idle slot's sequence. */
        DONOR,
        /** A sequence saved to host RAM. */
        HOST_CACHE
    }

    /** The decision for one prompt: the source, and the idle slot to copy from when it is {@link Source#DONOR}. */
    record Reuse(Source source, EngineSlot donor) {
    }

    private SlotSelector() {
    }

    /**
     * The slot a queued job goes to: always the lowest-numbered free one. llama.cpp decodes the sequences of a
     * batch in one pass only while their ids are consecutive (with one KV stream per sequence it splits the batch
     * at every gap), so keeping the busy slots packed at the low end keeps a step at one pass over the weights.
     * Prefix reuse does not depend on the slot: {@link #reuse} brings the best cached prefix into it.
     *
     * @return the slot, or null when every slot is busy
     */
    static EngineSlot freeSlot(EngineSlot[] slots) {
        for (EngineSlot s : slots) {
            if (s.free()) {
                return s;
            }
        }
        return null;
    }

    /**
     * Where the prompt of the job just admitted into {@code target} should start from: the target's own cache
     * unless an idle slot whose cache was computed with the same LoRA adapters as the target's, or the host-RAM cache's best match ({@code hitCommon} tokens, 0 for none), shares at
     * least {@link #REUSE_MARGIN} more tokens with it. Moving a prefix costs a copy, so a small gain is not worth it.
     */
    static Reuse reuse(EngineSlot target, EngineSlot[] slots, int[] prompt, int hitCommon) {
        int own = PromptCache.commonPrefix(target.cached, prompt);
        EngineSlot donor = null;
        int donorCommon = own;
        for (EngineSlot f : slots) {
            if (f != target && f.free() && f.cachedWith.equals(target.cachedWith)) {
                int c = PromptCache.commonPrefix(f.cached, prompt);
                if (c > donorCommon) {
                    donor = f;
                    donorCommon = c;
                }
            }
        }
        if (Math.max(donorCommon, hitCommon) < own + REUSE_MARGIN) {
            return new Reuse(Source.OWN, null);
        }
        return hitCommon > donorCommon ? new Reuse(Source.HOST_CACHE, null) : new Reuse(Source.DONOR, donor);
    }

    /**
     * How many of {@code cached}'s tokens the prompt keeps: their common prefix, less the last prompt token, which
     * is always evaluated again because its logits are needed to sample.
     */
    static int keep(int[] cached, int[] prompt) {
        return Math.min(PromptCache.commonPrefix(cached, prompt), prompt.length - 1);
    }
}
