package dev.puna.http.internal;

import dev.puna.gguf.GgmlType;
import dev.puna.gguf.GgufFile;
import dev.puna.gguf.GgufTensorInfo;
import dev.puna.http.ModelDetails;
import dev.puna.http.internal.gotemplate.OllamaTemplate;
import dev.puna.http.internal.gotemplate.TemplateException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the server learns from a GGUF header without loading the model: details for {@code /api/tags},
 * {@code model_info} and capabilities for {@code /api/show}, and the KV cache size per token for memory
 * estimates. Reading a header takes milliseconds; call it off the event loop.
 */
public final class GgufFacts {
    /** llama.cpp's {@code llama_ftype} names by {@code general.file_type} value. */
    private static final Map<Integer, String> FILE_TYPES = Map.ofEntries(Map.entry(0, "F32"), Map.entry(1, "F16"),
            Map.entry(2, "Q4_0"), Map.entry(3, "Q4_1"), Map.entry(7, "Q8_0"), Map.entry(8, "Q5_0"),
            Map.entry(9, "Q5_1"), Map.entry(10, "Q2_K"), Map.entry(11, "Q3_K_S"), Map.entry(12, "Q3_K_M"),
            Map.entry(13, "Q3_K_L"), Map.entry(14, "Q4_K_S"), Map.entry(15, "Q4_K_M"), Map.entry(16, "Q5_K_S"),
            Map.entry(17, "Q5_K_M"), Map.entry(18, "Q6_K"), Map.entry(19, "IQ2_XXS"), Map.entry(20, "IQ2_XS"),
            Map.entry(21, "Q2_K_S"), Map.entry(22, "IQ3_XS"), Map.entry(23, "IQ3_XXS"), Map.entry(24, "IQ1_S"),
            Map.entry(25, "IQ4_NL"), Map.entry(26, "IQ3_S"), Map.entry(27, "IQ3_M"), Map.entry(28, "IQ2_S"),
            Map.entry(29, "IQ2_M"), Map.entry(30, "IQ4_XS"), Map.entry(31, "IQ1_M"), Map.entry(32, "BF16"),
            Map.entry(36, "TQ1_0"), Map.entry(37, "TQ2_0"), Map.entry(38, "MXFP4"));

    /** A template that lists tools: Jinja's {@code tools} variable, Go's {@code .Tools}. */
    private static final Pattern TOOLS = Pattern.compile("\\btools\\b|\\.Tools\\b");
    /** A Go template that fills in the middle. */
    private static final Pattern GO_SUFFIX = Pattern.compile("\\.Suffix\\b");

    private final GgufFile file;
    private final String arch;

    private GgufFacts(GgufFile file) {
        this.file = file;
        this.arch = file.architecture().orElse("");
    }

    /** Reads the header of {@code path}. */
    public static GgufFacts read(Path path) throws IOException {
        return new GgufFacts(GgufFile.read(path));
    }

    public String architecture() {
        return arch;
    }

    /** The file size in bytes: with mmap, what the weights take in memory. */
    public long fileSize() {
        return file.fileSize();
    }

    /** Weights in the file (sum of tensor element counts). */
    public long parameterCount() {
        long n = 0;
        for (GgufTensorInfo t : file.tensors()) {
            n += t.elementCount();
        }
        return n;
    }

    /** The file type as llama.cpp names it, from {@code general.file_type} or else the most common weight type. */
    public String quantization() {
        long ft = file.getLong("general.file_type").orElse(-1);
        String named = FILE_TYPES.get((int) ft);
        if (named != null) {
            return named;
        }
        Map<GgmlType, Long> bytes = new EnumMap<>(GgmlType.class);
        for (GgufTensorInfo t : file.tensors()) {
            if (t.dims().size() >= 2) {
                bytes.merge(t.type(), t.byteSize(), Long::sum);
            }
        }
        return bytes.entrySet().stream().max(Map.Entry.comparingByValue())
                .map(e -> e.getKey().name().toUpperCase(Locale.ROOT)).orElse("unknown");
    }

    /** Details as {@code /api/tags} shows them. */
    public ModelDetails details() {
        String size = file.getString("general.size_label").orElse(humanNumber(parameterCount()));
        return new ModelDetails("", "gguf", arch, List.of(arch), size, quantization());
    }

