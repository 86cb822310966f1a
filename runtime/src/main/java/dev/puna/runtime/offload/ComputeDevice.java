package dev.puna.runtime.offload;

import java.util.Objects;

/**
 * One compute device as llama.cpp reports it ({@code ggml_backend_dev_*}): a plain value copied out of native
 * memory, so it stays valid after the query and can be recorded in tests.
 *
 * @param name ggml's short name ({@code CPU}, {@code CUDA0}, {@code Vulkan1}, ...)
 * @param description the driver's description ({@code NVIDIA GeForce RTX 4090}, the CPU model name)
 * @param type what kind of device it is
 * @param freeBytes memory free when it was queried (for the CPU: free host memory)
 * @param totalBytes all of the device's memory
 */
public record ComputeDevice(String name, String description, DeviceType type, long freeBytes, long totalBytes) {
    public ComputeDevice {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(type, "type");
        if (freeBytes < 0 || totalBytes < 0) {
            throw new IllegalArgumentException("negative memory for " + name + ": " + freeBytes + "/" + totalBytes);
        }
    }

    /** Whether layers may be offloaded to it (a discrete or integrated GPU). */
    public boolean offloadable() {
        return type == DeviceType.GPU || type == DeviceType.IGPU;
    }
}
