package dev.puna.store.internal;

import dev.puna.store.CorruptModelException;
import dev.puna.store.Digest;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Deletes blobs no manifest of Puna's store references. Runs under the write side of {@link BlobGuard}'s prune
 * lock and spares pinned blobs, so it never removes a blob an operation in progress is writing or about to
 * reference. Only files named exactly {@code sha256-<64 hex>} are ever considered: partial downloads and
 * temporary files are not blobs. Thread-safe.
 */
public final class Pruner {
    private static final Logger LOG = LogManager.getLogger(Pruner.class);
    private static final Pattern BLOB = Pattern.compile("sha256-[0-9a-f]{64}");

    private final Catalog catalog;
    private final BlobGuard guard;

    /** A pruner for {@code catalog}'s store; it also prunes what {@code guard} deferred, once unpinned. */
    public Pruner(Catalog catalog, BlobGuard guard) {
        this.catalog = catalog;
        this.guard = guard;
        guard.onUnpinned(this::prune);
    }

    /**
     * Deletes those of {@code candidates} (typically the layers of a manifest just removed or replaced) that are
     * unreferenced and unpinned, as Ollama does after delete, create and pull.
     *
     * @return the deleted digests
     */
    public List<Digest> prune(Collection<Digest> candidates) {
        List<Digest> deleted = new ArrayList<>();
        if (candidates.isEmpty()) {
            return deleted;
        }
        guard.pruneLock().writeLock().lock();
        try {
            Set<Digest> referenced = referenced();
            if (referenced == null) {
                return deleted;
            }
            for (Digest d : Set.copyOf(candidates)) {
                if (referenced.contains(d)) {
                    continue;
                }
                if (guard.isPinned(d) && guard.defer(d)) {
                    continue;
                }
                if (Files.deleteIfExists(catalog.primary().blobPath(d))) {
                    deleted.add(d);
                }
            }
        } catch (IOException e) {
            LOG.warn("pruning blobs failed: {}", e.toString());
        } finally {
            guard.pruneLock().writeLock().unlock();
        }
        return deleted;
    }

    /**
     * Deletes every unreferenced, unpinned blob last modified more than {@code grace} ago (the grace spares blobs
     * uploaded for a create that has not been sent yet). Meant for server start-up, like Ollama's prune.
     *
     * @return the deleted digests
     */
    public List<Digest> pruneAll(Duration grace) {
        List<Digest> deleted = new ArrayList<>();
        Instant cutoff = Instant.now().minus(grace);
        guard.pruneLock().writeLock().lock();
        try {
            Set<Digest> referenced = referenced();
            Path dir = catalog.primary().blobsDir();
            if (referenced == null || !Files.isDirectory(dir)) {
                return deleted;
            }
            try (DirectoryStream<Path> blobs = Files.newDirectoryStream(dir)) {
                for (Path blob : blobs) {
                    String name = blob.getFileName().toString();
                    if (!BLOB.matcher(name).matches()) {
                        continue;
                    }
                    Digest d = Digest.parse(name);
                    if (!referenced.contains(d) && !guard.isPinned(d)
                            && Files.getLastModifiedTime(blob).toInstant().isBefore(cutoff)
                            && Files.deleteIfExists(blob)) {
                        deleted.add(d);
                    }
                }
            }
        } catch (IOException e) {
            LOG.warn("pruning blobs failed: {}", e.toString());
        } finally {
            guard.pruneLock().writeLock().unlock();
        }
        if (!deleted.isEmpty()) {
            LOG.info("pruned {} unused blobs", deleted.size());
        }
        return deleted;
    }

    /** Every referenced digest, or null when a manifest cannot be read (then nothing may be pruned). */
    private Set<Digest> referenced() throws IOException {
        try {
            return catalog.referencedDigests();
        } catch (CorruptModelException e) {
            LOG.warn("not pruning: {}", e.getMessage());
            return null;
        }
    }
}
