package dev.puna.http.internal;

import dev.puna.http.CatalogModel;
import dev.puna.http.ModelCatalog;
import dev.puna.http.ModelDetails;
import dev.puna.store.CorruptModelException;
import dev.puna.store.ModelNotFoundException;
import dev.puna.store.ModelStore;
import dev.puna.store.ModelSummary;
import dev.puna.store.ResolvedModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The {@link ModelCatalog} over a {@link ModelStore}: what the inference routes load and describe. A model's entry
 * is its {@link ResolvedModel} (the GGUF blob, template, system prompt, parameters, messages and licenses of its
 * layers) under Ollama's short display name ({@code tiny:latest}, {@code me/tiny:latest}, or with the host), which
 * is also the scheduler's key, so every spelling of a name shares one loaded instance.
 *
 * <p>Store errors other than "not found" propagate as {@link dev.puna.store.StoreException}s, which the server
 * maps to their HTTP status. Thread-safe (the store is).
 */
public final class StoreCatalog implements ModelCatalog {
    private static final Logger LOG = LogManager.getLogger(StoreCatalog.class);

    /** How long an entry from the read-only Ollama store is trusted: another process (Ollama) may change it. */
    private static final long READ_ONLY_TTL_NANOS = 1_000_000_000L;
    /** Bound on remembered spellings; past it the cache starts over. */
    private static final int MAX_CACHED = 1024;

    private record Cached(CatalogModel model, long changes, long atNanos, boolean readOnly) {
    }

    private final ModelStore store;
    private final java.util.concurrent.ConcurrentHashMap<String, Cached> cache = new java.util.concurrent.ConcurrentHashMap<>();

    public StoreCatalog(ModelStore store) {
        this.store = store;
    }

    @Override
    public Optional<CatalogModel> find(String name) {
        long changes = store.changes(); // read first: a change during resolve() leaves the entry stale, not wrong
        try {
            ResolvedModel r = store.resolve(name);
            CatalogModel model = entry(r);
            if (cache.size() >= MAX_CACHED) {
                cache.clear();
            }
            cache.put(name, new Cached(model, changes, System.nanoTime(), r.readOnly()));
            return Optional.of(model);
        } catch (ModelNotFoundException e) {
            cache.remove(name);
            return Optional.empty();
        }
    }

    /**
     * A model resolved earlier under the same spelling, while no manifest of this store has been written or
     * deleted since (and, for the Ollama store, for a second): each request would otherwise read the manifest and
     * config again (about 1.5 ms on this project's machines) before its first token.
     */
    @Override
    public Optional<CatalogModel> cached(String name) {
        Cached c = cache.get(name);
        if (c == null || c.changes() != store.changes()
                || (c.readOnly() && System.nanoTime() - c.atNanos() > READ_ONLY_TTL_NANOS)) {
            return Optional.empty();
        }
        return Optional.of(c.model());
    }

    /** Every model, most recently modified first (Ollama's {@code /api/tags} order); unreadable ones are skipped. */
    @Override
    public List<CatalogModel> list() {
        List<CatalogModel> out = new ArrayList<>();
        for (ModelSummary s : store.list()) {
            try {
                out.add(entry(store.resolve(s.modelName().toString())));
            } catch (ModelNotFoundException e) {
                // deleted since it was listed
            } catch (CorruptModelException e) {
                LOG.warn("not listing {}: {}", s.name(), e.getMessage());
            }
        }
        out.sort(Comparator.comparing(CatalogModel::modifiedAt).reversed());
        return out;
    }

    /** The catalog entry of a resolved model. */
    static CatalogModel entry(ResolvedModel r) {
        dev.puna.store.ModelDetails d = r.details();
        ModelDetails details = new ModelDetails(d.parentModel(), d.format(), d.family(), d.families(),
                d.parameterSize(), d.quantizationLevel());
        return new CatalogModel(r.name().displayShortest(), r.modelPath(), "sha256:" + r.digest(), r.size(),
                r.modifiedAt(), details, r.template(), r.system(), r.parameters(),
                r.license().isEmpty() ? null : String.join("\n", r.license()), null, r.messages(),
                r.adapterPaths(), r.projectorPaths());
    }
}
