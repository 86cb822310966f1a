package dev.puna.runtime.internal;

import static dev.puna.bindings.LlamaLayouts.LLAMA_MODEL_TENSOR_BUFT_OVERRIDE;

import dev.puna.bindings.GgmlDevices;
import dev.puna.bindings.LlamaLayouts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code tensor_buft_overrides} that keep a mixture-of-experts model's expert weights in host memory, written
 * as llama-server writes them for {@code --cpu-moe} (one pattern for every layer) and {@code --n-cpu-moe n} (one
 * pattern per layer {@code 0..n-1}); llama.cpp's loader tries them in order against each tensor name with
 * {@code std::regex_search}. The buffer type is the CPU device's, which is {@code ggml_backend_cpu_buffer_type()},
 * so llama.cpp still picks its repacked CPU variants for them.
 */
public final class ExpertOverrides {
    /** llama.cpp's {@code LLM_FFN_EXPS_REGEX} (common/common.h): the stacked expert matrices of any layer. */
    public static final String EXPERTS = "\\.ffn_(up|down|gate|gate_up)_(ch|)exps";

    private ExpertOverrides() {
    }

    /** The patterns for the first {@code layers} of a model of {@code modelLayers} layers; none for 0. */
    public static List<String> patterns(int layers, int modelLayers) {
        if (layers <= 0) {
            return List.of();
        }
        if (layers >= modelLayers) {
            return List.of(EXPERTS);
        }
        List<String> out = new ArrayList<>(layers);
        for (int il = 0; il < layers; il++) {
            out.add("blk\\." + il + EXPERTS);
        }
        return out;
    }

    /**
     * The NULL-terminated override array for {@code patterns} in {@code arena}, every entry on the CPU buffer
     * type; {@link MemorySegment#NULL} when there are none. The arena must stay open until the load returns.
     */
    public static MemorySegment toNative(Arena arena, List<String> patterns) {
        if (patterns.isEmpty()) {
            return MemorySegment.NULL;
        }
        MemorySegment cpu = cpuBufferType();
        MemorySegment array = arena.allocate(LLAMA_MODEL_TENSOR_BUFT_OVERRIDE, patterns.size() + 1L);
        long size = LLAMA_MODEL_TENSOR_BUFT_OVERRIDE.byteSize();
        for (int i = 0; i <= patterns.size(); i++) {
            MemorySegment entry = array.asSlice(i * size, size);
            boolean end = i == patterns.size();
            LlamaLayouts.field(LLAMA_MODEL_TENSOR_BUFT_OVERRIDE, "pattern")
                    .set(entry, end ? MemorySegment.NULL : arena.allocateFrom(patterns.get(i)));
            LlamaLayouts.field(LLAMA_MODEL_TENSOR_BUFT_OVERRIDE, "buft").set(entry, end ? MemorySegment.NULL : cpu);
        }
        return array;
    }

    /** The CPU device's buffer type: every build registers the CPU device. */
    static MemorySegment cpuBufferType() {
        Backend.ensureInitialised();
        for (long i = 0, n = GgmlDevices.ggml_backend_dev_count(); i < n; i++) {
            MemorySegment dev = GgmlDevices.ggml_backend_dev_get(i);
            if (GgmlDevices.ggml_backend_dev_type(dev) == GgmlDevices.TYPE_CPU) {
                return GgmlDevices.ggml_backend_dev_buffer_type(dev);
            }
        }
        throw new IllegalStateException("ggml lists no CPU device");
    }
}
