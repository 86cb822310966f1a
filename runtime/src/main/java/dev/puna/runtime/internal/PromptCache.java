package dev.puna.runtime.internal;

import dev.puna.bindings.Llama;
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
 * budget. Each entry's state lives in its own confined arena: the cache belongs to one engine's decode thread,
 * which alone saves, restores and finally {@linkplain #close() closes} it.
 */
public final class PromptCache implements AutoCloseable {
    /** Sequences shorter than this are cheaper to evaluate again than to copy around. */
    public static final int MIN_TOKENS = 64;

    private static final class Entry {
        final int[] tokens;
        final Object kind;
        final Arena arena;
        final MemorySegment state;

        Entry(int[] tokens, Object kind, Arena arena, MemorySegment state) {
            this.tokens = tokens;
            this.kind = kind;
            this.arena = arena;
            this.state = state;
        }
    }

    /** A cached sequence and how many leading tokens it shares with a prompt. */
    public record Match(Object entry, int[] tokens, int common) {
    }

    private final long capacityBytes;
    /** Least recently used first. */
    private final List<Entry> entries = new ArrayList<>();
    private long usedBytes;
    private long saves;
    private long restores;

    /** @param capacityBytes the most state bytes to keep; 0 disables the cache */
    public PromptCache(long capacityBytes) {
        this.capacityBytes = capacityBytes;
    }

    /**
     * Copies sequence {@code seq} of {@code ctx}, which holds {@code tokens}, into host memory, unless it is too
     * short, too big for the budget, or already cached (an entry starting with the same tokens). Entries it
     * extends are dropped, and the least recently used ones make room. {@code kind} says what else the state
     * depends on (the LoRA adapters it was computed with): {@link #best} only offers entries of the same kind.
     */
    public void save(MemorySegment ctx, int seq, int[] tokens, Object kind) {
        if (capacityBytes <= 0 || tokens.length < MIN_TOKENS) {
            return;
        }
        for (Entry e : entries) {
            if (e.kind.equals(kind) && startsWith(e.tokens, tokens)) {
                touch(e);
                return;
            }
        }
        long size = Llama.llama_state_seq_get_size(ctx, seq);
        if (size <= 0 || size > capacityBytes) {
            return;
        }
        entries.removeIf(e -> e.kind.equals(kind) && startsWith(tokens, e.tokens) && drop(e));
        while (usedBytes + size > capacityBytes && !entries.isEmpty()) {
            drop(entries.removeFirst());
        }
        Arena arena = Arena.ofConfined();
        MemorySegment state = arena.allocate(size, 64);
        long written = Llama.llama_state_seq_get_data(ctx, state, size, seq);
        if (written <= 0) {
            arena.close();
            return;
        }
        entries.add(new Entry(tokens.clone(), kind, arena, state.asSlice(0, written)));
        usedBytes += written;
        saves++;
    }

    /**
     * The entry of {@code kind} sharing the longest prefix with {@code prompt}, or {@code null} when none shares any.
     */
    public Match best(int[] prompt, Object kind) {
        Entry best = null;
        int bestCommon = 0;
        for (Entry e : entries) {
            if (!e.kind.equals(kind)) {
                continue;
            }
            int common = commonPrefix(e.tokens, prompt);
            if (common > bestCommon) {
                best = e;
                bestCommon = common;
            }
        }
        return best == null ? null : new Match(best, best.tokens, bestCommon);
    }

    /**
     * Loads a match's state into sequence {@code seq}, which must be empty. Returns false when llama.cpp refuses
     * it (the sequence is then left empty).
     */
    public boolean restore(MemorySegment ctx, Match match, int seq) {
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

    /** Sequences held. */
    public int size() {
        return entries.size();
    }

    /** Sequences saved and restored so far. */
    public long saves() {
        return saves;
    }

    public long restores() {
        return restores;
    }

    private void touch(Entry e) {
        entries.remove(e);
        entries.add(e);
    }

    private boolean drop(Entry e) {
        usedBytes -= e.state.byteSize();
        e.arena.close();
        return true;
    }

    @Override
    public void close() {
        for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
            drop(it.next());
            it.remove();
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
