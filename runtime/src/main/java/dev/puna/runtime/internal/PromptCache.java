package dev.puna.runtime.internal;

import dev.puna.bindings.Llama;
import dev.puna.runtime.cache.DiskCache;
import dev.puna.runtime.internal.os.NativeMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Host-RAM copies of KV-cache sequences, so that a conversation whose slot was given to another request can come
 * back without evaluating its history again (llama.cpp's per-sequence state save/restore, like llama-server's
 * {@code --cache-ram}).
 *
 * <p>Entries are keyed by the tokens the sequence held and kept in least-recently-used order within a byte
 * budget. Each entry's state lives in its own shared arena: the cache belongs to one engine's decode thread, which
 * alone saves, restores and finally {@linkplain #close() closes} it, but that thread comes and goes (an idle engine
 * lets it go, see {@code EngineParams.threadKeepAlive}), and an entry saved by one is restored or freed by a later
 * one (and by the disk tier's writer thread).
 *
 * <p>With a {@link DiskTier}, an entry pushed out of the budget is handed to it (its arena is then a shared one, for
 * the tier's writer thread to free) instead of freed, {@link #persist} hands over a slot's conversation when the
 * engine closes, and {@link #close} hands over every entry left; a prompt that shares more with a file than with any
 * entry is restored from the file.
 *
 * <p>The budget also holds checkpoints ({@link #saveCheckpoint}): the part of a sequence's state that cannot be cut
 * back to a prefix (window-sized sliding-window caches, the state of recurrent layers), taken part-way through a
 * prompt, so that a later prompt that leaves the conversation before its end can still continue from there
 * (llama-server's context checkpoints). They stay in RAM, never go to disk, and are offered only by
 * {@link #bestCheckpoint}.
 */
public final class PromptCache implements AutoCloseable {
    /** Sequences shorter than this are cheaper to evaluate again than to copy around. */
    public static final int MIN_TOKENS = 64;
    /** Checkpoints a conversation keeps ({@link #saveCheckpoint}); llama-server keeps up to 32 a slot. */
    public static final int CHECKPOINTS_PER_CONVERSATION = 8;

    private static final class Entry {
        final int[] tokens;
        final Object kind;
        final Arena arena;
        final MemorySegment state;
        /** A checkpoint: only the part of the sequence's state that cannot be cut back. */
        final boolean checkpoint;

        Entry(int[] tokens, Object kind, Arena arena, MemorySegment state, boolean checkpoint) {
            this.tokens = tokens;
            this.kind = kind;
            this.arena = arena;
            this.state = state;
            this.checkpoint = checkpoint;
        }
    }

    /** A cached sequence and how many leading tokens it shares with a prompt. */
    public record Match(Object entry, int[] tokens, int common) {
    }

    private final long capacityBytes;
    /** The disk tier, or null. */
    private final DiskTier disk;
    /** Least recently used first. */
    private final List<Entry> entries = new ArrayList<>();
    private long usedBytes;
    private long saves;
    private long restores;

    /** @param capacityBytes the most state bytes to keep; 0 disables the cache */
    public PromptCache(long capacityBytes) {
        this(capacityBytes, null);
    }

    /**
     * @param capacityBytes the most state bytes to keep in RAM; 0 keeps none there (sequences then go straight to
     *        the disk tier, if any)
     * @param disk the disk tier, or null; the cache closes it
     */
    public PromptCache(long capacityBytes, DiskTier disk) {
        this.capacityBytes = capacityBytes;
        this.disk = disk;
    }

    /**
     * Copies sequence {@code seq} of {@code ctx}, which holds {@code tokens}, into host memory, unless it is too
     * short, too big for the budget, or already cached (an entry starting with the same tokens). Entries it
     * extends are dropped, and the least recently used ones make room. {@code kind} says what else the state
     * depends on (the LoRA adapters it was computed with): {@link #best} only offers entries of the same kind.
     */
    public void save(MemorySegment ctx, int seq, int[] tokens, Object kind) {
        if (tokens.length < MIN_TOKENS) {
            return;
        }
        if (capacityBytes <= 0) {
            if (disk != null && disk.eligible(tokens, kind)) {
                disk.copyAndWrite(ctx, seq, tokens, true);
            }
            return;
        }
        for (Entry e : entries) {
            if (!e.checkpoint && e.kind.equals(kind) && startsWith(e.tokens, tokens)) {
                touch(e);
                return;
            }
        }
        long size = Llama.llama_state_seq_get_size(ctx, seq);
        if (size <= 0) {
            return;
        }
        if (size > capacityBytes) {
            if (disk != null && disk.eligible(tokens, kind)) {
                disk.copyAndWrite(ctx, seq, tokens, true);
            }
            return;
        }
        entries.removeIf(e -> !e.checkpoint && e.kind.equals(kind) && startsWith(tokens, e.tokens) && drop(e));
        makeRoom(size);
        if (add(ctx, seq, tokens, kind, size, false)) {
            saves++;
        }
    }

    /**
     * Takes a checkpoint of sequence {@code seq} of {@code ctx}, which holds {@code tokens}: the part of its state
     * that cannot be cut back ({@link Llama#LLAMA_STATE_SEQ_FLAGS_PARTIAL_ONLY}: sliding-window caches, recurrent
     * state; all of a purely recurrent model's). No-op when one of the same tokens and {@code kind} is held already,
     * or it does not fit the budget. A conversation keeps {@value #CHECKPOINTS_PER_CONVERSATION}, and no more than
     * half of the budget (a large model's checkpoints do not crowd out the conversations the cache is for): of the
     * checkpoints this one extends (earlier points of the same conversation) its first stays, and of the others the
     * longest. The first is where a conversation's first user message starts, when the request said so, or near the end of its
     * first prompt: another conversation under the same system prompt, or an edit further back than the latest
     * turns, continues from there. With up to three a turn (where its reuse of the cache ended, a micro-batch before
     * its end and near its end) the longest are those of the last two turns: to answer either prompt again, or change
     * the last message.
     */
    public void saveCheckpoint(MemorySegment ctx, int seq, int[] tokens, Object kind) {
        if (capacityBytes <= 0 || tokens.length == 0) {
            return;
        }
        List<Entry> earlier = new ArrayList<>();
        for (Entry e : entries) {
            if (e.checkpoint && e.kind.equals(kind) && startsWith(tokens, e.tokens)) {
                if (e.tokens.length == tokens.length) {
                    touch(e);
                    return;
                }
                earlier.add(e);
            }
        }
        long size = Llama.llama_state_seq_get_size_ext(ctx, seq, Llama.LLAMA_STATE_SEQ_FLAGS_PARTIAL_ONLY);
        if (size <= 0 || size > capacityBytes) {
            return;
        }
        // Longest first; the shortest, the conversation's first, stays whatever follows.
        earlier.sort((a, b) -> Integer.compare(b.tokens.length, a.tokens.length));
        long held = earlier.stream().mapToLong(e -> e.state.byteSize()).sum();
        while (earlier.size() > 1 && (earlier.size() >= CHECKPOINTS_PER_CONVERSATION
                || held + size > capacityBytes / 2)) {
            Entry e = earlier.remove(earlier.size() - 2);
            held -= e.state.byteSize();
            entries.remove(e);
            drop(e);
        }
        makeRoom(size);
        add(ctx, seq, tokens, kind, size, true);
    }

    /**
     * The checkpoint of {@code kind} with the most tokens, at most {@code limit}, that are all the first ones
     * of {@code prompt}; or null.
     */
    public Match bestCheckpoint(int[] prompt, int limit, Object kind) {
        Entry best = null;
        for (Entry e : entries) {
            if (e.checkpoint && e.kind.equals(kind) && e.tokens.length <= limit
                    && (best == null || e.tokens.length > best.tokens.length) && startsWith(prompt, e.tokens)) {
                best = e;
            }
        }
        return best == null ? null : new Match(best, best.tokens, best.tokens.length);
    }

    /**
     * Loads a checkpoint into sequence {@code seq}, whose full-attention caches must hold the checkpoint's tokens:
     * the part the checkpoint holds is replaced, the rest is left as it is (the caller then drops what follows the
     * checkpoint). False when llama.cpp refuses it (that part is then empty for {@code seq}).
     */
    public boolean restoreCheckpoint(MemorySegment ctx, Match match, int seq) {
        Entry e = (Entry) match.entry();
        long read = Llama.llama_state_seq_set_data_ext(ctx, e.state, e.state.byteSize(), seq,
                Llama.LLAMA_STATE_SEQ_FLAGS_PARTIAL_ONLY);
        if (read <= 0) {
            return false;
        }
        touch(e);
        return true;
    }

    private void makeRoom(long size) {
        while (usedBytes + size > capacityBytes && !entries.isEmpty()) {
            spill(entries.removeFirst(), true);
        }
    }

    /** Copies the state into a new entry; false if nothing was added. */
    private boolean add(MemorySegment ctx, int seq, int[] tokens, Object kind, long size, boolean checkpoint) {
        Arena arena = Arena.ofShared();
        MemorySegment state = NativeMemory.allocateUninitialized(arena, size); // llama.cpp overwrites it all
        long written = checkpoint
                ? Llama.llama_state_seq_get_data_ext(ctx, state, size, seq, Llama.LLAMA_STATE_SEQ_FLAGS_PARTIAL_ONLY)
                : Llama.llama_state_seq_get_data(ctx, state, size, seq);
        if (written <= 0) {
            arena.close();
            return false;
        }
        entries.add(new Entry(tokens.clone(), kind, arena, state.asSlice(0, written), checkpoint));
        usedBytes += written;
        return true;
    }

    /**
     * When the engine closes: empties RAM, handing every entry the disk tier takes to it, least recently used first
     * (so that the files' ages keep their order). Then {@link #persist} hands over the slots' conversations.
     */
    public void spillAll() {
        for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
            spill(it.next(), false);
            it.remove();
        }
    }

    /**
     * Hands sequence {@code seq} of {@code ctx} to the disk tier when the engine closes (no-op without one, or for a
     * sequence that may not go to disk). Unlike {@link #save}, does not keep it in RAM.
     */
    public void persist(MemorySegment ctx, int seq, int[] tokens, Object kind) {
        if (disk != null && disk.eligible(tokens, kind)) {
            disk.copyAndWrite(ctx, seq, tokens, false);
        }
    }

    /**
     * The entry of {@code kind} sharing the longest prefix with {@code prompt}, or {@code null} when none shares any:
     * in RAM, or on disk when a file shares more.
     */
    public Match best(int[] prompt, Object kind) {
        Entry best = null;
        int bestCommon = 0;
        for (Entry e : entries) {
            if (e.checkpoint || !e.kind.equals(kind)) {
                continue;
            }
            int common = commonPrefix(e.tokens, prompt);
            if (common > bestCommon) {
                best = e;
                bestCommon = common;
            }
        }
        DiskCache.Hit hit = disk == null ? null : disk.best(prompt, kind);
        if (hit != null && hit.common() > bestCommon) {
            return new Match(hit, hit.tokens(), hit.common());
        }
        return best == null ? null : new Match(best, best.tokens, bestCommon);
    }

    /**
     * Loads a match's state into sequence {@code seq}, which must be empty. Returns false when llama.cpp refuses
     * it (the sequence is then left empty).
     */
    public boolean restore(MemorySegment ctx, Match match, int seq) {
        if (match.entry() instanceof DiskCache.Hit hit) {
            if (!disk.restore(ctx, hit, seq)) {
                return false;
            }
            restores++;
            return true;
        }
        Entry e = (Entry) match.entry();
        long read = Llama.llama_state_seq_set_data(ctx, e.state, e.state.byteSize(), seq);
        if (read <= 0) {
            return false;
        }
        touch(e);
        restores++;
        return true;
    }

    /** State bytes held. */
    public long bytes() {
        return usedBytes;
    }

    /** Sequences held, checkpoints included. */
    public int size() {
        return entries.size();
    }


    /** Sequences saved and restored so far. */
    public long saves() {
        return saves;
    }

    /** Sequences restored from RAM or disk so far (checkpoints not counted). */
    public long restores() {
        return restores;
    }

    private void touch(Entry e) {
        entries.remove(e);
        entries.add(e);
    }

    /** Hands an entry leaving RAM to the disk tier, or frees it. */
    private void spill(Entry e, boolean bounded) {
        usedBytes -= e.state.byteSize();
        if (!e.checkpoint && disk != null && disk.eligible(e.tokens, e.kind)) {
            disk.write(e.tokens, e.arena, e.state, bounded);
        } else {
            e.arena.close();
        }
    }

    private boolean drop(Entry e) {
        usedBytes -= e.state.byteSize();
        e.arena.close();
        return true;
    }

    /** Frees every entry ({@link #spillAll}) and waits for the disk tier's writes to finish. */
    @Override
    public void close() {
        spillAll();
        if (disk != null) {
            disk.close();
        }
    }

    private static boolean startsWith(int[] tokens, int[] prefix) {
        return prefix.length <= tokens.length && commonPrefix(tokens, prefix) == prefix.length;
    }

    /** Length of the common prefix of two token sequences. */
    public static int commonPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length);
        int i = 0;
        while (i < n && a[i] == b[i]) {
            i++;
        }
        return i;
    }
}
