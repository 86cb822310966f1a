package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.puna.bindings.Llama;
import dev.puna.bindings.LlamaLayouts;
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
            MemorySegment mp = Model.nativeParams(arena, params, max);
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
            MemorySegment plain = Model.nativeParams(arena, ModelParams.defaults(), max);
            assertEquals(MemorySegment.NULL,
                    LlamaLayouts.field(LlamaLayouts.LLAMA_MODEL_PARAMS, "tensor_split").get(plain));
        }
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
