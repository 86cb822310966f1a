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
     * The lowest-numbered free slot, or null when every slot is busy. Why the busy slots are kept together
     * ({@link #slotFor}): llama.cpp decodes the sequences of a batch in one pass only while their ids are consecutive
     * (with one KV stream per sequence it splits the batch at every gap), so one block of busy slots keeps a step at
     * one pass over the weights. Where the job's slot does not hold its prefix, {@link #reuse} brings the best
     * cached one into it.
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
     * The slot a queued job goes to, or null when every slot is busy. The busy slots stay one block of consecutive
     * ids (see {@link #freeSlot}): while some are busy, the job takes a free slot inside their block, else one next
     * to it; at an idle engine, any. Among those, the one whose cache (computed with the job's adapters) shares the
     * longest prefix with the prompt, at least {@link #REUSE_MARGIN} tokens, so that no prefix is copied in from
     * another slot or host RAM; else one holding nothing left to save ({@link #nothingToSave}), so that the newcomer
     * does not wait while the conversation it would displace is copied to host RAM; then the lowest.
     */
    static EngineSlot slotFor(EngineSlot[] slots, int[] prompt, AdapterSet adapters) {
        int lo = -1;
        int hi = -1;
        for (EngineSlot s : slots) {
            if (!s.free()) {
                lo = lo < 0 ? s.seq : lo;
                hi = s.seq;
            }
        }
        boolean holes = false;
        for (int i = lo + 1; i < hi && !holes; i++) {
            holes = slots[i].free();
        }
        EngineSlot best = null;
        int bestPrefix = -1;
        boolean bestClean = false;
        for (EngineSlot s : slots) {
            boolean fits = lo < 0 || (holes ? s.seq > lo && s.seq < hi : s.seq == lo - 1 || s.seq == hi + 1);
            if (!s.free() || !fits) {
                continue;
            }
            int prefix = s.cachedWith.equals(adapters) ? PromptCache.commonPrefix(s.cached, prompt) : 0;
            prefix = prefix < REUSE_MARGIN ? 0 : prefix;
            boolean clean = nothingToSave(s);
            if (prefix > bestPrefix || (prefix == bestPrefix && clean && !bestClean)) {
                best = s;
                bestPrefix = prefix;
                bestClean = clean;
            }
        }
        return best;
    }

    /**
     * Whether a free slot holds nothing a newcomer would save before replacing it: too few tokens for the host-RAM
     * cache, or a conversation saved there already.
     */
    static boolean nothingToSave(EngineSlot s) {
        return s.cached.length < PromptCache.MIN_TOKENS || s.saved == s.cached;
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
