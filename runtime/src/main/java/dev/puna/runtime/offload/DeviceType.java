package dev.puna.runtime.offload;

/** What kind of device a {@link ComputeDevice} is, as ggml's {@code enum ggml_backend_dev_type} says. */
public enum DeviceType {
    /** The CPU, using host memory. */
    CPU,
    /** A GPU with memory of its own (CUDA, ROCm, Vulkan, Metal on discrete GPUs, an RPC worker). */
    GPU,
    /** An integrated GPU that shares host memory; llama.cpp offloads to it only when there is no discrete GPU. */
    IGPU,
    /** An accelerator used together with the CPU backend (BLAS, AMX); layers are never offloaded to it. */
    ACCEL;

    /**
     * The type for ggml's enum value ({@code GGML_BACKEND_DEVICE_TYPE_CPU} 0, GPU 1, IGPU 2, ACCEL 3).
     *
     * @throws IllegalArgumentException for another value (ggml's META device, which wraps others and is never
     *     listed by {@code ggml_backend_dev_get})
     */
    public static DeviceType fromGgml(int value) {
        return switch (value) {
            case 0 -> CPU;
            case 1 -> GPU;
            case 2 -> IGPU;
            case 3 -> ACCEL;
            default -> throw new IllegalArgumentException("unknown ggml_backend_dev_type " + value);
        };
    }
}
