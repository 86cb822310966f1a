package dev.puna.store;

import java.util.Locale;

/** What a model can do, as {@code /api/show} lists it in {@code capabilities}. */
public enum Capability {
    /** Text generation (every model that is not an embedding model). */
    COMPLETION,
    /** Tool calling: the chat template mentions {@code tools}. */
    TOOLS,
    /** Fill-in-the-middle ({@code suffix}): the vocabulary has FIM prefix, suffix and middle tokens. */
    INSERT,
    /** Image input: a projector layer, or a model with a vision encoder. */
    VISION,
    /** Embeddings: the GGUF sets a pooling type. */
    EMBEDDING;

    /** The lower-case name Ollama uses in JSON, e.g. {@code completion}. */
    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
