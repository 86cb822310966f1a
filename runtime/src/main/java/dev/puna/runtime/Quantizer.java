package dev.puna.runtime;

import static dev.puna.bindings.LlamaLayouts.LLAMA_MODEL_QUANTIZE_PARAMS;

import dev.puna.bindings.Llama;
import dev.puna.bindings.LlamaLayouts;
import dev.puna.gguf.GgmlType;
import dev.puna.gguf.GgufFile;
import dev.puna.gguf.GgufFormatException;
import dev.puna.gguf.GgufTensorInfo;
import dev.puna.runtime.internal.Backend;
import dev.puna.runtime.internal.QuantizeMain;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Quantizes a GGUF model with llama.cpp's {@code llama_model_quantize} (what {@code /api/create} with
 * {@code quantize} runs). Only unquantized models (every tensor F32, F16 or BF16) are accepted, as Ollama does:
 * requantizing loses quality twice. Blocking and CPU-heavy; call it on a worker thread. Thread-safe.
 *
 * <p>{@code llama_model_quantize} has no way to stop it once started. {@link #quantize} runs it on the calling
 * thread, for embedders that will let it finish; {@link #quantizeInChildProcess} runs it in a child JVM (same
 * {@code java}, same class path) that an interrupt kills, which is what a server needs when a client goes away.
 */
public final class Quantizer {
    private static final Set<GgmlType> SOURCE_TYPES = EnumSet.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16);

    private Quantizer() {
    }

    /**
     * Writes {@code output}, a {@code type} quantization of {@code input}. The output file is written by
     * llama.cpp directly; write to a temporary name and move it into place if readers may see it.
     *
     * @param threads quantization threads, 0 for all cores
     * @throws ModelLoadException if {@code input} is missing or not a GGUF model
     * @throws InvalidParameterException ({@code quantize}) if the model is already quantized
     * @throws NativeException if llama.cpp fails (its logged reason included)
     */
    public static void quantize(Path input, Path output, Quantization type, int threads) {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(type, "type");
        requireUnquantized(input, read(input));
        Backend.ensureInitialised();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = Llama.llama_model_quantize_default_params(arena);
            LlamaLayouts.field(LLAMA_MODEL_QUANTIZE_PARAMS, "nthread").set(params, Math.max(0, threads));
            LlamaLayouts.field(LLAMA_MODEL_QUANTIZE_PARAMS, "ftype").set(params, type.llamaFtype());
            Backend.clearLastError();
            int rc = Llama.llama_model_quantize(arena.allocateFrom(input.toString()),
                    arena.allocateFrom(output.toString()), params);
            if (rc != 0) {
                String why = Backend.lastError();
                throw new NativeException("llama.cpp could not quantize " + input + " to " + type.ollamaName()
                        + (why.isEmpty() ? "" : ": " + why.replaceAll("\\s+", " ")));
            }
        }
    }

    /**
     * Like {@link #quantize}, in a child JVM running {@link dev.puna.runtime.internal.QuantizeMain} with this
     * JVM's {@code java}, class path and native-library settings. Interrupting the calling thread kills the child
     * (and waits for it to be gone) before this method throws; a child whose parent dies ends itself.
     *
     * @throws InterruptedException if the calling thread was interrupted; the child is dead by then
     * @throws ModelLoadException if {@code input} is missing or not a GGUF model
     * @throws InvalidParameterException ({@code quantize}) if the model is already quantized
     * @throws NativeException if the child fails (its reason included) or cannot be started
     */
    public static void quantizeInChildProcess(Path input, Path output, Quantization type, int threads)
            throws InterruptedException {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(type, "type");
        // Checked here, so that these failures keep their types and cost no process.
        requireUnquantized(input, read(input));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Xmx128m");
        for (String property : List.of("puna.library.path", "puna.cache.dir", "java.io.tmpdir")) {
            String value = System.getProperty(property);
            if (value != null) {
                command.add("-D" + property + "=" + value);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(QuantizeMain.class.getName());
        command.add(input.toAbsolutePath().toString());
        command.add(output.toAbsolutePath().toString());
        command.add(type.ollamaName());
        command.add(Integer.toString(Math.max(0, threads)));
        Process child;
        try {
            child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new NativeException("cannot start the quantization process: " + e.getMessage());
        }
        try {
            String out;
            try (InputStream stdout = child.getInputStream()) {
                // Reading ends when the child exits (or is killed by the interrupt handling below).
                out = new String(readInterruptibly(stdout, child), StandardCharsets.UTF_8).strip();
            }
            int rc = child.waitFor();
            if (rc != 0) {
                String why = out.isEmpty() ? "exit status " + rc : out.lines().reduce((a, b) -> b).orElse(out);
                throw new NativeException("llama.cpp could not quantize " + input + " to " + type.ollamaName()
                        + ": " + why);
            }
        } catch (IOException e) {
            throw new NativeException("lost the quantization process: " + e.getMessage());
        } finally {
            if (child.isAlive()) {
                child.destroyForcibly();
                boolean interrupted = Thread.interrupted();
                try {
                    child.onExit().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    // SIGKILL cannot be refused; a child still there after 30 s is the kernel's business.
                } catch (InterruptedException e) {
                    interrupted = true;
                } finally {
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            try {
                child.getOutputStream().close();
            } catch (IOException e) {
                // The lifeline pipe is gone with the child.
            }
        }
    }

    /** Reads the child's output, polling so that an interrupt is noticed while the child runs. */
    private static byte[] readInterruptibly(InputStream in, Process child) throws IOException, InterruptedException {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        byte[] chunk = new byte[4096];
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException("quantization cancelled");
            }
            int available = in.available();
            if (available > 0) {
                int n = in.read(chunk, 0, Math.min(chunk.length, available));
                buf.write(chunk, 0, n);
            } else if (!child.isAlive()) {
                buf.write(in.readAllBytes());
                return buf.toByteArray();
            } else {
                child.waitFor(50, TimeUnit.MILLISECONDS);
            }
        }
    }

    private static void requireUnquantized(Path input, GgufFile gguf) {
        for (GgufTensorInfo t : gguf.tensors()) {
            if (!SOURCE_TYPES.contains(t.type())) {
                throw new InvalidParameterException("quantize", "model " + input + " is already quantized (tensor "
                        + t.name() + " is " + t.type() + "); only F32, F16 and BF16 models can be quantized");
            }
        }
    }

    private static GgufFile read(Path input) {
        if (!Files.isRegularFile(input)) {
            throw new ModelLoadException(input, Files.isDirectory(input) ? "is a directory, not a GGUF model file"
                    : "no such file");
        }
        try {
            return GgufFile.read(input);
        } catch (GgufFormatException e) {
            throw new ModelLoadException(input, e.getMessage(), e);
        } catch (IOException e) {
            throw new ModelLoadException(input, "cannot read: " + e.getMessage(), e);
        }
    }
}
