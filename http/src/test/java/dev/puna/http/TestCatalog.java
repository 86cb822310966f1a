package dev.puna.http;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A catalog over models the test registers by exact name (with or without the {@code :latest} tag). */
final class TestCatalog implements ModelCatalog {
    static final ModelDetails DETAILS = new ModelDetails("", "gguf", "llama", List.of("llama"), "135.27K", "F32");
    static final Instant MODIFIED = Instant.parse("2026-01-02T03:04:05Z");

    private final Map<String, CatalogModel> models = new LinkedHashMap<>();

    /** Registers {@code path} as {@code name:latest} without Modelfile settings. */
    TestCatalog add(String name, Path path) {
        return add(CatalogModel.ofFile(name + ":latest", path, "sha256:" + "ab".repeat(32), 1234, MODIFIED, DETAILS));
    }

    synchronized TestCatalog add(CatalogModel model) {
        models.put(model.name(), model);
        return this;
    }

    @Override
    public synchronized Optional<CatalogModel> find(String name) {
        String canonical = name.contains(":") ? name : name + ":latest";
        return Optional.ofNullable(models.get(canonical));
    }

    @Override
    public synchronized List<CatalogModel> list() {
        return new ArrayList<>(models.values());
    }
}
