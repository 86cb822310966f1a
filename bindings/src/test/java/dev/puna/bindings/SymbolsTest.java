package dev.puna.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bound symbol resolves in the loaded library, and the library is the pinned release. */
class SymbolsTest {

    @Test
    void everyBoundSymbolResolves() {
        List<Native.Binding> bindings = Native.bindings();
        assertTrue(bindings.size() >= 120, "expected the full binding table, got " + bindings.size());
        for (Native.Binding b : bindings) {
            boolean mtmd = b.name().startsWith("mtmd_");
            assertTrue((mtmd ? NativeLibrary.mtmdLookup() : NativeLibrary.lookup()).find(b.name()).isPresent(),
                    b.name());
        }
    }

    @Test
    void libraryIsThePinnedRelease() {
        assertEquals(NativeLibrary.LLAMA_CPP_RELEASE.substring(1), Native.cString(Llama.llama_version()));
    }

    @Test
    void structByValueRoundTrip() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = Llama.llama_context_default_params(arena);
            // llama.cpp v0.5.0 defaults (src/llama-context.cpp): n_batch 2048, n_ubatch 512.
            assertEquals(2048, (int) LlamaLayouts.field(LlamaLayouts.LLAMA_CONTEXT_PARAMS, "n_batch").get(params));
            assertEquals(512, (int) LlamaLayouts.field(LlamaLayouts.LLAMA_CONTEXT_PARAMS, "n_ubatch").get(params));
            // Full-size sliding-window caches (llama-server's common params turn this off): the runtime keeps the
            // default, and its offload planner counts num_ctx cells per slot on every layer because of it.
            assertTrue((boolean) LlamaLayouts.field(LlamaLayouts.LLAMA_CONTEXT_PARAMS, "swa_full").get(params));
            MemorySegment mp = Llama.llama_model_default_params(arena);
            assertTrue((boolean) LlamaLayouts.field(LlamaLayouts.LLAMA_MODEL_PARAMS, "use_extra_bufts").get(mp));
            assertFalse((boolean) LlamaLayouts.field(LlamaLayouts.LLAMA_MODEL_PARAMS, "vocab_only").get(mp));
        }
    }

    @Test
    void mtmdDefaultsAreThePinnedOnes() {
        try (Arena arena = Arena.ofConfined()) {
            assertEquals("<__media__>", Native.cString(Mtmd.mtmd_default_marker()));
            MemorySegment params = Mtmd.mtmd_context_params_default(arena);
            // tools/mtmd/mtmd.cpp v0.5.0: use_gpu true, n_threads 4, warmup true, batch_max_tokens 1024, min/max -1.
            assertTrue((boolean) LlamaLayouts.field(MtmdLayouts.MTMD_CONTEXT_PARAMS, "use_gpu").get(params));
            assertEquals(4, (int) LlamaLayouts.field(MtmdLayouts.MTMD_CONTEXT_PARAMS, "n_threads").get(params));
            assertTrue((boolean) LlamaLayouts.field(MtmdLayouts.MTMD_CONTEXT_PARAMS, "warmup").get(params));
            assertEquals(-1, (int) LlamaLayouts.field(MtmdLayouts.MTMD_CONTEXT_PARAMS, "image_max_tokens").get(params));
            assertEquals(1024, (int) LlamaLayouts.field(MtmdLayouts.MTMD_CONTEXT_PARAMS, "batch_max_tokens").get(params));
            assertEquals("<__media__>", Native.cString(
                    (MemorySegment) LlamaLayouts.field(MtmdLayouts.MTMD_CONTEXT_PARAMS, "media_marker").get(params)));
        }
    }

    @Test
    void packagedLibrariesExtractOnceIntoAContentAddressedCache(@TempDir Path cache) throws Exception {
        Path first = NativeLibrary.extractPackaged(cache);
        assertTrue(first != null, "puna-native.jar resources missing from the test class path");
        List<String> index = Files.readAllLines(first.resolve("libs.index"));
        // Dependencies first: libmtmd needs libllama, which needs the ggml libraries.
        assertEquals(System.mapLibraryName("llama") + ".0", index.get(index.size() - 2));
        assertEquals(System.mapLibraryName("mtmd") + ".0", index.get(index.size() - 1));
        for (String lib : index) {
            assertTrue(Files.size(first.resolve(lib)) > 0, lib);
        }
        // llama.cpp's RPC worker travels with them, executable, and runs against the extracted libraries.
        Path rpcServer = first.resolve("rpc-server");
        assertTrue(Files.isExecutable(rpcServer), rpcServer.toString());
        Process help = new ProcessBuilder(rpcServer.toString(), "--help").redirectErrorStream(true).start();
        String usage = new String(help.getInputStream().readAllBytes());
        help.waitFor();
        assertTrue(usage.contains("--host HOST"), usage);
        long mtime = Files.getLastModifiedTime(first.resolve(index.get(0))).toMillis();
        Path second = NativeLibrary.extractPackaged(cache);
        assertEquals(first, second);
        assertEquals(mtime, Files.getLastModifiedTime(second.resolve(index.get(0))).toMillis());
    }
}
