package dev.puna.runtime;

import dev.puna.bindings.NativeLibrary;

/**
 * Facts about the llama.cpp build under this runtime, for callers that must not reach into the bindings
 * (the CLI's version line, the server's logs). Stateless.
 */
public final class LlamaCpp {
    private LlamaCpp() {
    }

    /**
     * The llama.cpp release the runtime is built and verified against ({@code v0.5.0}); known without loading
     * the native libraries.
     */
    public static String release() {
        return NativeLibrary.LLAMA_CPP_RELEASE;
    }

    /** Whether this llama.cpp build has a GPU backend (CUDA, Metal, ...) that layers can be offloaded to. */
    public static boolean supportsGpuOffload() {
        dev.puna.runtime.internal.Backend.ensureInitialised();
        return dev.puna.bindings.Llama.llama_supports_gpu_offload();
    }
}
