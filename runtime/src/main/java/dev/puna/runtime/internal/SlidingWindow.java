package dev.puna.runtime.internal;

import dev.puna.bindings.Llama;
import java.lang.foreign.MemorySegment;

/**
 * Which cached prefixes a context with window-sized sliding-window caches can continue.
 *
 * <p>Without {@code swa_full}, llama.cpp gives a model's sliding-window layers a KV cache of about one window plus
 * one micro-batch per sequence, and reuses the cell of a position once it has left the window of the sequence's
 * newest token. The cache then holds what the next token at the end of the sequence needs, but not what a token
 * further back needs: continuing after the first {@code keep} cached tokens (dropping the rest) is only right while
 * the cells of positions {@code keep - window + 1 .. keep - 1} are still there. llama.cpp does not check this: the
 * decode would attend over missing cells, or fail when the sequence has no cell left at all. So every reuse of a
 * prefix asks {@link #canContinue} first and evaluates the prompt from the start when it says no, as llama-server
 * does without a checkpoint.
 *
 * <p>The window rule is the standard one (a token at {@code p} attends to {@code p - window + 1 .. p}); llama.cpp's
 * chunked windows (Llama 4) need a subset of those cells, so the check is safe for them too. llama.cpp keeps a
 * sequence's cells in ring order, so the positions from the smallest one it holds to its newest are all there.
 */
public final class SlidingWindow {
    /** A context whose caches hold every position: anything cached can be continued. */
    public static final SlidingWindow NONE = new SlidingWindow(MemorySegment.NULL, 0);

    private final MemorySegment memory;
    private final int window;

    private SlidingWindow(MemorySegment memory, int window) {
        this.memory = memory;
        this.window = window;
    }

    /**
     * The rule for {@code ctx}, a context of {@code model}: {@link #NONE} when the model has no sliding-window
     * layers or their caches are full-size ({@code swaFull}).
     */
    public static SlidingWindow of(MemorySegment model, MemorySegment ctx, boolean swaFull) {
        int window = swaFull ? 0 : Llama.llama_model_n_swa(model);
        return window <= 0 ? NONE : new SlidingWindow(Llama.llama_get_memory(ctx), window);
    }

    /** The window in positions; 0 when any cached prefix can be continued. */
    public int window() {
        return window;
    }

    /** Whether sequence {@code seq}, which holds at least {@code keep} tokens, can be continued after {@code keep}. */
    public boolean canContinue(int seq, int keep) {
        return window == 0 || keep == 0 || canContinue(window, Llama.llama_memory_seq_pos_min(memory, seq), keep);
    }

    /**
     * The rule itself: a sequence whose smallest cached position is {@code posMin} (-1 when it has none) can be
     * continued after {@code keep} tokens under a window of {@code window} positions.
     */
    public static boolean canContinue(int window, int posMin, int keep) {
        if (window <= 0 || keep == 0) {
            return true;
        }
        return posMin >= 0 && posMin <= Math.max(0, keep - window + 1);
    }
}
