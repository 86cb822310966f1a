package dev.puna.store;

import java.util.Objects;

/**
 * {@code POST /api/push}: which local model to upload. The registry and repository come from the name's host and
 * namespace, e.g. {@code localhost:5000/me/tiny:q8}.
 *
 * @param model the model name
 * @param insecure allow plain HTTP to the registry
 * @param username for registries that demand credentials; may be null
 * @param password for registries that demand credentials; may be null
 */
public record PushRequest(String model, boolean insecure, String username, String password) {

    /** Validates that a model is named. */
    public PushRequest {
        Objects.requireNonNull(model, "model");
    }

    /** A push without credentials. */
    public static PushRequest of(String model, boolean insecure) {
        return new PushRequest(model, insecure, null, null);
    }

    @Override
    public String toString() {
        return "PushRequest[model=%s, insecure=%s, username=%s]".formatted(model, insecure, username);
    }
}
