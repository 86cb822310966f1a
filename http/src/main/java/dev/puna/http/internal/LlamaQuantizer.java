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
 * store sees 0 until the file is done; it cannot be interrupted either, so a cancelled create stops waiting for it
 * and the store discards its output. Stateless and thread-safe.
 */
public final class LlamaQuantizer implements dev.puna.store.Quantizer {
    @Override
    public void quantize(Path input, Path output, QuantizationType type, DoubleConsumer progress) throws IOException {
        try {
            Quantizer.quantize(input, output, Quantization.parse(type.name()), 0);
        } catch (PunaException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
