package dev.puna.runtime.internal;

import dev.puna.bindings.Llama;
import dev.puna.runtime.internal.os.NativeMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One snapshot per sequence of a context of the part of its memory that cannot be cut back to a prefix
 * ({@link Llama#LLAMA_STATE_SEQ_FLAGS_PARTIAL_ONLY}: the recurrent state of Mamba-style layers, which llama.cpp keeps
 * for the newest position only), and the tokens it holds. Speculative decoding takes one before a step that may
 * be rejected and puts it back when it was, as llama-server's speculative checkpoints do; a snapshot is taken as
 * often as a token is decoded, so each sequence reuses its buffer (grown when a state needs more). Not thread-safe:
 * touched by one decode thread; {@link #close} frees every buffer once.
 */
public final class StateSnapshots implements AutoCloseable {
    private static final int[] NONE = new int[0];
    private final Arena[] arenas;
    private final MemorySegment[] buffers;
    private final long[] sizes;
    private final int[][] tokens;

    public StateSnapshots(int sequences) {
        arenas = new Arena[sequences];
        buffers = new MemorySegment[sequences];
        sizes = new long[sequences];
        tokens = new int[sequences][];
        Arrays.fill(tokens, NONE);
    }

    /**
     * Takes sequence {@code seq}'s snapshot, replacing the one before; {@code held} is what the sequence holds, kept
     * as it is, not copied (the engine replaces its token arrays instead of changing them). False (and no snapshot)
     * when llama.cpp writes none.
     */
    public boolean save(MemorySegment ctx, int seq, int[] held) {
        tokens[seq] = NONE;
        long size = Llama.llama_state_seq_get_size_ext(ctx, seq, Llama.LLAMA_STATE_SEQ_FLAGS_PARTIAL_ONLY);
        if (size <= 0) {
            return false;
        }
        if (buffers[seq] == null || buffers[seq].byteSize() < size) {
            if (arenas[seq] != null) {
                arenas[seq].close();
            }
            arenas[seq] = Arena.ofShared();
            buffers[seq] = NativeMemory.allocateUninitialized(arenas[seq], size); // llama.cpp overwrites it
        }
        long written = Llama.llama_state_seq_get_data_ext(ctx, buffers[seq], size, seq,
                Llama.LLAMA_STATE_SEQ_FLAGS_PARTIAL_ONLY);
        if (written <= 0) {
            return false;
        }
        sizes[seq] = written;
        tokens[seq] = held;
        return true;
    }

    /** The tokens sequence {@code seq}'s snapshot holds; empty when it has none. */
    public int[] tokens(int seq) {
        return tokens[seq];
    }

    /**
     * Puts sequence {@code seq}'s snapshot back (the rest of its memory, attention caches, is left as it is: the
     * caller drops what follows). False when there is none or llama.cpp refuses it.
     */
    public boolean restore(MemorySegment ctx, int seq) {
        if (tokens[seq].length == 0) {
            return false;
        }
        return Llama.llama_state_seq_set_data_ext(ctx, buffers[seq], sizes[seq], seq,
                Llama.LLAMA_STATE_SEQ_FLAGS_PARTIAL_ONLY) > 0;
    }

    /** Forgets sequence {@code seq}'s snapshot (its buffer stays for the next). */
    public void forget(int seq) {
        tokens[seq] = NONE;
    }

    @Override
    public void close() {
        for (int i = 0; i < arenas.length; i++) {
            if (arenas[i] != null) {
                arenas[i].close();
                arenas[i] = null;
                buffers[i] = null;
                tokens[i] = NONE;
            }
        }
    }
}
