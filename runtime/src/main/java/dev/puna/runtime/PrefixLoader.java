package dev.puna.runtime;

import dev.puna.bindings.Llama;
import dev.puna.runtime.internal.PromptCache;
import dev.puna.runtime.internal.SlidingWindow;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.function.IntUnaryOperator;

/**
 * Carries out {@link SlotSelector}'s decision for a newly admitted job on the KV cache: gives the job's slot the
 * longest cached prefix of its prompt (its own cache, an idle slot's, or a sequence saved in host RAM) and drops the
 * rest. A conversation pushed out of the slot is saved to host RAM first (already saved when the slot idled, see
 * {@link #saveIdle}), so its next turn can come back. KV state computed under other LoRA adapters is never
 * reused, and neither is a prefix a window-sized sliding-window cache cannot continue ({@link SlidingWindow}): such a
 * prompt continues from the latest checkpoint before it, or is evaluated from the start. Also the slot's other
 * KV housekeeping: saving idle conversations, checkpoints, and Ollama's context shift. Touched only by the
 * engine's decode thread.
 *
 * <p>Checkpoints, for a model whose memory cannot simply be cut back to a prefix, when there is a host-RAM cache to
 * keep them in: window-sized sliding-window caches, which hold the window of the newest token only, and the state of
 * recurrent layers (Mamba, and the hybrids that mix them with attention: Jamba, Granite 4, Qwen3-Next, ...), which
 * holds the newest position only. A prompt's evaluation pauses {@value #CHECKPOINT_OFFSET} tokens before its end,
 * one micro-batch before that, and where the request says user messages start ({@link #nextCheckpoint}), for a copy
 * of that part of the sequence's memory ({@link PromptCache#saveCheckpoint}), as llama-server's context checkpoints
 * do; a prompt that continues a cached conversation also gets one where that reuse ends
 * ({@link #wantsCheckpointWhereReuseEnds}). Answering the same prompt again, or changing the last message of a
 * conversation (or a chat template dropping the reasoning of the last answer from the history), leaves the cached
 * conversation before its end; the checkpoint puts the window or the state back, and only what follows it is
 * evaluated again. The offset leaves room for a chat template that renders the end of a conversation differently.
 */
final class PrefixLoader {
    /** How many tokens before a prompt's end its checkpoint is taken. */
    static final int CHECKPOINT_OFFSET = 4;

    private final MemorySegment ctx;
    private final MemorySegment memory;
    private final PromptCache promptCache;
    private final EngineSlot[] slots;
    private final boolean caching;
    private final SlidingWindow window;
    /** Whether the context's memory has recurrent layers, whose state cannot be cut back to a prefix. */
    private final boolean recurrent;
    /** Whether prompts pause for checkpoints. */
    private final boolean checkpoints;
    /** The context's micro-batch: the earlier checkpoint is this much before the later one. */
    private final int ubatch;

    /**
     * @param caching whether the host-RAM cache has a budget at all
     * @param recurrent whether the model has recurrent layers ({@code llama_model_is_recurrent} or {@code _hybrid})
     */
    PrefixLoader(MemorySegment ctx, PromptCache promptCache, EngineSlot[] slots, boolean caching,
                 SlidingWindow window, boolean recurrent) {
        this.ctx = ctx;
        this.window = window;
        this.recurrent = recurrent;
        this.checkpoints = caching && (window.window() > 0 || recurrent);
        this.memory = Llama.llama_get_memory(ctx);
        this.ubatch = Llama.llama_n_ubatch(ctx);
        this.promptCache = promptCache;
        this.slots = slots;
        this.caching = caching;
    }

    /** Whether prompts pause for checkpoints; fixed at construction, so any thread may ask. */
    boolean keepsCheckpoints() {
        return checkpoints;
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
        boolean continues = window.canContinue(s.seq, keep);
        if (keep < s.cached.length || !continues) {
            // Saved before a checkpoint replaces part of it, by what may go (all of it when the window is lost or
            // a recurrent state would have to be cut back).
            int mayGo = continues && !recurrent ? keep : 0;
            if (!saved && s.cached.length - mayGo >= PromptCache.MIN_TOKENS) {
                promptCache.save(ctx, s.seq, s.cached, s.cachedWith);
            }
            keep = cutBack(memory, s.seq, keep, continues, k -> fromCheckpoint(s, job, k));
            s.cached = Arrays.copyOf(s.cached, keep);
        }
        if (checkpoints && job.images == null && wantsCheckpointWhereReuseEnds(keep, job.prompt.length)) {
            promptCache.saveCheckpoint(ctx, s.seq, s.cached, s.cachedWith);
        }
        return keep;
    }

