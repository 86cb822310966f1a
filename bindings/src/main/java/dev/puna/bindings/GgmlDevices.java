package dev.puna.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Downcalls into ggml-backend.h's device registry (llama.cpp {@value NativeLibrary#LLAMA_CPP_RELEASE}): the compute
 * devices ggml has registered (the CPU, each GPU of a CUDA/Vulkan/Metal build, accelerators such as BLAS), their
 * names, kinds and memory. Same conventions as {@link Llama}: one static method per C function, named as in C,
 * each handle linked once in this class's static initialiser and checked by LayoutProbeTest against the compiled
 * header. The symbols live in {@code libggml}, which {@code libllama} depends on, so the lookup over
 * {@code libllama} finds them.
 *
 * <p>The registry is built on first use and never changes afterwards (no backend is loaded dynamically in Puna's
 * builds); a {@code ggml_backend_dev_t} is a pointer into it that stays valid for the life of the process and
 * must never be freed. The name and description strings belong to the device. {@code ggml_backend_dev_memory}
 * asks the driver each time (free memory changes as models load), and is safe from any thread.
 * Internal to Puna: only {@code puna-runtime} may call this.
 */
public final class GgmlDevices {
    /** {@code GGML_BACKEND_DEVICE_TYPE_CPU}. */
    public static final int TYPE_CPU = 0;
    /** {@code GGML_BACKEND_DEVICE_TYPE_GPU}. */
    public static final int TYPE_GPU = 1;
    /** {@code GGML_BACKEND_DEVICE_TYPE_IGPU}. */
    public static final int TYPE_IGPU = 2;
    /** {@code GGML_BACKEND_DEVICE_TYPE_ACCEL}. */
    public static final int TYPE_ACCEL = 3;

    private GgmlDevices() {
    }

    /** Forces class initialisation (all handles linked). */
    static void ensureLinked() {
    }

    private static final MethodHandle GGML_BACKEND_DEV_COUNT = Native.downcall("ggml_backend_dev_count", FunctionDescriptor.of(JAVA_LONG));
    private static final MethodHandle GGML_BACKEND_DEV_GET = Native.downcall("ggml_backend_dev_get", FunctionDescriptor.of(ADDRESS, JAVA_LONG));
    private static final MethodHandle GGML_BACKEND_DEV_NAME = Native.downcall("ggml_backend_dev_name", FunctionDescriptor.of(ADDRESS, ADDRESS));
    private static final MethodHandle GGML_BACKEND_DEV_DESCRIPTION = Native.downcall("ggml_backend_dev_description", FunctionDescriptor.of(ADDRESS, ADDRESS));
    private static final MethodHandle GGML_BACKEND_DEV_TYPE = Native.downcall("ggml_backend_dev_type", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle GGML_BACKEND_DEV_MEMORY = Native.downcall("ggml_backend_dev_memory", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle GGML_BACKEND_DEV_BUFFER_TYPE = Native.downcall("ggml_backend_dev_buffer_type", FunctionDescriptor.of(ADDRESS, ADDRESS));
    private static final MethodHandle GGML_BACKEND_BUFT_NAME = Native.downcall("ggml_backend_buft_name", FunctionDescriptor.of(ADDRESS, ADDRESS));

    /** The number of registered devices. */
    public static long ggml_backend_dev_count() {
        try {
            return (long) GGML_BACKEND_DEV_COUNT.invokeExact();
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /** Device {@code index} ({@code 0 <= index < ggml_backend_dev_count()}; ggml asserts on anything else). */
    public static MemorySegment ggml_backend_dev_get(long index) {
        try {
            return (MemorySegment) GGML_BACKEND_DEV_GET.invokeExact(index);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment ggml_backend_dev_name(MemorySegment device) {
        try {
            return (MemorySegment) GGML_BACKEND_DEV_NAME.invokeExact(device);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment ggml_backend_dev_description(MemorySegment device) {
        try {
            return (MemorySegment) GGML_BACKEND_DEV_DESCRIPTION.invokeExact(device);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /** One of the {@code TYPE_*} constants (or {@code GGML_BACKEND_DEVICE_TYPE_META}, 4, never listed). */
    public static int ggml_backend_dev_type(MemorySegment device) {
        try {
            return (int) GGML_BACKEND_DEV_TYPE.invokeExact(device);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /**
     * Writes the device's free and total memory in bytes to the two {@code size_t} cells. Devices without memory
     * of their own (BLAS) report 0 and 0; the CPU reports host memory.
     */
    public static void ggml_backend_dev_memory(MemorySegment device, MemorySegment free, MemorySegment total) {
        try {
            GGML_BACKEND_DEV_MEMORY.invokeExact(device, free, total);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /**
     * The device's default buffer type, a static object of its backend that is never freed. For the CPU device it
     * is {@code ggml_backend_cpu_buffer_type()}, the value llama.cpp's tensor overrides compare against to keep
     * weights in host memory.
     */
    public static MemorySegment ggml_backend_dev_buffer_type(MemorySegment device) {
        try {
            return (MemorySegment) GGML_BACKEND_DEV_BUFFER_TYPE.invokeExact(device);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /** The buffer type's name ({@code CPU}, {@code CUDA0}); the string belongs to the buffer type. */
    public static MemorySegment ggml_backend_buft_name(MemorySegment bufferType) {
        try {
            return (MemorySegment) GGML_BACKEND_BUFT_NAME.invokeExact(bufferType);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }
}
