package dev.puna.store;

import java.time.Instant;

/**
 * One entry of {@code GET /api/tags}.
 *
 * @param name the model's short display name ({@link ModelName#displayShortest()}), e.g. {@code llama3:latest}
 * @param modelName the parsed name, in the spelling the model is stored under
 * @param modifiedAt when the manifest was last written
 * @param size the sum of the sizes of all layers and the config blob, in bytes
 * @param digest the SHA-256 of the manifest file, as Ollama lists it: 64 hex digits without {@code sha256:}
 * @param details format, family, parameter size and quantization level ({@code parent_model} is "")
 * @param readOnly true when the model comes from the read-only Ollama store
 */
public record ModelSummary(String name, ModelName modelName, Instant modifiedAt, long size, String digest,
        ModelDetails details, boolean readOnly) {

    /** {@code model} in Ollama's listing: the same as {@link #name()}. */
    public String model() {
        return name;
    }
}
