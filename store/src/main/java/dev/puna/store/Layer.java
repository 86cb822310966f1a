package dev.puna.store;

import java.util.Objects;

/**
 * One entry of a manifest's {@code layers} (or its {@code config}): {@code {mediaType, digest, size, from}}.
 *
 * @param mediaType one of {@link MediaTypes}
 * @param digest the blob
 * @param size the blob's size in bytes
 * @param from the model the layer was inherited from ({@code llama3:latest}), or null; Ollama writes it as
 *     {@code from} when a model is created from another one
 */
public record Layer(String mediaType, Digest digest, long size, String from) {

    /** Validates the components. */
    public Layer {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(digest, "digest");
        if (size < 0) {
            throw new IllegalArgumentException("negative layer size " + size);
        }
        from = from == null || from.isEmpty() ? null : from;
    }

    /** A layer that was not inherited. */
    public Layer(String mediaType, Digest digest, long size) {
        this(mediaType, digest, size, null);
    }

    /** The same layer, inherited from {@code parent}. */
    public Layer from(String parent) {
        return new Layer(mediaType, digest, size, parent);
    }
}
