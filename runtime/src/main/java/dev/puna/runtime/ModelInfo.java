package dev.puna.runtime;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What a loaded model is: the facts Ollama's {@code /api/show} and {@code /api/ps} report, and every GGUF
 * metadata key.
 *
 * @param path the GGUF file
 * @param architecture {@code general.architecture}, e.g. {@code llama}
 * @param name {@code general.name}, or the file name when absent
 * @param description llama.cpp's one-line description (e.g. "llama 7B Q8_0")
 * @param parameterCount number of weights
 * @param sizeBytes total size of the tensors
 * @param quantization the file type as llama.cpp names it (e.g. {@code Q8_0}, {@code F16})
 * @param contextLength training context length
 * @param embeddingLength embedding width
 * @param layerCount number of blocks
 * @param headCount attention heads
 * @param headCountKv key/value heads
 * @param vocabSize tokens in the vocabulary
 * @param chatTemplate {@code tokenizer.chat_template}, if the model has one
 * @param metadata every GGUF key/value in file order (arrays as lists)
 */
public record ModelInfo(Path path, String architecture, String name, String description, long parameterCount,
                        long sizeBytes, String quantization, int contextLength, int embeddingLength,
                        int layerCount, int headCount, int headCountKv, int vocabSize,
                        Optional<String> chatTemplate, Map<String, Object> metadata) {
    public ModelInfo {
        metadata = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata));
    }
}
