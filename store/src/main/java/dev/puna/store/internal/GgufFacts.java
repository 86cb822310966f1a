package dev.puna.store.internal;

import dev.puna.gguf.GgufFile;
import dev.puna.gguf.GgufTensorInfo;
import dev.puna.gguf.GgufValueType;
import dev.puna.store.MediaTypes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * What the store needs to know about a GGUF file, read from its header only: architecture, kind, parameter count,
 * file type, and the keys that decide capabilities ({@code <arch>.pooling_type}, vision blocks, FIM tokens).
 *
 * @param file the parsed header
 * @param architecture {@code general.architecture}, or {@code unknown}
 * @param kind {@code general.type} ({@code model}, {@code adapter}, {@code projector}, {@code mmproj}), or ""
 * @param parameterCount the number of weights: the sum of all tensors' element counts
 * @param fileType {@code general.file_type}, if set
 */
public record GgufFacts(GgufFile file, String architecture, String kind, long parameterCount,
        OptionalLong fileType) {

    /** Arrays longer than this are elided from {@code model_info} unless verbose (Ollama's default cap). */
    public static final int MAX_ARRAY_IN_SHOW = 1024;

    /**
     * Reads the header of {@code path}.
     *
     * @throws IOException if it is not a GGUF file (the message says why)
     */
    public static GgufFacts read(Path path) throws IOException {
        GgufFile file = GgufFile.read(path);
        long params = 0;
        for (GgufTensorInfo t : file.tensors()) {
            params += t.elementCount();
        }
        String arch = file.architecture().orElse("unknown");
        String kind = file.metadata().get("general.type") instanceof String s ? s : "";
        OptionalLong ft = file.metadata().get("general.file_type") instanceof Long l ? OptionalLong.of(l)
                : OptionalLong.empty();
        return new GgufFacts(file, arch, kind, params, ft);
    }

    /** The file type's name ({@code Q8_0}, {@code F16}, ...), or {@code unknown}. */
    public String fileTypeName() {
        return fileType.isPresent() ? FileTypes.name(fileType.getAsLong()) : "unknown";
    }

    /**
     * The manifest layer type for this file, decided as Ollama does: an adapter if {@code general.type} says so, a
     * projector if it says projector/mmproj or the file has vision blocks but no text blocks (or is a CLIP encoder
     * without text blocks), else the model.
     */
    public String mediaType() {
        if (kind.equals("adapter")) {
            return MediaTypes.ADAPTER;
        }
        long blocks = longValue(architecture + ".block_count");
        boolean vision = longValue("vision.block_count") > 0 || longValue(architecture + ".vision.block_count") > 0;
        if (kind.equals("projector") || kind.equals("mmproj") || (blocks == 0 && vision)
                || (architecture.equals("clip") && blocks == 0)) {
            return MediaTypes.PROJECTOR;
        }
        return MediaTypes.MODEL;
    }

    /** Whether the model pools embeddings ({@code <arch>.pooling_type} is set): an embedding model. */
    public boolean isEmbedding() {
        return file.metadata().containsKey(architecture + ".pooling_type");
    }

    /** Whether the model has its own vision encoder ({@code <arch>.vision.block_count}). */
    public boolean hasVision() {
        return file.metadata().containsKey(architecture + ".vision.block_count");
    }

    /** Whether the vocabulary has fill-in-the-middle prefix, suffix and middle tokens. */
    public boolean hasFim() {
        Map<String, Object> kv = file.metadata();
        boolean modern = kv.containsKey("tokenizer.ggml.fim_pre_token_id")
                && kv.containsKey("tokenizer.ggml.fim_suf_token_id")
                && kv.containsKey("tokenizer.ggml.fim_mid_token_id");
        boolean legacy = kv.containsKey("tokenizer.ggml.prefix_token_id")
                && kv.containsKey("tokenizer.ggml.suffix_token_id")
                && kv.containsKey("tokenizer.ggml.middle_token_id");
        return modern || legacy;
    }

    /** The GGUF's Jinja chat template ({@code tokenizer.chat_template}), or null. */
    public String chatTemplate() {
        return file.metadata().get("tokenizer.chat_template") instanceof String s ? s : null;
    }

    /**
     * The metadata as {@code /api/show} returns it in {@code model_info}: every key in sorted order (Go sorts map
     * keys) except {@code general.name} and {@code tokenizer.chat_template}, which Ollama drops, plus
     * {@code general.parameter_count}. Unless {@code verbose}, arrays longer than {@value #MAX_ARRAY_IN_SHOW}
     * elements (the vocabulary, scores, merges) are null, as in Ollama.
     */
    public Map<String, Object> modelInfo(boolean verbose) {
        Map<String, Object> info = new TreeMap<>();
        for (Map.Entry<String, Object> e : file.metadata().entrySet()) {
            String key = e.getKey();
            if (key.equals("general.name") || key.equals("tokenizer.chat_template")) {
                continue;
            }
            Object value = e.getValue();
            if (value instanceof List<?> list) {
                value = !verbose && list.size() > MAX_ARRAY_IN_SHOW ? null : new ArrayList<>(list);
            } else if (value instanceof Double d
                    && file.valueType(key).orElse(null) == GgufValueType.FLOAT32) {
                // the shortest decimal of the stored float: 1e-05, not 9.999999747378752E-6
                value = Double.parseDouble(Float.toString(d.floatValue()));
            }
            info.put(key, value);
        }
        info.put("general.parameter_count", parameterCount);
        return info;
    }

    private long longValue(String key) {
        return file.metadata().get(key) instanceof Long l ? l : 0;
    }
}
