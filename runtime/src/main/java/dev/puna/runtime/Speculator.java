package dev.puna.runtime;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.puna.bindings.Llama;
import dev.puna.bindings.Native;
import dev.puna.runtime.internal.NativeBatch;
import dev.puna.runtime.internal.PromptCache;
import dev.puna.runtime.internal.SlidingWindow;
import dev.puna.runtime.internal.StateSnapshots;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Speculative decoding for an {@link Engine}: a small draft model with the target's vocabulary proposes the next
 * tokens of every decoding sequence, and the engine verifies them all in its one target decode (each sequence puts
 * its pending token and its draft into the batch, with logits for each). The engine samples the target's logits
 * position by position and keeps drafted tokens while they equal what it sampled, so the output is the target's
 * own, token for token, at any temperature: the draft only decides how many tokens one target pass yields.
 *
 * <p>The draft context has one sequence per engine slot and keeps, per sequence, the tokens its KV cache holds;
 * before drafting it catches up with the target's accepted tokens (all but the last without logits, then every
 * sequence's last token in one decode) and drops what the target rejected, found by comparing token lists, so
 * prefix moves between slots and host-RAM restores on the target need no bookkeeping here. A draft with recurrent
 * layers, whose state cannot drop tokens, goes back to its state where the last drafting began (kept per sequence)
 * and evaluates the accepted tokens again; a recurrent target is the engine's to roll back. Drafting is greedy,
 * all sequences in lockstep, one draft decode per drafted position; a sequence stops drafting when the draft's top
 * token has a probability below {@code draftPMin}. Touched only by the engine's decode thread.
 */
final class Speculator implements AutoCloseable {
    private final Model draft;
    private final DraftParams params;
    private final Arena arena;
    private final MemorySegment ctx;
    private final MemorySegment memory;
    private final NativeBatch batch;
    private final int vocab;
    private final int slotContext;
    private final int[][] cached;
    private final SlidingWindow window;
    /**
     * For a draft with recurrent layers, each sequence's state where drafting began (the target's tokens and the
     * pending one): what the next catch-up goes back to when the target rejected drafted tokens, which such a state
     * cannot drop. Null for other drafts.
     */
    private final StateSnapshots atCatchUp;
    /** Tokens this draft model evaluated; written by the decode thread, read by {@link Engine#stats}. */
    private final AtomicLong evaluated = new AtomicLong();

    private Speculator(Model draft, DraftParams params, MemorySegment ctx, Arena arena, NativeBatch batch,
                       int slots, int slotContext, SlidingWindow window) {
        this.window = window;
        this.atCatchUp = Llama.llama_model_is_recurrent(draft.handle()) || Llama.llama_model_is_hybrid(draft.handle())
                ? new StateSnapshots(slots) : null;
        this.draft = draft;
        this.params = params;
        this.ctx = ctx;
        this.arena = arena;
        this.batch = batch;
        this.memory = Llama.llama_get_memory(ctx);
        this.vocab = draft.vocabSize();
        this.slotContext = slotContext;
        this.cached = new int[slots][];
        Arrays.fill(cached, new int[0]);
    }

    /**
     * Opens the draft model's context for {@code slots} sequences of {@code slotContext} tokens.
     *
     * @throws InvalidParameterException if the draft's vocabulary is not the target's
     * @throws NativeException if llama.cpp cannot create the context
     */
    static Speculator open(Model target, Model draft, DraftParams params, SessionParams session, int slots,
                           int slotContext) {
        checkVocabulary(target, draft);
        draft.acquire();
        Arena arena = Arena.ofShared();
        MemorySegment context = MemorySegment.NULL;
        try {
            context = NativeContext.create(draft, session, slotContext * slots, slots, false, -1);
            NativeBatch batch = new NativeBatch(arena, Llama.llama_n_batch(context), 1);
            return new Speculator(draft, params, context, arena, batch, slots, slotContext,
                    SlidingWindow.of(draft.handle(), context, session.swaFull()));
        } catch (RuntimeException | Error e) {
            if (!context.equals(MemorySegment.NULL)) {
                NativeContext.free(context);
            }
            arena.close();
            draft.release();
            throw e;
        }
    }

