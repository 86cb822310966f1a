package dev.puna.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.DoubleConsumer;

/**
 * Quantizes a GGUF model file; the store calls it during {@code create} with {@code quantize} set. The server plugs
 * in llama.cpp's {@code llama_model_quantize}; the store has no native code of its own.
 *
 * <p>The store has already checked the type and that the source is F32, F16 or BF16. It passes a source blob
 * (never to be modified) and a fresh output path inside the store's blob directory, then verifies that the output
 * is a GGUF file of the requested type before it becomes a blob. Implementations run on the calling thread and
 * should stop with an exception when it is interrupted.
 */
@FunctionalInterface
public interface Quantizer {
    /**
     * Writes {@code input} quantized to {@code type} to {@code output}.
     *
     * @param progress receives the fraction done, 0.0 to 1.0, as often as the implementation likes (from any
     *     thread; the store forwards it to the caller's listener on the caller's thread)
     * @throws IOException if quantizing fails; the message is shown to the user
     */
    void quantize(Path input, Path output, QuantizationType type, DoubleConsumer progress) throws IOException;
}
