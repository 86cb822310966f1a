package dev.puna.store.internal;

import dev.puna.store.Quantizer;
import java.nio.file.Path;

/**
 * The shared machinery of one open store, handed to the operations (create, pull, push) that live outside
 * {@code ModelStore}.
 *
 * @param catalog reads models from both stores
 * @param layout Puna's store
 * @param guard pins and the prune lock
 * @param locks per-name locks
 * @param writer puts blobs
 * @param pruner deletes unused blobs
 * @param quantizer quantizes during create, or null when none is configured
 */
public record StoreContext(Catalog catalog, StoreLayout layout, BlobGuard guard, NameLocks locks, BlobWriter writer,
        Pruner pruner, Quantizer quantizer, java.util.concurrent.atomic.AtomicLong changes) {

    /** The machinery for a store at {@code root}, optionally backed by a read-only Ollama store. */
    public static StoreContext create(Path root, Path ollamaRoot, Quantizer quantizer) {
        StoreLayout layout = new StoreLayout(root);
        StoreLayout ollama = ollamaRoot == null ? null : new StoreLayout(ollamaRoot);
        Catalog catalog = new Catalog(layout, ollama);
        BlobGuard guard = new BlobGuard();
        return new StoreContext(catalog, layout, guard, new NameLocks(), new BlobWriter(layout),
                new Pruner(catalog, guard), quantizer, new java.util.concurrent.atomic.AtomicLong());
    }
}
