package dev.puna.store;

import java.util.Objects;

/**
 * A message stored with a model ({@code MESSAGE} in a Modelfile, {@code messages} in {@code /api/create}): a
 * conversation the model starts from.
 *
 * @param role {@code system}, {@code user}, {@code assistant} or {@code tool}
 * @param content the text
 */
public record Message(String role, String content) {

    /** Validates that both parts are present. */
    public Message {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }
}
