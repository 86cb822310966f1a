package dev.puna.http;

import java.util.List;
import java.util.Objects;

/**
 * The {@code details} object of {@code /api/tags}, {@code /api/show} and {@code /api/ps}.
 *
 * @param parentModel the model this one was created from, or the empty string
 * @param format the file format, {@code gguf}
 * @param family the architecture, e.g. {@code llama}
 * @param families the architectures involved (usually just {@code family})
 * @param parameterSize a human-readable parameter count, e.g. {@code 8.0B} or {@code 135M}
 * @param quantizationLevel e.g. {@code Q4_K_M} or {@code F16}
 */
public record ModelDetails(String parentModel, String format, String family, List<String> families,
                           String parameterSize, String quantizationLevel) {
    /** Checks for nulls and copies {@code families}. */
    public ModelDetails {
        Objects.requireNonNull(parentModel, "parentModel");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(family, "family");
        families = List.copyOf(families);
        Objects.requireNonNull(parameterSize, "parameterSize");
        Objects.requireNonNull(quantizationLevel, "quantizationLevel");
    }
}