    /**
     * llama-server's test: same vocabulary type, size (within 128, as some families pad) and special tokens, and
     * the same text for the tokens both have (a sample of them here: every token of a small vocabulary).
     */
    private static void checkVocabulary(Model target, Model draft) {
        MemorySegment tv = target.vocab();
        MemorySegment dv = draft.vocab();
        String why = null;
        if (Llama.llama_vocab_type(tv) != Llama.llama_vocab_type(dv)) {
            why = "a different tokenizer type";
        } else if (Math.abs(target.vocabSize() - draft.vocabSize()) > 128) {
            why = draft.vocabSize() + " tokens where the target has " + target.vocabSize();
        } else if (!target.specialTokens().equals(draft.specialTokens())) {
            why = "different special tokens";
        } else {
            int common = Math.min(target.vocabSize(), draft.vocabSize());
            int step = Math.max(1, common / 4096);
            for (int t = 0; t < common && why == null; t += step) {
                if (!java.util.Objects.equals(Native.cString(Llama.llama_vocab_get_text(tv, t)),
                        Native.cString(Llama.llama_vocab_get_text(dv, t)))) {
                    why = "a different token " + t;
                }
            }
        }
        if (why != null) {
            throw new InvalidParameterException("draft_model", "the draft model " + draft.info().path()
                    + " cannot draft for " + target.info().path() + ": its vocabulary has " + why);
        }
    }

    /**
     * Drafts for the slots that decode this step with {@code adapters} and have room in their context: sets each
     * such job's {@code drafted} (empty when the draft was too short or unsure), leaves the others' empty. At most
     * {@code budget} drafted tokens in all, so the verification fits the target's batch.
     */
    void draft(EngineSlot[] slots, AdapterSet adapters, int budget) {
        List<EngineSlot> drafting = new ArrayList<>();
        for (EngineSlot s : slots) {
            if (s.job == null) {
                continue;
            }
            s.job.drafted = NO_DRAFT;
            // Image cells are placeholders the draft model cannot evaluate: prompts with images are not drafted.
            if (s.decoding() && s.job.images == null && s.job.adapters.equals(adapters)
                    && s.cached.length + 1 + params.draftMax() < slotContext) {
                drafting.add(s);
            }
        }
        if (drafting.isEmpty() || budget <= 0) {
            return;
        }
        int perSlot = Math.min(params.draftMax(), budget / drafting.size());
        if (perSlot < Math.max(1, params.draftMin())) {
            return;
        }
        int[] limit = new int[slots.length];
        for (EngineSlot s : drafting) {
            // As llama-server does: no more drafted tokens than the request may still generate after the pending
            // one, so the last step verifies no tokens that would be thrown away.
            limit[s.seq] = Math.min(perSlot, s.job.completion.remaining() - 1);
        }
        drafting.removeIf(s -> limit[s.seq] < Math.max(1, params.draftMin()));
        int[] outIndex = drafting.isEmpty() ? null : catchUp(drafting, slots.length);
        if (outIndex == null) {
            return;
        }
        int[][] drafts = new int[slots.length][];
        List<EngineSlot> active = new ArrayList<>(drafting);
        for (EngineSlot s : active) {
            drafts[s.seq] = new int[0];
        }
        while (!active.isEmpty()) {
            List<EngineSlot> next = new ArrayList<>();
            batch.clear();
            for (EngineSlot s : active) {
                int token = confidentArgmax(outIndex[s.seq]);
                if (token < 0) {
                    continue;
                }
                int[] d = Arrays.copyOf(drafts[s.seq], drafts[s.seq].length + 1);
                d[d.length - 1] = token;
                drafts[s.seq] = d;
                if (d.length < limit[s.seq]) {
                    outIndex[s.seq] = batch.size();
                    batch.add(token, cached[s.seq].length, s.seq, true);
                    next.add(s);
                }
            }
            if (next.isEmpty()) {
                break;
            }
            if (decode() != 0) {
                for (EngineSlot s : next) {
                    forget(s.seq); // the decode may have written part of the batch
                }
                break;
            }
            for (EngineSlot s : next) {
                int[] d = drafts[s.seq];
                cached[s.seq] = append(cached[s.seq], d[d.length - 1]);
            }
            active = next;
        }
        for (EngineSlot s : drafting) {
            int[] d = drafts[s.seq];
            if (d != null && d.length >= Math.max(1, params.draftMin())) {
                s.job.drafted = d;
            }
        }
    }

    static final int[] NO_DRAFT = new int[0];

