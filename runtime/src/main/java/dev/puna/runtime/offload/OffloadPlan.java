package dev.puna.runtime.offload;

import java.util.List;
import java.util.Objects;

/**
 * Where a model's layers go: the {@code n_gpu_layers} and {@code tensor_split} to load it with, and what that
 * takes on each device. Produced by {@link OffloadPlanner#plan}; an immutable value.
 *
 * @param gpuLayers llama.cpp's {@code n_gpu_layers}: how many of the last layers go to GPUs, counting the output
 *     layer as one (so a model of {@code n} repeating layers is fully offloaded at {@code n + 1})
 * @param totalLayers {@code n + 1}, the most {@code gpuLayers} can be
 * @param tensorSplit the proportion of the offloaded layers each GPU of {@link #gpus()} gets, in that order, as
 *     llama.cpp's {@code tensor_split}; empty when there are fewer than two GPUs (nothing to split)
 * @param cpuMoeLayers how many of the first layers keep their expert weights in host memory ({@code n_cpu_moe},
 *     {@link dev.puna.runtime.ModelParams#cpuMoeLayers}); 0 for a dense model or when every expert fits
 * @param cpu what stays in host memory
 * @param gpus what each GPU the model may use holds, in llama.cpp's device order (some may hold nothing)
 * @param reason why these numbers, in words, for logs
 */
public record OffloadPlan(int gpuLayers, int totalLayers, List<Float> tensorSplit, int cpuMoeLayers, DeviceUse cpu,
                          List<DeviceUse> gpus, String reason) {
    public OffloadPlan {
        tensorSplit = List.copyOf(tensorSplit);
        Objects.requireNonNull(cpu, "cpu");
        gpus = List.copyOf(gpus);
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * What one device holds under the plan.
     *
     * @param device the device's name ({@code CPU}, {@code CUDA0})
     * @param layers layers on it (the output layer counts as one)
     * @param weightBytes weights on it
     * @param kvBytes KV cache of its layers
     * @param computeBytes estimated compute buffer (0 on a GPU holding no layer; not estimated for the CPU)
     */
    public record DeviceUse(String device, int layers, long weightBytes, long kvBytes, long computeBytes) {
        /** Everything on the device. */
        public long totalBytes() {
            return weightBytes + kvBytes + computeBytes;
        }
    }

    /** Bytes on all GPUs together: Ollama's {@code size_vram}. */
    public long gpuBytes() {
        long sum = 0;
        for (DeviceUse g : gpus) {
            sum += g.totalBytes();
        }
        return sum;
    }

    /** Host plus GPU bytes: Ollama's {@code size}. */
    public long totalBytes() {
        return cpu.totalBytes() + gpuBytes();
    }

    /** Whether every layer is on a GPU. */
    public boolean fullyOffloaded() {
        return gpuLayers == totalLayers;
    }
}
