package dev.puna.runtime;

import dev.puna.bindings.NativeLibrary;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.stream.Stream;

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
     * What tells this llama.cpp build from another of the same release: the first 16 hex digits of the SHA-256 of
     * the loaded {@code libllama}, whose code writes and reads KV-cache state (loading the libraries if needed).
     *
     * @throws UncheckedIOException if the library file cannot be read
     */
    public static String buildId() {
        return BuildId.VALUE;
    }

    private static final class BuildId {
        static final String VALUE = compute();

        private static String compute() {
            Path dir = NativeLibrary.loadedFrom();
            String name = System.mapLibraryName("llama");
            // A checkout's build has libllama.so; the packaged copy only its SONAME (libllama.so.0).
            Path lib;
            try (Stream<Path> files = Files.list(dir)) {
                lib = files.filter(p -> p.getFileName().toString().startsWith(name)).sorted().findFirst()
                        .orElseThrow(() -> new UncheckedIOException(new IOException("no " + name + " in " + dir)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir, e);
            }
            try (InputStream in = Files.newInputStream(lib)) {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    sha.update(buf, 0, n);
                }
                return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + lib, e);
            } catch (NoSuchAlgorithmException e) {
                throw new AssertionError("every JDK has SHA-256", e);
            }
        }
    }

    /**
     * llama.cpp's {@code rpc-server} (tools/rpc) built with these libraries, in the directory they load from: the
     * worker {@code PUNA_RPC_SERVERS} points at.
     *
     * @throws IllegalStateException when the library directory has none (a build from before Puna staged it)
     */
    public static Path rpcServerExecutable() {
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