    /**
     * Whether a prompt of {@code length} tokens, which continues the first {@code keep} from the cache, gets a
     * checkpoint there too, before any of it is evaluated: in a chat, what a prompt shares with the cached
     * conversation ends where the new user message starts (the answer before it was generated into the cache), so
     * this is llama-server's checkpoint at the start of the last user message, also for a request that does not say
     * where its messages start. A client that edits that message, or sends another in its place, continues from there
     * instead of from the end of the prompt before. Costs no pause: the memory holds that point already.
     */
    static boolean wantsCheckpointWhereReuseEnds(int keep, int length) {
        return keep >= PromptCache.MIN_TOKENS && keep < length - CHECKPOINT_OFFSET;
    }

    /**
     * Cuts sequence {@code seq} of {@code memory} back to its first {@code keep} tokens, or to fewer: when the
     * window-sized caches cannot continue after {@code keep} ({@code continues} false) or a recurrent state cannot be
     * cut back, to what {@code fromCheckpoint} puts back (given the most tokens it may keep, it returns those it
     * restored, 0 for none), else to nothing. Returns the tokens the sequence holds after. Shared with
     * {@link Session}, which keeps its own checkpoints.
     */
    static int cutBack(MemorySegment memory, int seq, int keep, boolean continues, IntUnaryOperator fromCheckpoint) {
        if (!continues) {
            keep = fromCheckpoint.applyAsInt(keep);
        }
        if (!Llama.llama_memory_seq_rm(memory, seq, keep, -1)) {
            // A recurrent state is that of the newest position: it can be replaced, not cut back.
            keep = fromCheckpoint.applyAsInt(keep);
            if (keep == 0 || !Llama.llama_memory_seq_rm(memory, seq, keep, -1)) {
                Llama.llama_memory_seq_rm(memory, seq, -1, -1);
                keep = 0;
            }
        }
        return keep;
    }

    /**
     * Puts back the sliding-window caches or recurrent state of the latest checkpoint within the first {@code keep}
     * tokens, which the slot's full-attention caches hold; returns the tokens the slot can continue after (0 for
     * none).
     */
    private int fromCheckpoint(EngineSlot s, EngineJob job, int keep) {
        PromptCache.Match m = caching ? promptCache.bestCheckpoint(job.prompt, keep, job.adapters) : null;
        if (m == null || (job.images != null && job.images.alignDown(m.common()) != m.common())) {
            return 0;
        }
        return promptCache.restoreCheckpoint(ctx, m, s.seq) ? m.common() : 0;
    }

    /**
     * Where {@code job}'s prompt, of which the slot holds the first {@code keep} tokens, is to pause next for a
     * checkpoint ({@link #nextCheckpoint}); 0 for none (a memory that can be cut back anywhere, no host-RAM cache,
     * images, or too short a prompt).
     */
    int checkpointAt(EngineJob job, int keep) {
        return checkpoints && job.images == null
                ? nextCheckpoint(job.prompt.length, keep, ubatch, job.userMessageStarts) : 0;
    }

    /**
     * The first point after {@code after} where a prompt of {@code length} tokens pauses for a checkpoint, 0 for
     * none. Near its end: {@value #CHECKPOINT_OFFSET} plus one micro-batch before it, then {@value #CHECKPOINT_OFFSET}
     * before it, as llama-server's offsets are ({@code 4 + n_ubatch} and {@code 4}). The earlier one serves a prompt
     * that shares all but its last message with another: the same long system prompt or document under another
     * question evaluates about a micro-batch and the question instead of everything. And where user messages start
     * ({@code userMessageStarts}, ascending), as llama-server breaks at its template's message spans: the last one
     * (an edited last message continues from there, also for a conversation this server has not seen before), the
     * first (another conversation under the same system prompt), and any at least {@value GenerateRequest#CHECKPOINT_STEP}
     * tokens past the previous pause. Every point is at least {@link PromptCache#MIN_TOKENS} in.
     */
    static int nextCheckpoint(int length, int after, int ubatch, int[] userMessageStarts) {
        int next = 0;
        for (int at : new int[] {length - CHECKPOINT_OFFSET - ubatch, length - CHECKPOINT_OFFSET}) {
            if (at > after && at >= PromptCache.MIN_TOKENS) {
                next = at;
                break;
            }
        }
        int starts = 0;
        while (starts < userMessageStarts.length && userMessageStarts[starts] < length - CHECKPOINT_OFFSET) {
            starts++;
        }
        for (int i = 0; i < starts; i++) {
            int at = userMessageStarts[i];
            boolean wanted = i == 0 || i == starts - 1 || at >= after + GenerateRequest.CHECKPOINT_STEP;
            if (at > after && at >= PromptCache.MIN_TOKENS && wanted) {
                return next == 0 ? at : Math.min(at, next);
            }
        }
        return next;
    }

    /** Takes the checkpoint of slot {@code s}, whose prompt evaluation paused for it. */
    void checkpoint(EngineSlot s) {
        promptCache.saveCheckpoint(ctx, s.seq, s.cached, s.cachedWith);
    }

    private void clear(EngineSlot s) {
        Llama.llama_memory_seq_rm(memory, s.seq, -1, -1);
        s.cached = new int[0];
    }
}
