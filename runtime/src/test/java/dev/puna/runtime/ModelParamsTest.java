package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.puna.bindings.GgmlDevices;
import dev.puna.bindings.Llama;
import dev.puna.bindings.LlamaLayouts;
import dev.puna.bindings.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ModelParams reach llama_model_params field by field; the tensor split as llama.cpp reads it. */
class ModelParamsTest {

    @Test
    void gpuLayersAndTensorSplitAreWrittenWhereLlamaCppReadsThem() {
        ModelParams params = ModelParams.builder().gpuLayers(42).tensorSplit(List.of(3f, 1f)).build();
        long max = Llama.llama_max_devices();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mp = Model.nativeParams(arena, params, max, 2);
            assertEquals(42, (int) LlamaLayouts.field(LlamaLayouts.LLAMA_MODEL_PARAMS, "n_gpu_layers").get(mp));
            MemorySegment split = ((MemorySegment) LlamaLayouts.field(LlamaLayouts.LLAMA_MODEL_PARAMS,
                    "tensor_split").get(mp)).reinterpret(max * Float.BYTES);
            // llama.cpp copies llama_max_devices() floats: the two proportions, then zeros
            assertEquals(3f, split.getAtIndex(ValueLayout.JAVA_FLOAT, 0));
            assertEquals(1f, split.getAtIndex(ValueLayout.JAVA_FLOAT, 1));
            for (long i = 2; i < max; i++) {
                assertEquals(0f, split.getAtIndex(ValueLayout.JAVA_FLOAT, i));
            }
            // without a split the pointer stays NULL: llama.cpp splits by free memory
            MemorySegment plain = Model.nativeParams(arena, ModelParams.defaults(), max, 2);
            assertEquals(MemorySegment.NULL,
                    LlamaLayouts.field(LlamaLayouts.LLAMA_MODEL_PARAMS, "tensor_split").get(plain));
            // and without n_cpu_moe there are no tensor overrides
            assertEquals(MemorySegment.NULL,
                    LlamaLayouts.field(LlamaLayouts.LLAMA_MODEL_PARAMS, "tensor_buft_overrides").get(plain));
        }
    }

    @Test
    void cpuMoeLayersBecomeNullTerminatedOverridesOnTheCpuBufferType() {
        long max = Llama.llama_max_devices();
        try (Arena arena = Arena.ofConfined()) {
            // two of a 48-layer model's layers: one pattern per layer, as llama-server's --n-cpu-moe 2 writes them
            assertEquals(List.of("blk\\.0\\.ffn_(up|down|gate|gate_up)_(ch|)exps",
                            "blk\\.1\\.ffn_(up|down|gate|gate_up)_(ch|)exps", "CPU", "CPU"),
                    overrides(Model.nativeParams(arena, ModelParams.builder().cpuMoeLayers(2).build(), max, 48)));
            // every layer (or more): llama-server's --cpu-moe pattern, once
            List<String> all = List.of("\\.ffn_(up|down|gate|gate_up)_(ch|)exps", "CPU");
            assertEquals(all, overrides(Model.nativeParams(arena, ModelParams.builder().cpuMoeLayers(48).build(),
                    max, 48)));
            assertEquals(all, overrides(Model.nativeParams(arena, ModelParams.builder().cpuMoeLayers(1000).build(),
                    max, 48)));
        }
        assertEquals("n_cpu_moe", assertThrows(InvalidParameterException.class,
                () -> ModelParams.builder().cpuMoeLayers(-1)).parameter());
    }

    /** The override array's patterns, then each entry's buffer type name, up to the NULL pattern that ends it. */
    private static List<String> overrides(MemorySegment mp) {
        MemorySegment array = (MemorySegment) LlamaLayouts.field(LlamaLayouts.LLAMA_MODEL_PARAMS,
                "tensor_buft_overrides").get(mp);
        long size = LlamaLayouts.LLAMA_MODEL_TENSOR_BUFT_OVERRIDE.byteSize();
        List<String> patterns = new java.util.ArrayList<>();
        List<String> types = new java.util.ArrayList<>();
        for (int i = 0; ; i++) {
            MemorySegment entry = array.reinterpret((i + 1) * size).asSlice(i * size, size);
            MemorySegment pattern = (MemorySegment) LlamaLayouts.field(
                    LlamaLayouts.LLAMA_MODEL_TENSOR_BUFT_OVERRIDE, "pattern").get(entry);
            MemorySegment buft = (MemorySegment) LlamaLayouts.field(
                    LlamaLayouts.LLAMA_MODEL_TENSOR_BUFT_OVERRIDE, "buft").get(entry);
            if (pattern.equals(MemorySegment.NULL)) {
                assertEquals(MemorySegment.NULL, buft);
                break;
            }
            patterns.add(Native.cString(pattern));
            types.add(Native.cString(GgmlDevices.ggml_backend_buft_name(buft)));
        }
        patterns.addAll(types);
        return patterns;
    }

    @Test
    void aModelLoadsWithATensorSplitOnTheCpuAndTooManyProportionsAreRefused() {
        try (Model m = Model.load(Models.scripted(), ModelParams.builder().tensorSplit(List.of(1f, 1f)).build())) {
            assertEquals(Models.scripted(), m.info().path());
        }
        List<Float> tooMany = java.util.Collections.nCopies((int) Llama.llama_max_devices() + 1, 1f);
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> Model.load(Models.scripted(), ModelParams.builder().tensorSplit(tooMany).build()));
        assertEquals("tensor_split", e.parameter());
        assertEquals("tensor_split", assertThrows(InvalidParameterException.class,
                () -> ModelParams.builder().tensorSplit(List.of(Float.NaN))).parameter());
    }
}
