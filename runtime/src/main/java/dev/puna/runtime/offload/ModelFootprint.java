package dev.puna.runtime.offload;

import dev.puna.gguf.GgufFile;
import dev.puna.gguf.GgufTensorInfo;
import dev.puna.runtime.KvCacheType;
import dev.puna.runtime.internal.ExpertOverrides;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a model needs in memory, layer by layer, as the offload planner counts it: read from a GGUF header (the
 * tensor table and the hyperparameters) without loading the model, or written down from recorded figures in tests.
 *
 * <p>llama.cpp places a model in three parts (src/llama-model.cpp, {@code load_tensors}): the input layer (the
 * token embedding table) always stays on the CPU; the repeating layers {@code blk.N.*} go to the CPU or a GPU one
 * by one, their KV cache with them; the output layer ({@code output_norm}, {@code output}) goes where the last
 * layer would go. A model whose output shares the token embedding (no {@code output.weight}) gets a second copy
 * of that table on the output layer's device ({@code TENSOR_DUPLICATED}); on the CPU it is the same mapped memory.
 *
 * @param architecture {@code general.architecture}
 * @param layerWeightBytes the weights of each repeating layer {@code blk.N}, in layer order
 * @param tokenEmbeddingBytes the input layer ({@code token_embd.weight}), which stays in host memory
 * @param outputBytes the output layer on a GPU: every tensor outside {@code blk.N} and the token embedding, plus
 *     the token embedding again when the output is tied to it
 * @param outputTied whether {@code output.weight} is absent, so the output layer reuses the token embedding
 * @param embeddingLength {@code <arch>.embedding_length}
 * @param feedForwardLength {@code <arch>.feed_forward_length} (0 when absent)
 * @param headCount {@code <arch>.attention.head_count}
 * @param headCountKv {@code <arch>.attention.head_count_kv} per layer (one value repeated when the file has one)
 * @param keyLength K head dimension ({@code attention.key_length}, else embedding length / heads)
 * @param valueLength V head dimension ({@code attention.value_length}, else embedding length / heads)
 * @param vocabSize tokens in the vocabulary (the output layer's logits per token)
 * @param layerExpertBytes of each layer's weights, those of its mixture-of-experts matrices ({@code ffn_*_exps},
 *     the tensors {@code n_cpu_moe} keeps in host memory); all 0 for a dense model
 * @param activeFeedForwardLength the feed-forward width of one token's activations, which sizes the compute buffer:
 *     {@code feed_forward_length} for a dense model; for a mixture of experts, the expert width
 *     ({@code expert_feed_forward_length}, else {@code feed_forward_length}) times {@code expert_used_count}, plus
 *     the shared experts' ({@code expert_shared_feed_forward_length x expert_shared_count}), and at least
 *     {@code feed_forward_length} (dense leading layers)
 * @param slidingWindow the positions a sliding-window layer attends over ({@code attention.sliding_window}); 0
 *     for a model without sliding-window attention, or one whose layer pattern the planner does not know
 * @param slidingWindowLayers per layer, whether it is a sliding-window layer (see {@link #slidingLayers})
 */
public record ModelFootprint(String architecture, List<Long> layerWeightBytes, long tokenEmbeddingBytes,
                             long outputBytes, boolean outputTied, int embeddingLength, int feedForwardLength,
                             int headCount, List<Integer> headCountKv, int keyLength, int valueLength,
                             int vocabSize, List<Long> layerExpertBytes, int activeFeedForwardLength,
                             int slidingWindow, List<Boolean> slidingWindowLayers) {
    private static final Pattern LAYER_TENSOR = Pattern.compile("blk\\.(\\d+)\\..*");
    /** The tensors n_cpu_moe moves, found as llama.cpp's {@code regex_search} finds them. */
    private static final Pattern EXPERT_TENSOR = Pattern.compile(ExpertOverrides.EXPERTS);

    public ModelFootprint {
        Objects.requireNonNull(architecture, "architecture");
        layerWeightBytes = List.copyOf(layerWeightBytes);
        headCountKv = List.copyOf(headCountKv);
        if (headCountKv.size() != layerWeightBytes.size()) {
            throw new IllegalArgumentException("head_count_kv has " + headCountKv.size() + " values for "
                    + layerWeightBytes.size() + " layers");
        }
        if (activeFeedForwardLength < 0) {
            throw new IllegalArgumentException("active feed-forward length " + activeFeedForwardLength);
        }
        slidingWindowLayers = List.copyOf(slidingWindowLayers);
        if (slidingWindow < 0 || (slidingWindow > 0 && slidingWindowLayers.size() != layerWeightBytes.size())) {
            throw new IllegalArgumentException("sliding window " + slidingWindow + " with a pattern of "
                    + slidingWindowLayers.size() + " values for " + layerWeightBytes.size() + " layers");
        }
        layerExpertBytes = List.copyOf(layerExpertBytes);
        if (layerExpertBytes.size() != layerWeightBytes.size()) {
            throw new IllegalArgumentException("expert bytes for " + layerExpertBytes.size() + " of "
                    + layerWeightBytes.size() + " layers");
        }
        for (int il = 0; il < layerExpertBytes.size(); il++) {
            if (layerExpertBytes.get(il) < 0 || layerExpertBytes.get(il) > layerWeightBytes.get(il)) {
                throw new IllegalArgumentException("layer " + il + ": " + layerExpertBytes.get(il)
                        + " expert bytes of " + layerWeightBytes.get(il));
            }
        }
    }

    /** A footprint without sliding-window layers. */
    public ModelFootprint(String architecture, List<Long> layerWeightBytes, long tokenEmbeddingBytes,
                          long outputBytes, boolean outputTied, int embeddingLength, int feedForwardLength,
                          int headCount, List<Integer> headCountKv, int keyLength, int valueLength, int vocabSize,
                          List<Long> layerExpertBytes, int activeFeedForwardLength) {
        this(architecture, layerWeightBytes, tokenEmbeddingBytes, outputBytes, outputTied, embeddingLength,
                feedForwardLength, headCount, headCountKv, keyLength, valueLength, vocabSize, layerExpertBytes,
                activeFeedForwardLength, 0, List.of());
    }

    /** A footprint whose tokens' feed-forward activations are {@code feedForwardLength} wide. */
    public ModelFootprint(String architecture, List<Long> layerWeightBytes, long tokenEmbeddingBytes,
                          long outputBytes, boolean outputTied, int embeddingLength, int feedForwardLength,
                          int headCount, List<Integer> headCountKv, int keyLength, int valueLength, int vocabSize,
                          List<Long> layerExpertBytes) {
        this(architecture, layerWeightBytes, tokenEmbeddingBytes, outputBytes, outputTied, embeddingLength,
                feedForwardLength, headCount, headCountKv, keyLength, valueLength, vocabSize, layerExpertBytes,
                feedForwardLength);
    }

    /** A dense model's footprint: no expert weights. */
    public ModelFootprint(String architecture, List<Long> layerWeightBytes, long tokenEmbeddingBytes,
                          long outputBytes, boolean outputTied, int embeddingLength, int feedForwardLength,
                          int headCount, List<Integer> headCountKv, int keyLength, int valueLength, int vocabSize) {
        this(architecture, layerWeightBytes, tokenEmbeddingBytes, outputBytes, outputTied, embeddingLength,
                feedForwardLength, headCount, headCountKv, keyLength, valueLength, vocabSize,
                java.util.Collections.nCopies(layerWeightBytes.size(), 0L));
    }

    /**
     * Reads the footprint from {@code gguf}'s header (milliseconds; no tensor data is read). Call off event loops.
     *
     * @throws dev.puna.gguf.GgufFormatException when the file is not valid GGUF
     * @throws IOException when it cannot be read
     */
    public static ModelFootprint read(Path gguf) throws IOException {
        return of(GgufFile.read(gguf));
    }

    /** The footprint of an already parsed GGUF file. */
    public static ModelFootprint of(GgufFile file) {
        String arch = file.architecture().orElse("");
        int layers = (int) file.getLong(arch + ".block_count").orElse(0);
        long[] perLayer = new long[layers];
        long[] experts = new long[layers];
        long tokenEmbd = 0;
        long global = 0;
        boolean hasOutput = false;
        int vocab = 0;
        for (GgufTensorInfo t : file.tensors()) {
            Matcher m = LAYER_TENSOR.matcher(t.name());
            if (m.matches()) {
                int il = Integer.parseInt(m.group(1));
                if (il < layers) {
                    perLayer[il] += t.byteSize();
                    if (EXPERT_TENSOR.matcher(t.name()).find()) {
                        experts[il] += t.byteSize();
                    }
                    continue;
                }
                // blk.N beyond block_count: nextn/MTP layers llama.cpp loads only on request; not counted.
                continue;
            }
            if (t.name().equals("token_embd.weight")) {
                tokenEmbd = t.byteSize();
                vocab = t.dims().size() > 1 ? t.dims().get(1).intValue() : vocab;
                continue;
            }
            if (t.name().equals("output.weight")) {
                hasOutput = true;
            }
            global += t.byteSize();
        }
        if (vocab == 0 && file.metadata().get("tokenizer.ggml.tokens") instanceof List<?> tokens) {
            vocab = tokens.size();
        }
        int embd = (int) file.getLong(arch + ".embedding_length").orElse(0);
        int heads = (int) Math.max(1, perLayerOrSingle(file, arch + ".attention.head_count", 1, 1).getFirst());
        List<Integer> kvHeads = perLayerOrSingle(file, arch + ".attention.head_count_kv", layers, heads);
        int headDim = embd / heads;
        List<Long> weights = new ArrayList<>(layers);
        List<Long> expertWeights = new ArrayList<>(layers);
        for (int il = 0; il < layers; il++) {
            weights.add(perLayer[il]);
            expertWeights.add(experts[il]);
        }
        int ff = (int) longOrFirst(file, arch + ".feed_forward_length", 0);
        List<Boolean> sliding = slidingLayers(file, arch, layers);
        int window = sliding.isEmpty() ? 0 : (int) Math.clamp(file.getLong(arch + ".attention.sliding_window")
                .orElse(arch.equals("gemma2") ? 4096 : 0), 0, 1 << 30);
        return new ModelFootprint(arch, weights, tokenEmbd, global + (hasOutput ? 0 : tokenEmbd), !hasOutput, embd,
                ff, heads, kvHeads, (int) file.getLong(arch + ".attention.key_length").orElse(headDim),
                (int) file.getLong(arch + ".attention.value_length").orElse(headDim), vocab, expertWeights,
                activeFeedForwardLength(file, arch), window, window == 0 ? List.of() : sliding);
    }

    /**
     * Which layers attend over a sliding window, as llama.cpp decides it for the architectures whose rule the planner
     * knows (src/models/*.cpp {@code load_swa_pattern}): a per-layer {@code attention.sliding_window_pattern} array
     * when the file has one; else every {@code n}-th layer attends over everything (layer {@code il} slides when
     * {@code il % n < n - 1}), {@code n} from the file's single {@code sliding_window_pattern} or the architecture's
     * default: Gemma 2 and gpt-oss 2, Gemma 3 6, Cohere 2 and OLMo 2 4. Gemma 3 and OLMo 2 slide only with a
     * {@code sliding_window} key. Empty for anything else, whose layers then count as full-size: a larger estimate,
     * never a smaller one.
     */
    static List<Boolean> slidingLayers(GgufFile file, String arch, int layers) {
        int defaultPattern = switch (arch) {
            case "gemma2", "gpt-oss" -> 2;
            case "gemma3" -> 6;
            case "cohere2", "olmo2" -> 4;
            default -> 0;
        };
        boolean needsKey = arch.equals("gemma3") || arch.equals("olmo2");
        if (defaultPattern == 0
                || (needsKey && file.getLong(arch + ".attention.sliding_window").orElse(0) <= 0)) {
            return List.of();
        }
        Object pattern = file.metadata().get(arch + ".attention.sliding_window_pattern");
        List<Boolean> out = new ArrayList<>(layers);
        for (int il = 0; il < layers; il++) {
            if (pattern instanceof List<?> list) {
                Object v = il < list.size() ? list.get(il) : null;
                out.add(v instanceof Boolean b ? b : v instanceof Number n && n.longValue() != 0);
            } else {
                long n = pattern instanceof Number p ? p.longValue() : defaultPattern;
                out.add(n == 0 || il % n < n - 1);
            }
        }
        return out;
    }

    /** Whether layer {@code il} attends over a window of {@link #slidingWindow} positions only. */
    public boolean slidingWindowLayer(int il) {
        return slidingWindow > 0 && slidingWindowLayers.get(il);
    }

    /**
     * See the record's {@code activeFeedForwardLength}: the widest layer's when {@code feed_forward_length} is per
     * layer; never negative, and saturated rather than overflowed on absurd metadata.
     */
    private static int activeFeedForwardLength(GgufFile file, String arch) {
        long ff = 0;
        Object v = file.metadata().get(arch + ".feed_forward_length");
        for (Object n : v instanceof List<?> list ? list : java.util.Collections.singletonList(v)) {
            if (n instanceof Number number) {
                ff = Math.max(ff, Math.clamp(number.longValue(), 0, 1L << 30));
            }
        }
        long used = bounded(file, arch + ".expert_used_count", 0);
        if (used == 0) {
            return (int) ff;
        }
        long expert = bounded(file, arch + ".expert_feed_forward_length", ff);
        long shared = bounded(file, arch + ".expert_shared_feed_forward_length", 0)
                * bounded(file, arch + ".expert_shared_count", 0);
        return (int) Math.min(Integer.MAX_VALUE, Math.max(ff, expert * used + shared));
    }

    /** An integer key clamped to [0, 2^30], so that products of two stay far from overflow. */
    private static long bounded(GgufFile file, String key, long fallback) {
        return Math.clamp(file.getLong(key).orElse(fallback), 0, 1L << 30);
    }

    /** A per-layer integer key: an array of one value per layer, or a single value for every layer. */
    private static List<Integer> perLayerOrSingle(GgufFile file, String key, int layers, int fallback) {
        Object v = file.metadata().get(key);
        List<Integer> out = new ArrayList<>(layers);
        if (v instanceof List<?> list) {
            for (int i = 0; i < layers; i++) {
                out.add(i < list.size() && list.get(i) instanceof Number n ? n.intValue() : fallback);
            }
            return out.isEmpty() ? List.of(fallback) : out;
        }
        int single = v instanceof Number n ? n.intValue() : fallback;
        for (int i = 0; i < Math.max(1, layers); i++) {
            out.add(single);
        }
        return layers == 0 ? List.of(single) : out;
    }

    private static long longOrFirst(GgufFile file, String key, long fallback) {
        Object v = file.metadata().get(key);
        if (v instanceof List<?> list) {
            return list.isEmpty() || !(list.getFirst() instanceof Number n) ? fallback : n.longValue();
        }
        return v instanceof Number n ? n.longValue() : fallback;
    }

    /** The repeating layers ({@code block_count}); llama.cpp's {@code n_gpu_layers} counts one more, the output. */
    public int layerCount() {
        return layerWeightBytes.size();
    }

    /** Every weight: the repeating layers, the token embedding and the output layer (once, even when tied). */
    public long weightBytes() {
        long sum = tokenEmbeddingBytes + outputBytes - (outputTied ? tokenEmbeddingBytes : 0);
        for (long b : layerWeightBytes) {
            sum += b;
        }
        return sum;
    }

    /** Whether any layer has expert weights: a mixture-of-experts model. */
    public boolean hasExperts() {
        for (long b : layerExpertBytes) {
            if (b > 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Bytes the KV cache of layer {@code layer} takes per cell (one token of one sequence) at {@code type}: K and V
     * rows of {@code head_count_kv x key/value length} elements, as {@code ggml_row_size} sizes them.
     */
    public long kvBytesPerCell(int layer, KvCacheType type) {
        long heads = headCountKv.get(layer);
        return rowBytes(heads * keyLength, type) + rowBytes(heads * valueLength, type);
    }

    private static long rowBytes(long elements, KvCacheType type) {
        return switch (type) {
            case F16 -> elements * 2;
            case Q8_0 -> elements / 32 * 34;
            case Q4_0 -> elements / 32 * 18;
        };
    }
}
