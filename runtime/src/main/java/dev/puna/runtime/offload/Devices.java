package dev.puna.runtime.offload;

import dev.puna.bindings.GgmlDevices;
import dev.puna.bindings.Native;
import dev.puna.runtime.internal.Backend;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The compute devices llama.cpp can use, read from ggml's device registry ({@code ggml_backend_dev_*}). Each call
 * asks the drivers again, so free memory is current. Thread-safe; loads the native libraries on first use.
 */
public final class Devices {
    private Devices() {
    }

    /**
     * Every registered device in ggml's order (the order llama.cpp numbers GPUs in, which {@code main_gpu} and
     * {@code tensor_split} refer to), copied into plain values. A CPU-only build lists the CPU (and accelerators
     * such as BLAS when built in).
     */
    public static List<ComputeDevice> list() {
        Backend.ensureInitialised();
        long n = GgmlDevices.ggml_backend_dev_count();
        List<ComputeDevice> out = new ArrayList<>((int) n);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment free = arena.allocate(ValueLayout.JAVA_LONG);
            MemorySegment total = arena.allocate(ValueLayout.JAVA_LONG);
            for (long i = 0; i < n; i++) {
                MemorySegment dev = GgmlDevices.ggml_backend_dev_get(i);
                int type = GgmlDevices.ggml_backend_dev_type(dev);
                if (type > GgmlDevices.TYPE_ACCEL) {
                    continue; // a META device wraps others for tensor parallelism; its members are listed themselves
                }
                free.set(ValueLayout.JAVA_LONG, 0, 0);
                total.set(ValueLayout.JAVA_LONG, 0, 0);
                GgmlDevices.ggml_backend_dev_memory(dev, free, total);
                String name = Native.cString(GgmlDevices.ggml_backend_dev_name(dev));
                String description = Native.cString(GgmlDevices.ggml_backend_dev_description(dev));
                out.add(new ComputeDevice(name == null ? "device" + i : name, description == null ? "" : description,
                        DeviceType.fromGgml(type), Math.max(0, free.get(ValueLayout.JAVA_LONG, 0)),
                        Math.max(0, total.get(ValueLayout.JAVA_LONG, 0))));
            }
        }
        return List.copyOf(out);
    }
}
