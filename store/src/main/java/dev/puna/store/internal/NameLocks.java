package dev.puna.store.internal;

import dev.puna.store.ModelName;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per model name (case-insensitive), held around every read-modify-write of a manifest: create, copy,
 * pull and delete of the same name are serialized at the moment they swap or remove the manifest, so no two of
 * them interleave. Locks are kept for the life of the store (one small object per name ever written).
 */
public final class NameLocks {
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    /** Locks held by one caller; release them in a {@code finally} block. */
    public interface Held {
        /** Releases the locks. */
        void unlock();
    }

    /**
     * Locks {@code names} in a fixed order (so two callers locking the same pair cannot deadlock). Reentrant: a
     * thread holding a name's lock may lock it again.
     */
    public Held lock(ModelName... names) {
        List<String> keys = new ArrayList<>();
        for (ModelName name : names) {
            if (!keys.contains(name.key())) {
                keys.add(name.key());
            }
        }
        keys.sort(Comparator.naturalOrder());
        List<ReentrantLock> held = new ArrayList<>();
        for (String key : keys) {
            ReentrantLock lock = locks.computeIfAbsent(key, k -> new ReentrantLock());
            lock.lock();
            held.add(lock);
        }
        return () -> {
            for (int i = held.size() - 1; i >= 0; i--) {
                held.get(i).unlock();
            }
        };
    }
}
