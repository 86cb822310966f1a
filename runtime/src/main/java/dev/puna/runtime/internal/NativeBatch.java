package dev.puna.runtime.internal;

import static dev.puna.bindings.LlamaLayouts.LLAMA_BATCH;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.puna.bindings.Llama;
import dev.puna.bindings.LlamaLayouts;
import dev.puna.bindings.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * A llama_batch allocated once per session by {@code llama_batch_init} and refilled for every decode call.
 * Token, position, sequence and output arrays are written directly through sized views of llama.cpp's arrays.
 * Single-threaded; freed once by {@link #close()}.
 */
public final class NativeBatch implements AutoCloseable {
    private static final VarHandle N_TOKENS = LlamaLayouts.field(LLAMA_BATCH, "n_tokens");

    private final MemorySegment batch;
    private final MemorySegment token;
    private final MemorySegment pos;
    private final MemorySegment nSeqId;
    private final MemorySegment seqIds;
    private final MemorySegment logits;
    private final int capacity;
    private final int maxSeqs;
    private int size;
    private boolean freed;

    /**
     * @param arena holds the by-value llama_batch struct; must outlive this batch
     * @param capacity most tokens per decode call (n_batch)
     * @param maxSeqs most sequence ids per token
     */
    public NativeBatch(Arena arena, int capacity, int maxSeqs) {
        this.capacity = capacity;
        this.maxSeqs = maxSeqs;
        this.batch = Llama.llama_batch_init(arena, capacity, 0, maxSeqs);
        NativeStats.BATCHES.incrementAndGet();
        this.token = Native.view(pointerField("token"), 4L * capacity);
        this.pos = Native.view(pointerField("pos"), 4L * capacity);
        this.nSeqId = Native.view(pointerField("n_seq_id"), 4L * capacity);
        this.seqIds = Native.view(pointerField("seq_id"), ADDRESS.byteSize() * capacity);
        this.logits = Native.view(pointerField("logits"), capacity);
    }

    private MemorySegment pointerField(String field) {
        return (MemorySegment) LlamaLayouts.field(LLAMA_BATCH, field).get(batch);
    }

    public int capacity() {
        return capacity;
    }

    /** Empties the batch. */
    public void clear() {
        size = 0;
    }

    /** Appends one token of sequence {@code seq} at position {@code position}; {@code output} requests logits. */
    public void add(int tokenId, int position, int seq, boolean output) {
        if (size == capacity) {
            throw new IllegalStateException("batch full (" + capacity + " tokens)");
        }
        if (seq < 0 || seq >= 1 << 16) {
            throw new IllegalArgumentException("sequence id " + seq);
        }
        token.setAtIndex(JAVA_INT, size, tokenId);
        pos.setAtIndex(JAVA_INT, size, position);
        nSeqId.setAtIndex(JAVA_INT, size, 1);
        MemorySegment ids = Native.view(seqIds.getAtIndex(ADDRESS, size), 4L * maxSeqs);
        ids.setAtIndex(JAVA_INT, 0, seq);
        logits.set(JAVA_BYTE, size, output ? (byte) 1 : (byte) 0);
        size++;
    }

    public int size() {
        return size;
    }

    /** Runs {@code llama_decode} on the filled tokens and returns its status code. */
    public int decode(MemorySegment ctx) {
        N_TOKENS.set(batch, size);
        return Llama.llama_decode(ctx, batch);
    }

    @Override
    public void close() {
        if (!freed) {
            freed = true;
            Llama.llama_batch_free(batch);
            NativeStats.BATCHES.decrementAndGet();
        }
    }
}
