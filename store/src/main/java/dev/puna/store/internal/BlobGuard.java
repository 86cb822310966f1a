package dev.puna.store.internal;

import dev.puna.store.Digest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * Keeps pruning away from blobs that an operation still needs.
 *
 * <p>An operation that will write or reference blobs (create, copy, pull, import) <em>pins</em> their digests before
 * it checks whether they exist, and releases the pins after its manifest is written. Pruning deletes only blobs
 * that no manifest references and nobody has pinned. Pins are taken under the read side of a lock whose write side
 * pruning holds for its whole scan-and-delete, so a pin is either in place before a prune starts (the blob is kept)
 * or taken after it finished (the operation then sees the blob gone and downloads or writes it again): a blob can
 * never disappear between "it exists, reuse it" and the manifest that references it.
 *
 * <p>It also hands out one lock per blob, so that two pulls needing the same blob do not download it into the same
 * partial file at once. Thread-safe.
 */
public final class BlobGuard {
    private final ReentrantReadWriteLock pruneLock = new ReentrantReadWriteLock();
    private final ConcurrentHashMap<Digest, Integer> pins = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Digest, ReentrantLock> blobLocks = new ConcurrentHashMap<>();
    private final Set<Digest> deferred = ConcurrentHashMap.newKeySet();
    private volatile Consumer<Collection<Digest>> onUnpinned;

    /** Pins held by one operation; closing releases them. */
    public final class Pins implements AutoCloseable {
        private final Set<Digest> held = new HashSet<>();

        private Pins() {
        }

        /** Pins more digests (idempotent per digest). */
        public Pins add(Collection<Digest> digests) {
            pruneLock.readLock().lock();
            try {
                for (Digest d : digests) {
                    if (held.add(d)) {
                        pins.merge(d, 1, Integer::sum);
                    }
                }
            } finally {
                pruneLock.readLock().unlock();
            }
            return this;
        }

        /** Pins one more digest. */
        public Pins add(Digest digest) {
            return add(Set.of(digest));
        }

        /**
         * Releases the pins now (closing later does nothing more). Blobs whose pruning was deferred because of these
         * pins are pruned now if nothing else pins them.
         */
        public void release() {
            List<Digest> free = new ArrayList<>();
            for (Digest d : held) {
                if (pins.computeIfPresent(d, (k, n) -> n == 1 ? null : n - 1) == null && deferred.remove(d)) {
                    free.add(d);
                }
            }
            held.clear();
            Consumer<Collection<Digest>> prune = onUnpinned;
            if (!free.isEmpty() && prune != null) {
                prune.accept(free);
            }
        }

        @Override
        public void close() {
            release();
        }
    }

    /** An empty set of pins for one operation. */
    public Pins pins() {
        return new Pins();
    }

    /** Whether any operation has {@code digest} pinned; call while holding {@link #pruneLock()}'s write side. */
    public boolean isPinned(Digest digest) {
        return pins.containsKey(digest);
    }

    /**
     * Remembers that pruning skipped {@code digest} because it was pinned, so that it is pruned once the last pin
     * is released (a reader pinning a replaced model's blobs must not leak them). Call while holding
     * {@link #pruneLock()}'s write side.
     *
     * @return false if the last pin was released meanwhile and the caller should delete the blob itself
     */
    public boolean defer(Digest digest) {
        deferred.add(digest);
        // A release that ran before the add did not see the digest as deferred: take it back and let the caller
        // prune. If the removal fails, a release took it and will prune it.
        return pins.containsKey(digest) || !deferred.remove(digest);
    }

    /** Sets what prunes blobs whose deferred pruning became possible. */
    public void onUnpinned(Consumer<Collection<Digest>> prune) {
        this.onUnpinned = prune;
    }

    /** The lock pruning holds (write side) while it decides and deletes. */
    public ReentrantReadWriteLock pruneLock() {
        return pruneLock;
    }

    /** The lock of one blob, held while downloading or writing it. */
    public ReentrantLock blobLock(Digest digest) {
        return blobLocks.computeIfAbsent(digest, d -> new ReentrantLock());
    }
}
