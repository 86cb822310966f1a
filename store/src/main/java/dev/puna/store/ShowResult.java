package dev.puna.store;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /api/show}, field for field.
 *
 * @param license the license texts joined by newlines ("" if none)
 * @param modelfile a Modelfile that recreates the model ({@code FROM} names the model blob's path, as in Ollama)
 * @param parameters the parameters, one per line: the name padded to 30 characters and the value in Go syntax
 *     ({@code stop                           "<|im_end|>"})
 * @param template the template layer's text, else the GGUF's chat template, else ""
 * @param system the system prompt, or ""
 * @param details the details
 * @param modelInfo the GGUF metadata (sorted by key; large arrays null unless verbose) plus
 *     {@code general.parameter_count}
 * @param projectorInfo the projector's GGUF metadata, or an empty map
 * @param capabilities what the model can do
 * @param messages the stored messages
 * @param modifiedAt when the manifest was last written
 */
public record ShowResult(String license, String modelfile, String parameters, String template, String system,
        ModelDetails details, Map<String, Object> modelInfo, Map<String, Object> projectorInfo,
        List<Capability> capabilities, List<Message> messages, Instant modifiedAt) {

    /** Copies the collections; the info maps keep their (sorted) order and may hold null values. */
    public ShowResult {
        modelInfo = Collections.unmodifiableMap(new LinkedHashMap<>(modelInfo));
        projectorInfo = Collections.unmodifiableMap(new LinkedHashMap<>(projectorInfo));
        capabilities = List.copyOf(capabilities);
        messages = List.copyOf(messages);
    }
}
