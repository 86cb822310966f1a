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
 * Token, position, sequence and output arrays are written directly through sized views of llama.cpp's arrays,
 * made once: every token belongs to exactly one sequence, so {@code n_seq_id} is set to 1 up front and each
 * token's {@code seq_id} array has its own view. Filling stays a handful of plain stores per token, cheap even
 * before the JIT has compiled it (a prompt of 500 tokens is filled on every cold request).
 * Single-threaded; freed once by {@link #close()}.
 */
public final class NativeBatch implements AutoCloseable {
    private static final VarHandle N_TOKENS = LlamaLayouts.field(LLAMA_BATCH, "n_tokens");

    private final MemorySegment batch;
    private final MemorySegment token;
    private final MemorySegment pos;
    private final MemorySegment nSeqId;
    private final MemorySegment[] seqIdOf;
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
        MemorySegment seqIds = Native.view(pointerField("seq_id"), ADDRESS.byteSize() * capacity);
        this.seqIdOf = new MemorySegment[capacity];
        for (int i = 0; i < capacity; i++) {
            seqIdOf[i] = Native.view(seqIds.getAtIndex(ADDRESS, i), 4L * maxSeqs);
            nSeqId.setAtIndex(JAVA_INT, i, 1);
        }
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
        seqIdOf[size].set(JAVA_INT, 0, seq);
        logits.set(JAVA_BYTE, size, output ? (byte) 1 : (byte) 0);
        size++;
    }

    /**
     * Appends {@code tokens[from, from + n)} of sequence {@code seq} at positions {@code position ...}; only the
     * last one requests logits, and only when {@code outputLast}.
     */
    public void addRun(int[] tokens, int from, int n, int position, int seq, boolean outputLast) {
        if (n > capacity - size) {
            throw new IllegalStateException("batch full (" + capacity + " tokens)");
        }
        if (seq < 0 || seq >= 1 << 16) {
            throw new IllegalArgumentException("sequence id " + seq);
        }
        MemorySegment.copy(tokens, from, token, JAVA_INT, 4L * size, n);
        for (int i = 0; i < n; i++) {
            pos.setAtIndex(JAVA_INT, size + i, position + i);
            seqIdOf[size + i].set(JAVA_INT, 0, seq);
        }
        logits.asSlice(size, n).fill((byte) 0);
        if (outputLast && n > 0) {
            logits.set(JAVA_BYTE, size + n - 1, (byte) 1);
        }
        size += n;
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
