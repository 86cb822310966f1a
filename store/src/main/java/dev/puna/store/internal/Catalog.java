package dev.puna.store.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.store.CorruptModelException;
import dev.puna.store.Digest;
import dev.puna.store.Layer;
import dev.puna.store.Manifest;
import dev.puna.store.MediaTypes;
import dev.puna.store.Message;
import dev.puna.store.ModelDetails;
import dev.puna.store.ModelName;
import dev.puna.store.ModelSummary;
import dev.puna.store.ResolvedModel;
import dev.puna.store.StoreIOException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Reads models from Puna's store and, behind it, the optional read-only Ollama store: finding a name
 * (case-insensitively, Puna's store first), listing, and reading the layers a model needs to run. Thread-safe.
 */
public final class Catalog {
    private static final Logger LOG = LogManager.getLogger(Catalog.class);

    private final StoreLayout primary;
    private final StoreLayout ollama;

    /**
     * @param primary Puna's store
     * @param ollama the read-only Ollama store, or null
     */
    public Catalog(StoreLayout primary, StoreLayout ollama) {
        this.primary = primary;
        this.ollama = ollama;
    }

    /** Puna's store. */
    public StoreLayout primary() {
        return primary;
    }

    /** The read-only store, if configured. */
    public Optional<StoreLayout> ollama() {
        return Optional.ofNullable(ollama);
    }

    /** The model {@code name} refers to: in Puna's store if there, else in the Ollama store. */
    public Optional<StoredModel> find(ModelName name) {
        Optional<StoredModel> own = findIn(primary, name, false);
        if (own.isPresent() || ollama == null) {
            return own;
        }
        return findIn(ollama, name, true);
    }

    /** The model {@code name} refers to in Puna's own store only. */
    public Optional<StoredModel> findOwn(ModelName name) {
        return findIn(primary, name, false);
    }

    private static Optional<StoredModel> findIn(StoreLayout layout, ModelName name, boolean readOnly) {
        Optional<ModelName> stored = layout.findExisting(name);
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(read(layout, stored.get(), readOnly));
        } catch (NoSuchFileException e) {
            return Optional.empty(); // deleted between finding and reading
        }
    }

    /**
     * Reads one manifest.
     *
     * @throws NoSuchFileException if it does not exist
     * @throws CorruptModelException if it is not a valid manifest
     */
    public static StoredModel read(StoreLayout layout, ModelName name, boolean readOnly) throws NoSuchFileException {
        Path path = layout.manifestPath(name);
        try {
            byte[] bytes = Files.readAllBytes(path);
            Manifest manifest;
            try {
                manifest = ManifestCodec.decode(bytes);
            } catch (IOException e) {
                throw new CorruptModelException("manifest of '%s' (%s) is invalid: %s"
                        .formatted(name.displayShortest(), path, e.getMessage()), e);
            }
            return new StoredModel(name, layout, readOnly, manifest, bytes, Hashing.of(bytes).hex(),
                    Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS).toInstant());
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            throw new StoreIOException("cannot read the manifest " + path, e);
        }
    }

    /**
     * Every model: Puna's own, then those of the Ollama store whose names Puna's store does not have, sorted by
     * display name. Models with unreadable manifests or config blobs are skipped with a warning, as Ollama does.
     */
    public List<ModelSummary> list() {
        Map<String, ModelSummary> byKey = new TreeMap<>();
        addAll(byKey, primary, false);
        if (ollama != null) {
            addAll(byKey, ollama, true);
        }
        List<ModelSummary> out = new ArrayList<>(byKey.values());
        out.sort((a, b) -> a.name().compareToIgnoreCase(b.name()));
        return out;
    }

    private void addAll(Map<String, ModelSummary> byKey, StoreLayout layout, boolean readOnly) {
        List<ModelName> names;
        try {
            names = layout.manifestNames();
        } catch (IOException e) {
            LOG.warn("cannot list the models in {}: {}", layout.root(), e.toString());
            return;
        }
        for (ModelName name : names) {
            if (byKey.containsKey(name.key())) {
                continue;
            }
            try {
                StoredModel model = read(layout, name, readOnly);
                ModelConfig config = config(model);
                byKey.put(name.key(), new ModelSummary(name.displayShortest(), name, model.modifiedAt(),
                        model.manifest().totalSize(), model.digestHex(), config.details(), readOnly));
            } catch (NoSuchFileException e) {
                // deleted while listing
            } catch (RuntimeException e) {
                LOG.warn("skipping model {} in {}: {}", name.displayShortest(), layout.root(), e.getMessage());
            }
        }
    }

    /** The path of a blob of {@code model}, checked to exist. */
    public static Path blob(StoredModel model, Layer layer) {
        Path path = model.layout().blobPath(layer.digest());
        if (!Files.isRegularFile(path)) {
            throw new CorruptModelException("model '%s' is missing its %s blob %s"
                    .formatted(model.name().displayShortest(), layer.mediaType(), path));
        }
        return path;
    }

    /** The model's config blob. */
    public static ModelConfig config(StoredModel model) {
        Path path = blob(model, model.manifest().config());
        try {
            return ModelConfig.decode(Files.readAllBytes(path));
        } catch (IOException e) {
            throw new CorruptModelException("config blob %s of '%s' is invalid: %s"
                    .formatted(path, model.name().displayShortest(), e.getMessage()), e);
        }
    }

    /** The text of the first layer of {@code mediaType}, or null. */
    public static String text(StoredModel model, String mediaType) {
        Optional<Layer> layer = model.manifest().layer(mediaType);
        return layer.isEmpty() ? null : readString(model, layer.get());
    }

    /** The texts of every layer of {@code mediaType}. */
    public static List<String> texts(StoredModel model, String mediaType) {
        List<String> out = new ArrayList<>();
        for (Layer layer : model.manifest().layers(mediaType)) {
            out.add(readString(model, layer));
        }
        return out;
    }

    private static String readString(StoredModel model, Layer layer) {
        Path path = blob(model, layer);
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StoreIOException("cannot read " + path, e);
        }
    }

    /** The params layer: values typed as Long, Double, Boolean or List of String, sorted by name. */
    public static Map<String, Object> parameters(StoredModel model) {
        Map<String, Object> out = new TreeMap<>();
        String json = text(model, MediaTypes.PARAMS);
        if (json == null) {
            return out;
        }
        try {
            JsonNode root = GoJson.MAPPER.readTree(json);
            root.properties().forEach(e -> out.put(e.getKey(), plain(e.getValue())));
        } catch (IOException e) {
            throw new CorruptModelException("params layer of '%s' is invalid JSON: %s"
                    .formatted(model.name().displayShortest(), e.getMessage()), e);
        }
        return out;
    }

    private static Object plain(JsonNode v) {
        if (v.isIntegralNumber()) {
            return v.asLong();
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isArray()) {
            List<Object> list = new ArrayList<>();
            v.forEach(x -> list.add(plain(x)));
            return List.copyOf(list);
        }
        return v.isNull() ? null : v.asText();
    }

    /** The messages layer. */
    public static List<Message> messages(StoredModel model) {
        String json = text(model, MediaTypes.MESSAGES);
        List<Message> out = new ArrayList<>();
        if (json == null) {
            return out;
        }
        try {
            for (JsonNode m : GoJson.MAPPER.readTree(json)) {
                out.add(new Message(m.path("role").asText(), m.path("content").asText()));
            }
        } catch (IOException e) {
            throw new CorruptModelException("messages layer of '%s' is invalid JSON: %s"
                    .formatted(model.name().displayShortest(), e.getMessage()), e);
        }
        return out;
    }

    /** The parent model recorded in the model layer's {@code from}, or "". */
    public static String parentModel(StoredModel model) {
        return model.manifest().layer(MediaTypes.MODEL).map(Layer::from).orElse("");
    }

    /** Everything needed to run {@code model}. */
    public static ResolvedModel resolve(StoredModel model) {
        Manifest m = model.manifest();
        Layer modelLayer = m.layer(MediaTypes.MODEL).orElseThrow(() -> new CorruptModelException(
                "model '%s' has no model layer".formatted(model.name().displayShortest())));
        List<Path> adapters = new ArrayList<>();
        for (Layer l : m.layers(MediaTypes.ADAPTER)) {
            adapters.add(blob(model, l));
        }
        List<Path> projectors = new ArrayList<>();
        for (Layer l : m.layers(MediaTypes.PROJECTOR)) {
            projectors.add(blob(model, l));
        }
        ModelDetails details = config(model).details().withParentModel(parentModel(model));
        return new ResolvedModel(model.name(), model.digestHex(), m.totalSize(), model.modifiedAt(), m,
                blob(model, modelLayer), adapters, projectors, text(model, MediaTypes.TEMPLATE),
                text(model, MediaTypes.SYSTEM), parameters(model), messages(model),
                texts(model, MediaTypes.LICENSE), details, model.readOnly());
    }

    /** The digests every manifest of Puna's store references (for pruning). */
    public java.util.Set<Digest> referencedDigests() throws IOException {
        java.util.Set<Digest> referenced = new java.util.HashSet<>();
        for (ModelName name : primary.manifestNames()) {
            try {
                for (Layer l : read(primary, name, false).manifest().blobs()) {
                    referenced.add(l.digest());
                }
            } catch (NoSuchFileException e) {
                // deleted meanwhile
            }
        }
        return referenced;
    }
}
