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

    /**
     * llama.cpp's {@code rpc-server} (tools/rpc) built with these libraries, in the directory they load from: the
     * worker {@code PUNA_RPC_SERVERS} points at.
     *
     * @throws IllegalStateException when the library directory has none (a build from before Puna staged it)
     */
    public static java.nio.file.Path rpcServerExecutable() {
        return NativeLibrary.tool("rpc-server");
    }

    /**
     * Whether this machine has a GPU (CUDA, Metal, ...) that layers can be offloaded to. llama.cpp's own
     * {@code llama_supports_gpu_offload} also says yes for a build with the RPC backend, which every Puna build has;
     * RPC workers are given per model, so this asks about local devices only.
     */
    public static boolean supportsGpuOffload() {
        return dev.puna.runtime.internal.Backend.hasLocalGpu();
    }
}
