package dev.puna.store.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.store.Digest;
import dev.puna.store.ModelDetails;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The config blob of a model, Ollama's {@code ConfigV2}: the details {@code /api/tags} shows plus the fields the
 * image spec requires. Puna writes it exactly as Ollama's create does ({@code json.Encoder}, so with a trailing
 * newline), with {@code architecture} amd64 and {@code os} linux as Ollama hard-codes them.
 *
 * @param modelFormat {@code gguf}
 * @param modelFamily the model layer's architecture
 * @param modelFamilies the architectures of all GGUF layers
 * @param modelType the human-readable parameter count ({@code parameter_size})
 * @param fileType the quantization ({@code quantization_level})
 * @param diffIds the layer digests in order ({@code rootfs.diff_ids})
 */
public record ModelConfig(String modelFormat, String modelFamily, List<String> modelFamilies, String modelType,
        String fileType, List<Digest> diffIds) {

    /** Copies the lists; nulls become "" and empty lists. */
    public ModelConfig {
        modelFormat = modelFormat == null ? "" : modelFormat;
        modelFamily = modelFamily == null ? "" : modelFamily;
        modelFamilies = modelFamilies == null ? List.of() : List.copyOf(modelFamilies);
        modelType = modelType == null ? "" : modelType;
        fileType = fileType == null ? "" : fileType;
        diffIds = diffIds == null ? List.of() : List.copyOf(diffIds);
    }

    /** The details this config describes (without a parent model). */
    public ModelDetails details() {
        return new ModelDetails("", modelFormat, modelFamily, modelFamilies, modelType, fileType);
    }

    /** The blob's bytes. */
    public byte[] encode() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model_format", modelFormat);
        json.put("model_family", modelFamily);
        // Go marshals a nil slice as null; Ollama's config has one as long as there is a GGUF layer.
        json.put("model_families", modelFamilies.isEmpty() ? null : modelFamilies);
        json.put("model_type", modelType);
        json.put("file_type", fileType);
        json.put("architecture", "amd64");
        json.put("os", "linux");
        Map<String, Object> rootfs = new LinkedHashMap<>();
        rootfs.put("type", "layers");
        List<Object> ids = new ArrayList<>();
        for (Digest id : diffIds) {
            ids.add(id.toString());
        }
        rootfs.put("diff_ids", ids);
        json.put("rootfs", rootfs);
        return GoJson.encode(json, true);
    }

    /**
     * Reads a config blob leniently: unknown fields (renderer, capabilities, ... of newer Ollama versions) are
     * ignored, missing ones are empty.
     *
     * @throws IOException if the bytes are not a JSON object
     */
    public static ModelConfig decode(byte[] bytes) throws IOException {
        JsonNode root = GoJson.MAPPER.readTree(bytes);
        if (root == null || !root.isObject()) {
            throw new IOException("a model config must be a JSON object");
        }
        List<String> families = new ArrayList<>();
        for (JsonNode f : root.path("model_families")) {
            families.add(f.asText());
        }
        List<Digest> ids = new ArrayList<>();
        for (JsonNode id : root.path("rootfs").path("diff_ids")) {
            try {
                ids.add(Digest.parse(id.asText()));
            } catch (RuntimeException e) {
                // diff_ids are informational; a foreign config with other ids still describes the model
            }
        }
        return new ModelConfig(root.path("model_format").asText(""), root.path("model_family").asText(""), families,
                root.path("model_type").asText(""), root.path("file_type").asText(""), ids);
    }
}
