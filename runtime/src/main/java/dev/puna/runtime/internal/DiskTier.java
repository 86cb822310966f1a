package dev.puna.runtime.internal;

import dev.puna.bindings.Llama;
import dev.puna.runtime.cache.DiskCache;
import dev.puna.runtime.internal.os.NativeMemory;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The {@link PromptCache}'s second tier: sequences pushed out of host RAM, and each slot's conversation when the
 * engine closes, written to a {@link DiskCache}, and looked up there when a prompt misses RAM.
 *
 * <p><b>Off the decode thread.</b> The decode thread only hands over host memory it already holds (an entry leaving
 * RAM, or a slot copied to RAM as the RAM tier copies it); the file is written, forced to disk and renamed by a
 * writer thread of the tier's own, which then frees the memory. Writes waiting for that thread hold at most
 * {@code maxPendingBytes}; beyond that a sequence is dropped instead of queued, so a slow disk costs cache hits,
 * never RAM or decode time. Reading a hit back does run on the decode thread: the request that needs it cannot start
 * without it (it replaces evaluating the whole prefix, which takes far longer).
 *
 * <p>Only state that depends on nothing but the engine's identity goes to disk: sequences computed under the one
 * set of LoRA adapters the identity names ({@code diskKind}; usually none) and without images (whose cells hold
 * negative stand-in tokens derived from the image, not the image itself).
 */
public final class DiskTier implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(DiskTier.class);

    private final DiskCache disk;
    private final Object diskKind;
    private final long maxPendingBytes;
    private final AtomicLong pendingBytes = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private final ExecutorService writer;

    /**
     * @param disk the files; the tier does not own them (closing the tier waits for its writes, nothing more)
     * @param diskKind the entry kind (see {@link PromptCache#save}) whose state may go to disk
     * @param maxPendingBytes host memory that writes waiting for the writer thread may hold
     */
    public DiskTier(DiskCache disk, Object diskKind, long maxPendingBytes) {
        this.disk = disk;
        this.diskKind = diskKind;
        this.maxPendingBytes = maxPendingBytes;
        this.writer = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("puna-kv-disk").daemon()
                .unstarted(r));
    }

    /** Whether a sequence of {@code kind} holding {@code tokens} may be written. */
    boolean eligible(int[] tokens, Object kind) {
        if (!diskKind.equals(kind) || tokens.length < PromptCache.MIN_TOKENS) {
            return false;
        }
        for (int t : tokens) {
            if (t < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Queues {@code state} (memory of {@code arena}, a shared arena this call takes over) for writing, and closes the
     * arena once written. With {@code bounded}, drops it instead when the writes already waiting hold too much.
     */
    void write(int[] tokens, Arena arena, MemorySegment state, boolean bounded) {
        long size = state.byteSize();
        // DiskCache.store skips what it already holds; checking here would touch the file on the decode thread.
        if (bounded && pendingBytes.get() + size > maxPendingBytes) {
            arena.close();
            return;
        }
        pendingBytes.addAndGet(size);
        try {
            writer.execute(() -> {
                try {
                    if (disk.store(tokens, state)) {
                        writes.incrementAndGet();
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.warn("could not write a prompt-cache sequence to {}: {}", disk.directory(), e.toString());
                } finally {
                    pendingBytes.addAndGet(-size);
                    arena.close();
                }
            });
        } catch (RejectedExecutionException e) {
            pendingBytes.addAndGet(-size);
            arena.close();
        }
    }

    /**
     * Copies sequence {@code seq} of {@code ctx} to host memory on the calling thread and queues it for writing,
     * bounded like {@link #write}.
     */
    void copyAndWrite(MemorySegment ctx, int seq, int[] tokens, boolean bounded) {
        long size = Llama.llama_state_seq_get_size(ctx, seq);
        if (size <= 0 || size > disk.maxBytes() || bounded && pendingBytes.get() + size > maxPendingBytes
                || disk.holds(tokens)) {
            return;
        }
        Arena arena = Arena.ofShared();
        MemorySegment state = NativeMemory.allocateUninitialized(arena, size); // llama.cpp overwrites it all
        long written = Llama.llama_state_seq_get_data(ctx, state, size, seq);
        if (written <= 0) {
            arena.close();
            return;
        }
        write(tokens.clone(), arena, state.asSlice(0, written), bounded);
    }

    /** The stored sequence of {@code kind} sharing the longest prefix with {@code prompt}, or null. */
    DiskCache.Hit best(int[] prompt, Object kind) {
        return diskKind.equals(kind) ? disk.best(prompt) : null;
    }

    /**
     * Reads a hit from disk into sequence {@code seq} of {@code ctx}, which must be empty. False when the file is
     * gone or damaged, or llama.cpp refuses the state (the sequence is then left empty).
     */
    boolean restore(MemorySegment ctx, DiskCache.Hit hit, int seq) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = disk.load(hit, arena);
            if (state == null) {
                return false;
            }
            if (Llama.llama_state_seq_set_data(ctx, state, state.byteSize(), seq) > 0) {
                return true;
            }
            LOG.warn("llama.cpp refused the prompt-cache state in {}", hit.file());
            return false;
        }
    }

    /** Sequences written so far. */
    public long writes() {
        return writes.get();
    }

    /** Waits for the writes queued so far, then stops the writer thread. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            while (!writer.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.info("still writing the prompt cache to {}", disk.directory());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
