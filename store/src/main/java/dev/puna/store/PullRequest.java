package dev.puna.store;

import java.util.Objects;

/**
 * {@code POST /api/pull}: which model to download and how to reach its registry.
 *
 * @param model the model name, e.g. {@code llama3.2}, {@code localhost:5000/me/tiny:q8} or
 *     {@code hf.co/user/repo:Q4_K_M}
 * @param insecure allow plain HTTP to the registry (Ollama's {@code insecure}: the registry is contacted over http)
 * @param username for registries that demand credentials for their token service; may be null
 * @param password for registries that demand credentials for their token service; may be null
 */
public record PullRequest(String model, boolean insecure, String username, String password) {

    /** Validates that a model is named. */
    public PullRequest {
        Objects.requireNonNull(model, "model");
    }

    /** A pull without credentials. */
    public static PullRequest of(String model, boolean insecure) {
        return new PullRequest(model, insecure, null, null);
    }

    @Override
    public String toString() {
        return "PullRequest[model=%s, insecure=%s, username=%s]".formatted(model, insecure, username);
    }
}
