package dev.puna.runtime;

import dev.puna.bindings.Llama;
import dev.puna.runtime.internal.PromptCache;
import dev.puna.runtime.internal.SlidingWindow;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Carries out {@link SlotSelector}'s decision for a newly admitted job on the KV cache: gives the job's slot the
 * longest cached prefix of its prompt (its own cache, an idle slot's, or a sequence saved in host RAM) and drops the
 * rest. A conversation pushed out of the slot is saved to host RAM first (already saved when the slot idled, see
 * {@link #saveIdle}), so its next turn can come back. KV state computed under other LoRA adapters is never
 * reused, and neither is a prefix a window-sized sliding-window cache cannot continue ({@link SlidingWindow}): such a
 * prompt is evaluated from the start. Also the slot's other KV housekeeping: saving idle conversations, and Ollama's context shift. Touched only
 * by the engine's decode thread.
 */
final class PrefixLoader {
    private final MemorySegment ctx;
    private final MemorySegment memory;
    private final PromptCache promptCache;
    private final EngineSlot[] slots;
    private final boolean caching;
    private final SlidingWindow window;

    /** @param caching whether the host-RAM cache has a budget at all */
    PrefixLoader(MemorySegment ctx, PromptCache promptCache, EngineSlot[] slots, boolean caching,
                 SlidingWindow window) {
        this.ctx = ctx;
        this.window = window;
        this.memory = Llama.llama_get_memory(ctx);
        this.promptCache = promptCache;
        this.slots = slots;
        this.caching = caching;
    }

    /**
     * An idle slot whose conversation is not in the host-RAM cache yet, or null. Saving it while the engine idles
     * takes the copy off the path of the next request: when that request displaces the conversation, the save in
     * {@link #load} finds it saved and costs nothing.
     */
    EngineSlot unsavedIdle() {
        if (!caching) {
            return null;
        }
        for (EngineSlot s : slots) {
            if (s.free() && s.cached.length >= PromptCache.MIN_TOKENS && s.saved != s.cached) {
                return s;
            }
        }
        return null;
    }

    /** Saves one idle slot's conversation to host RAM; false when none was left to save. */
    boolean saveIdle() {
        EngineSlot s = unsavedIdle();
        if (s == null) {
            return false;
        }
        promptCache.save(ctx, s.seq, s.cached, s.cachedWith);
        s.saved = s.cached; // saved, or refused (too big for the budget): either way not tried again
        return true;
    }

    /**
     * Makes room in a full slot by dropping the older half of the tokens after the first {@code numKeep} (Ollama's
     * context shift; the caller checks that the request allows it and the cache can shift). False if nothing can go.
     */
    boolean shift(EngineSlot s, int numKeep) {
        int n = s.cached.length;
        int keep = Math.min(numKeep, n / 2);
        int discard = (n - keep) / 2;
        if (discard <= 0) {
            return false;
        }
        Llama.llama_memory_seq_rm(memory, s.seq, keep, keep + discard);
        Llama.llama_memory_seq_add(memory, s.seq, keep + discard, n, -discard);
        int[] shifted = new int[n - discard];
        System.arraycopy(s.cached, 0, shifted, 0, keep);
        System.arraycopy(s.cached, keep + discard, shifted, keep, n - keep - discard);
        s.cached = shifted;
        return true;
    }

    /** Puts the best prefix of {@code job}'s prompt into {@code s}; returns how many prompt tokens it holds now. */
    int load(EngineSlot s, EngineJob job) {
        boolean saved = false;
        if (!s.cachedWith.equals(job.adapters)) {
            // KV state computed under other adapters is wrong for this job: keep it in host RAM for its own kind.
            promptCache.save(ctx, s.seq, s.cached, s.cachedWith);
            clear(s);
            s.cachedWith = job.adapters;
            saved = true;
        }
        PromptCache.Match hit = promptCache.best(job.prompt, job.adapters);
        SlotSelector.Reuse reuse = SlotSelector.reuse(s, slots, job.prompt, hit == null ? 0 : hit.common());
        if (reuse.source() != SlotSelector.Source.OWN) {
            promptCache.save(ctx, s.seq, s.cached, s.cachedWith);
            saved = true;
            clear(s);
            if (reuse.source() == SlotSelector.Source.HOST_CACHE) {
                if (promptCache.restore(ctx, hit, s.seq)) {
                    s.cached = hit.tokens().clone();
                }
            } else {
                // A copy between KV streams copies the whole buffer (at the next decode); the tail is trimmed below.
                Llama.llama_memory_seq_cp(memory, reuse.donor().seq, s.seq, -1, -1);
                s.cached = reuse.donor().cached.clone();
            }
        }
        int keep = SlotSelector.keep(s.cached, job.prompt);
        if (job.images != null) {
            keep = job.images.alignDown(keep);
        }
        if (!window.canContinue(s.seq, keep)) {
            keep = 0;
        }
        if (keep < s.cached.length) {
            if (!saved && s.cached.length - keep >= PromptCache.MIN_TOKENS) {
                promptCache.save(ctx, s.seq, s.cached, s.cachedWith);
            }
            if (!Llama.llama_memory_seq_rm(memory, s.seq, keep, -1)) {
                Llama.llama_memory_seq_rm(memory, s.seq, -1, -1);
                keep = 0;
            }
            s.cached = Arrays.copyOf(s.cached, keep);
        }
        return keep;
    }

    private void clear(EngineSlot s) {
        Llama.llama_memory_seq_rm(memory, s.seq, -1, -1);
        s.cached = new int[0];
    }
}
