package dev.puna.http.internal;

import dev.puna.runtime.PunaException;
import dev.puna.runtime.Quantization;
import dev.puna.runtime.Quantizer;
import dev.puna.store.QuantizationType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.DoubleConsumer;

/**
 * The store's {@link dev.puna.store.Quantizer} over the runtime's {@link Quantizer} ({@code llama_model_quantize}
 * on every core): how {@code /api/create} with {@code quantize} quantizes. llama.cpp reports no progress, so the
 * store sees 0 until the file is done. It cannot be interrupted either, so it runs in a child process
 * ({@link Quantizer#quantizeInChildProcess}): a cancelled create (the client went away) interrupts this thread,
 * which kills the child before the store discards its output. Stateless and thread-safe.
 */
public final class LlamaQuantizer implements dev.puna.store.Quantizer {
    @Override
    public void quantize(Path input, Path output, QuantizationType type, DoubleConsumer progress) throws IOException {
        try {
            Quantizer.quantizeInChildProcess(input, output, Quantization.parse(type.name()), 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("quantization cancelled");
        } catch (PunaException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