    private long meta(String key, long fallback) {
        return file.getLong(arch + "." + key).orElse(fallback);
    }

    /** The training context length, or 0 when the file does not say. */
    public int contextLength() {
        return (int) meta("context_length", 0);
    }

    /**
     * Every metadata key, as {@code /api/show}'s {@code model_info}. Without {@code verbose}, arrays longer than
     * five elements (the vocabulary, merges, scores) are shown empty, as Ollama does.
     */
    public Map<String, Object> modelInfo(boolean verbose) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("general.parameter_count", parameterCount());
        for (Map.Entry<String, Object> e : file.metadata().entrySet()) {
            Object v = e.getValue();
            if (!verbose && v instanceof List<?> list && list.size() > 5) {
                v = List.of();
            }
            out.put(e.getKey(), v);
        }
        return out;
    }

    /** Whether the model is a reranker: it declares rank pooling ({@code <arch>.pooling_type} 4). */
    public boolean isReranker() {
        return file.getLong(arch + ".pooling_type").orElse(0) == 4;
    }

    /** The chat template stored in the file, or {@code null}. */
    public String chatTemplate() {
        return file.getString("tokenizer.chat_template").orElse(null);
    }

    /**
     * Ollama's capability names this model has with {@code template} (its Modelfile {@code TEMPLATE}, else its GGUF
     * chat template, or null), in Ollama's order: {@code completion} (or {@code embedding} for a model with a pooling
     * type and no chat template), {@code tools} when the template mentions them ({@code tools} in Jinja,
     * {@code .Tools} in Go), {@code insert} with fill-in-the-middle tokens or a Go template that uses {@code .Suffix},
     * {@code vision} with a projector (Ollama's rule for projector layers), {@code thinking} when {@link #thinks}
     * says {@code think} works.
     */
    public List<String> capabilities(String template, boolean hasProjector) {
        List<String> caps = new ArrayList<>();
        boolean embeddingOnly = file.metadata().containsKey(arch + ".pooling_type")
                && !file.metadata().containsKey("tokenizer.chat_template");
        caps.add(embeddingOnly ? "embedding" : "completion");
        if (template != null && TOOLS.matcher(template).find()) {
            caps.add("tools");
        }
        if (hasFim() || (template != null && GO_SUFFIX.matcher(template).find())) {
            caps.add("insert");
        }
        if (hasProjector) {
            caps.add("vision");
        }
        if (thinks(template)) {
            caps.add("thinking");
        }
        return caps;
    }

    /**
     * Whether {@code think} works with {@code template}, as {@code PromptTemplates.thinkingTags} decides it: a Go
     * template that writes {@code .Thinking} back between tags (Ollama's rule), or a GGUF chat template that writes
     * {@code <think>} blocks.
     */
    public static boolean thinks(String template) {
        if (template == null) {
            return false;
        }
        if (template.contains(".Thinking")) {
            try {
                return OllamaTemplate.parse(template).thinkingTags().isPresent();
            } catch (TemplateException e) {
                return false;
            }
        }
        return template.contains("<think>") && template.contains("</think>");
    }

    private boolean hasFim() {
        Map<String, Object> m = file.metadata();
        if (m.containsKey("tokenizer.ggml.fim_pre_token_id") && m.containsKey("tokenizer.ggml.fim_suf_token_id")
                && m.containsKey("tokenizer.ggml.fim_mid_token_id")) {
            return true;
        }
        return m.get("tokenizer.ggml.tokens") instanceof List<?> tokens && tokens.contains("<|fim_prefix|>")
                && tokens.contains("<|fim_suffix|>") && tokens.contains("<|fim_middle|>");
    }

    /** Ollama's format for parameter counts: {@code 8.0B}, {@code 134.52M}, {@code 22K}. */
    static String humanNumber(long n) {
        if (n >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.1fB", n / 1e9);
        }
        if (n >= 1_000_000L) {
            double m = n / 1e6;
            return m == Math.floor(m) ? String.format(Locale.ROOT, "%.0fM", m) : String.format(Locale.ROOT, "%.2fM", m);
        }
        if (n >= 1_000L) {
            return String.format(Locale.ROOT, "%.0fK", n / 1e3);
        }
        return Long.toString(n);
    }
}
