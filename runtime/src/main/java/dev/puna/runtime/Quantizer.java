package dev.puna.runtime;

import static dev.puna.bindings.LlamaLayouts.LLAMA_MODEL_QUANTIZE_PARAMS;

import dev.puna.bindings.Llama;
import dev.puna.bindings.LlamaLayouts;
import dev.puna.gguf.GgmlType;
import dev.puna.gguf.GgufFile;
import dev.puna.gguf.GgufFormatException;
import dev.puna.gguf.GgufTensorInfo;
import dev.puna.runtime.internal.Backend;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Quantizes a GGUF model with llama.cpp's {@code llama_model_quantize} (what {@code /api/create} with
 * {@code quantize} runs). Only unquantized models (every tensor F32, F16 or BF16) are accepted, as Ollama does:
 * requantizing loses quality twice. Blocking and CPU-heavy; call it on a worker thread. Thread-safe.
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
        GgufFile gguf = read(input);
        for (GgufTensorInfo t : gguf.tensors()) {
            if (!SOURCE_TYPES.contains(t.type())) {
                throw new InvalidParameterException("quantize", "model " + input + " is already quantized (tensor "
                        + t.name() + " is " + t.type() + "); only F32, F16 and BF16 models can be quantized");
            }
        }
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
