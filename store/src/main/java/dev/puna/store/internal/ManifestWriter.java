package dev.puna.store.internal;

import dev.puna.store.Digest;
import dev.puna.store.Layer;
import dev.puna.store.ModelName;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;

/** Swaps a model's manifest under its name lock; shared by create, copy and pull. */
public final class ManifestWriter {
    private ManifestWriter() {
    }

    /**
     * Writes {@code bytes} as the manifest of {@code name} (keeping the spelling an existing model of that name has,
     * so no two spellings of one name coexist), atomically, under the name's lock.
     *
     * @return the blobs of the manifest it replaced (empty for a new model), for pruning once the caller's pins
     *     are released
     */
    public static List<Digest> write(StoreContext ctx, ModelName name, byte[] bytes) throws IOException {
        NameLocks.Held held = ctx.locks().lock(name);
        try {
            ModelName target = ctx.layout().findExisting(name).orElse(name);
            List<Digest> old = new ArrayList<>();
            try {
                for (Layer l : Catalog.read(ctx.layout(), target, false).manifest().blobs()) {
                    old.add(l.digest());
                }
            } catch (NoSuchFileException e) {
                // a new model
            } catch (RuntimeException e) {
                // an unreadable old manifest is simply replaced; its blobs are left to a full prune
            }
            StoreLayout.writeAtomically(ctx.layout().manifestPath(target), bytes);
            ctx.changes().incrementAndGet();
            return old;
        } finally {
            held.unlock();
        }
    }
}
