package dev.puna.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An image manifest as Ollama writes it: schema version 2, the Docker manifest media type, a config blob and the
 * layers. Immutable.
 *
 * @param schemaVersion always 2
 * @param mediaType {@link MediaTypes#MANIFEST} (or the OCI equivalent for manifests read from a registry)
 * @param config the config blob ({@link MediaTypes#CONFIG})
 * @param layers the layers in order
 */
public record Manifest(int schemaVersion, String mediaType, Layer config, List<Layer> layers) {

    /** Validates and copies the components. */
    public Manifest {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(config, "config");
        layers = List.copyOf(layers);
    }

    /** A schema-2 Docker manifest of {@code config} and {@code layers}. */
    public static Manifest of(Layer config, List<Layer> layers) {
        return new Manifest(2, MediaTypes.MANIFEST, config, layers);
    }

    /** The layers followed by the config: every blob the manifest needs. */
    public List<Layer> blobs() {
        List<Layer> all = new ArrayList<>(layers);
        all.add(config);
        return all;
    }

    /** The layers of one media type, in order. */
    public List<Layer> layers(String type) {
        return layers.stream().filter(l -> l.mediaType().equals(type)).toList();
    }

    /** The first layer of one media type. */
    public Optional<Layer> layer(String type) {
        return layers.stream().filter(l -> l.mediaType().equals(type)).findFirst();
    }

    /** The total size of the layers and the config, as {@code /api/tags} reports it. */
    public long totalSize() {
        long size = config.size();
        for (Layer layer : layers) {
            size += layer.size();
        }
        return size;
    }
}
