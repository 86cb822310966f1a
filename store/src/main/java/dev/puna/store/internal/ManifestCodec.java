package dev.puna.store.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.store.Digest;
import dev.puna.store.InvalidDigestException;
import dev.puna.store.Layer;
import dev.puna.store.Manifest;
import dev.puna.store.MediaTypes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes manifests in Ollama's JSON ({@code json.Marshal} of its {@code Manifest} struct: schemaVersion,
 * mediaType, config, layers; each layer mediaType, digest, size and an optional from).
 */
public final class ManifestCodec {
    private ManifestCodec() {
    }

    /** The manifest's bytes as Ollama writes them (no trailing newline). */
    public static byte[] encode(Manifest manifest) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("schemaVersion", manifest.schemaVersion());
        json.put("mediaType", manifest.mediaType());
        json.put("config", layer(manifest.config()));
        List<Object> layers = new ArrayList<>();
        for (Layer layer : manifest.layers()) {
            layers.add(layer(layer));
        }
        json.put("layers", layers);
        return GoJson.encode(json, false);
    }

    private static Map<String, Object> layer(Layer layer) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("mediaType", layer.mediaType());
        json.put("digest", layer.digest().toString());
        json.put("size", layer.size());
        if (layer.from() != null) {
            json.put("from", layer.from());
        }
        return json;
    }

    /**
     * Parses and validates a manifest: schema version 2, a Docker or OCI manifest media type, and a config and
     * layers whose digests are valid sha256 digests (so that none can name a path outside the blob directory).
     *
     * @throws IOException describing the first problem
     */
    public static Manifest decode(byte[] bytes) throws IOException {
        JsonNode root;
        try {
            root = GoJson.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new IOException("not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException("a manifest must be a JSON object");
        }
        int version = root.path("schemaVersion").asInt(-1);
        if (version != 2) {
            throw new IOException("unsupported manifest schemaVersion " + root.path("schemaVersion"));
        }
        String mediaType = root.path("mediaType").asText(MediaTypes.MANIFEST);
        if (!mediaType.equals(MediaTypes.MANIFEST) && !mediaType.equals(MediaTypes.OCI_MANIFEST)) {
            throw new IOException("unsupported manifest mediaType '" + mediaType + "'");
        }
        Layer config = decodeLayer(root.get("config"), "config");
        JsonNode layersNode = root.get("layers");
        if (layersNode == null || !layersNode.isArray()) {
            throw new IOException("a manifest needs a 'layers' array");
        }
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < layersNode.size(); i++) {
            layers.add(decodeLayer(layersNode.get(i), "layers[" + i + "]"));
        }
        return new Manifest(2, mediaType, config, layers);
    }

    private static Layer decodeLayer(JsonNode node, String where) throws IOException {
        if (node == null || !node.isObject()) {
            throw new IOException("manifest " + where + " must be an object");
        }
        JsonNode mediaType = node.get("mediaType");
        JsonNode digest = node.get("digest");
        JsonNode size = node.get("size");
        if (mediaType == null || !mediaType.isTextual()) {
            throw new IOException("manifest " + where + " has no mediaType");
        }
        if (size == null || !size.canConvertToLong() || size.asLong() < 0) {
            throw new IOException("manifest " + where + " has no valid size");
        }
        Digest d;
        try {
            d = Digest.parse(digest == null ? null : digest.asText());
        } catch (InvalidDigestException e) {
            throw new IOException("manifest " + where + ": " + e.getMessage(), e);
        }
        JsonNode from = node.get("from");
        return new Layer(mediaType.asText(), d, size.asLong(), from == null ? null : from.asText());
    }
}