    /**
     * Brings each drafting slot's draft sequence to the target's tokens plus the pending one, the last token of each
     * decoded with logits. Returns each slot's row of those logits ({@code [seq]}), or null if a decode failed.
     * Usually one decode does it all; catch-ups larger than the batch take their leading tokens in decodes of their
     * own first (no logits needed), then every slot's last token in one.
     */
    private int[] catchUp(List<EngineSlot> drafting, int slotCount) {
        int[][] want = new int[drafting.size()][];
        int total = 0;
        for (int i = 0; i < drafting.size(); i++) {
            EngineSlot s = drafting.get(i);
            int[] target = append(s.cached, s.job.pending);
            want[i] = target;
            int keep = Math.min(PromptCache.commonPrefix(cached[s.seq], target), target.length - 1);
            if (!window.canContinue(s.seq, keep)) {
                keep = 0;
            }
            if (keep < cached[s.seq].length) {
                if (!Llama.llama_memory_seq_rm(memory, s.seq, keep, -1)) {
                    keep = fromCatchUp(s.seq, keep, target);
                }
                cached[s.seq] = Arrays.copyOf(cached[s.seq], keep);
            }
            total += target.length - keep;
        }
        batch.clear();
        if (total > batch.capacity()) {
            for (int i = 0; i < drafting.size(); i++) {
                EngineSlot s = drafting.get(i);
                int from = cached[s.seq].length;
                int to = want[i].length - 1;
                while (from < to) {
                    int n = Math.min(to - from, batch.capacity() - batch.size());
                    batch.addRun(want[i], from, n, from, s.seq, false);
                    from += n;
                    if (batch.size() == batch.capacity() && !flush(drafting, want)) {
                        return null;
                    }
                }
            }
            if (batch.size() > 0 && !flush(drafting, want)) {
                return null;
            }
            batch.clear();
        }
        int[] outIndex = new int[slotCount];
        for (int i = 0; i < drafting.size(); i++) {
            EngineSlot s = drafting.get(i);
            int from = cached[s.seq].length;
            batch.addRun(want[i], from, want[i].length - from, from, s.seq, true);
            outIndex[s.seq] = batch.size() - 1;
        }
        if (decode() != 0) {
            drafting.forEach(s -> forget(s.seq));
            return null;
        }
        for (int i = 0; i < drafting.size(); i++) {
            int seq = drafting.get(i).seq;
            cached[seq] = want[i];
            if (atCatchUp != null) {
                atCatchUp.save(ctx, seq, want[i]);
            }
        }
        return outIndex;
    }

    /**
     * A recurrent draft state that cannot be cut back to {@code keep} tokens of {@code target}: goes back to where
     * the last drafting began when that is within them, else to nothing. Returns the tokens the sequence holds after.
     */
    private int fromCatchUp(int seq, int keep, int[] target) {
        int[] at = atCatchUp == null ? new int[0] : atCatchUp.tokens(seq);
        if (at.length > 0 && at.length <= keep && PromptCache.commonPrefix(at, target) == at.length
                && atCatchUp.restore(ctx, seq) && Llama.llama_memory_seq_rm(memory, seq, at.length, -1)) {
            return at.length;
        }
        Llama.llama_memory_seq_rm(memory, seq, -1, -1);
        if (atCatchUp != null) {
            atCatchUp.forget(seq);
        }
        return 0;
    }

    /** Decodes the filled catch-up batch and records what each sequence now holds. */
    private boolean flush(List<EngineSlot> drafting, int[][] want) {
        if (decode() != 0) {
            drafting.forEach(s -> forget(s.seq));
            return false;
        }
        // Every run added so far ended where the batch ended or at its sequence's last-but-one token: the
        // sequences' positions say how far each got.
        for (int i = 0; i < drafting.size(); i++) {
            int seq = drafting.get(i).seq;
            int pos = Llama.llama_memory_seq_pos_max(memory, seq) + 1;
            cached[seq] = Arrays.copyOf(want[i], Math.min(pos, want[i].length));
        }
        batch.clear();
        return true;
    }

    /** Decodes the batch, counting its tokens. */
    private int decode() {
        evaluated.addAndGet(batch.size());
        return batch.decode(ctx);
    }

    /** Tokens this draft model evaluated so far (any thread). */
    long evaluated() {
        return evaluated.get();
    }

    /** The draft's top token at output {@code index} if its probability reaches draft_p_min, else -1. */
    private int confidentArgmax(int index) {
        MemorySegment logits = Native.view(Llama.llama_get_logits_ith(ctx, index), 4L * vocab);
        int best = 0;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            float v = logits.getAtIndex(JAVA_FLOAT, i);
            if (v > max) {
                max = v;
                best = i;
            }
        }
        if (params.draftPMin() > 0) {
            double sum = 0;
            for (int i = 0; i < vocab; i++) {
                sum += Math.exp(logits.getAtIndex(JAVA_FLOAT, i) - max);
            }
            if (1 / sum < params.draftPMin()) {
                return -1;
            }
        }
        return Llama.llama_vocab_is_eog(draft.vocab(), best) ? -1 : best;
    }

    private void forget(int seq) {
        Llama.llama_memory_seq_rm(memory, seq, -1, -1);
        cached[seq] = new int[0];
        if (atCatchUp != null) {
            atCatchUp.forget(seq);
        }
    }

    private static int[] append(int[] tokens, int token) {
        int[] out = Arrays.copyOf(tokens, tokens.length + 1);
        out[tokens.length] = token;
        return out;
    }

    @Override
    public void close() {
        if (atCatchUp != null) {
            atCatchUp.close();
        }
        batch.close();
        NativeContext.free(ctx);
        arena.close();
        draft.release();
    }
}
