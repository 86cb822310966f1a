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

    private final ModelStore store;

    public StoreCatalog(ModelStore store) {
        this.store = store;
    }

    @Override
    public Optional<CatalogModel> find(String name) {
        try {
            return Optional.of(entry(store.resolve(name)));
        } catch (ModelNotFoundException e) {
            return Optional.empty();
        }
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
                r.license().isEmpty() ? null : String.join("\n", r.license()), null, r.messages());
    }
}
