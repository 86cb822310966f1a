package dev.puna.store;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the server needs to run a stored model, with each layer read: the model file to load, adapters and
 * projectors, the template, system prompt, parameters, messages and licenses. A snapshot: the paths stay valid
 * while the files are open even if the model is deleted meanwhile (POSIX unlink semantics).
 *
 * @param name the name in its stored spelling
 * @param digest the SHA-256 of the manifest, 64 hex digits (as {@code /api/tags} and {@code /api/ps} show it)
 * @param size the total size of all blobs in bytes
 * @param modifiedAt when the manifest was last written
 * @param manifest the manifest
 * @param modelPath the GGUF model blob
 * @param adapterPaths LoRA adapter blobs, in manifest order
 * @param projectorPaths multimodal projector blobs, in manifest order
 * @param template the template layer's text, or null if the model has none (then the GGUF's own chat template
 *     applies)
 * @param system the system prompt, or null
 * @param parameters the stored parameters: Long, Double, Boolean or List of String values by Ollama option name
 * @param messages the stored messages
 * @param license the license texts
 * @param details the details (with {@code parent_model} when the model was created from another)
 * @param readOnly true when the model lives in the read-only Ollama store
 */
public record ResolvedModel(ModelName name, String digest, long size, Instant modifiedAt, Manifest manifest,
        Path modelPath, List<Path> adapterPaths, List<Path> projectorPaths, String template, String system,
        Map<String, Object> parameters, List<Message> messages, List<String> license, ModelDetails details,
        boolean readOnly) {

    /** Copies the collections. */
    public ResolvedModel {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(modelPath, "modelPath");
        adapterPaths = List.copyOf(adapterPaths);
        projectorPaths = List.copyOf(projectorPaths);
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        messages = List.copyOf(messages);
        license = List.copyOf(license);
    }
}
