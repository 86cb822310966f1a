package dev.puna.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Downcalls into ggml-rpc.h and the parts of ggml-backend.h / ggml.h the RPC backend needs: registering an
 * rpc-server worker, enumerating its devices, and ggml's process-wide abort hook (ggml-rpc aborts the process
 * when a worker's connection breaks; the runtime turns that into an error, see runtime's RpcWorkers). Named as
 * in C; verified by the layout probe like {@link Llama}. Internal to Puna: only {@code puna-runtime} may call it.
 */
public final class GgmlRpc {
    private GgmlRpc() {
    }

    /** Forces class initialisation (all handles linked). */
    static void ensureLinked() {
    }

    private static final MethodHandle LLAMA_SUPPORTS_RPC = Native.downcall("llama_supports_rpc", FunctionDescriptor.of(JAVA_BOOLEAN));
    private static final MethodHandle GGML_BACKEND_RPC_ADD_SERVER = Native.downcall("ggml_backend_rpc_add_server", FunctionDescriptor.of(ADDRESS, ADDRESS));
    private static final MethodHandle GGML_BACKEND_REG_DEV_COUNT = Native.downcall("ggml_backend_reg_dev_count", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
    private static final MethodHandle GGML_BACKEND_REG_DEV_GET = Native.downcall("ggml_backend_reg_dev_get", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle GGML_SET_ABORT_CALLBACK = Native.downcall("ggml_set_abort_callback", FunctionDescriptor.of(ADDRESS, ADDRESS));

    public static boolean llama_supports_rpc() {
        try {
            return (boolean) LLAMA_SUPPORTS_RPC.invokeExact();
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /**
     * Connects to the worker at {@code endpoint} ("host:port", a C string) and returns its registry, the same one
     * for every later call with that endpoint; NULL when the worker reports no devices. ggml aborts the process
     * when it cannot connect, so callers check reachability first and run this on a thread they can lose.
     */
    public static MemorySegment ggml_backend_rpc_add_server(MemorySegment endpoint) {
        try {
            return (MemorySegment) GGML_BACKEND_RPC_ADD_SERVER.invokeExact(endpoint);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static long ggml_backend_reg_dev_count(MemorySegment reg) {
        try {
            return (long) GGML_BACKEND_REG_DEV_COUNT.invokeExact(reg);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment ggml_backend_reg_dev_get(MemorySegment reg, long index) {
        try {
            return (MemorySegment) GGML_BACKEND_REG_DEV_GET.invokeExact(reg, index);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /** Sets ggml's abort hook ({@code void (*)(const char * message)}); returns the previous one. */
    public static MemorySegment ggml_set_abort_callback(MemorySegment callback) {
        try {
            return (MemorySegment) GGML_SET_ABORT_CALLBACK.invokeExact(callback);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }
}
