package dev.puna.store;

import java.util.List;

/**
 * The {@code details} object of {@code /api/tags}, {@code /api/show} and {@code /api/ps}, read from the model's
 * config blob (Ollama's {@code ConfigV2}).
 *
 * @param parentModel the model this one was created from ({@code llama3:latest}), or "" (always "" in listings)
 * @param format {@code gguf}
 * @param family the architecture of the model layer, e.g. {@code llama}
 * @param families the architectures of all GGUF layers (model, projector), or an empty list
 * @param parameterSize Ollama's human-readable parameter count, e.g. {@code 8.0B} or {@code 134.52M}
 * @param quantizationLevel the model file type, e.g. {@code Q4_K_M} or {@code F16}
 */
public record ModelDetails(String parentModel, String format, String family, List<String> families,
        String parameterSize, String quantizationLevel) {

    /** Copies {@code families}; nulls become "" and an empty list. */
    public ModelDetails {
        parentModel = parentModel == null ? "" : parentModel;
        format = format == null ? "" : format;
        family = family == null ? "" : family;
        families = families == null ? List.of() : List.copyOf(families);
        parameterSize = parameterSize == null ? "" : parameterSize;
        quantizationLevel = quantizationLevel == null ? "" : quantizationLevel;
    }

    /** The same details with another parent model. */
    public ModelDetails withParentModel(String parent) {
        return new ModelDetails(parent, format, family, families, parameterSize, quantizationLevel);
    }
}
