package dev.puna.store.internal;

import dev.puna.store.Manifest;
import dev.puna.store.ModelName;
import java.nio.file.Path;
import java.time.Instant;

/**
 * A manifest as found on disk: which store it is in, under which spelling, its bytes' digest and time.
 *
 * @param name the name in its stored spelling
 * @param layout the store the manifest is in
 * @param readOnly whether that store is the read-only Ollama store
 * @param manifest the parsed manifest
 * @param bytes the manifest file's bytes
 * @param digestHex the SHA-256 of {@code bytes}, 64 hex digits
 * @param modifiedAt the manifest file's modification time
 */
public record StoredModel(ModelName name, StoreLayout layout, boolean readOnly, Manifest manifest, byte[] bytes,
        String digestHex, Instant modifiedAt) {

    /** The manifest file. */
    public Path manifestPath() {
        return layout.manifestPath(name);
    }
}
