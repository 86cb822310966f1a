package dev.puna.runtime;

/** Why a generation ended. Ollama's {@code done_reason} and OpenAI's {@code finish_reason} map from this. */
public enum FinishReason {
    /** A stop string was produced (the stop string itself is not part of the output). */
    STOP,
    /** The requested maximum number of tokens was generated. */
    LENGTH,
    /** The model produced an end-of-generation token (EOS, EOT, ...). */
    EOS,
    /** The caller cancelled (or the session was closed) before the generation ended on its own. */
    CANCELLED,
    /** The context window filled up; nothing more can be generated without dropping context. */
    CONTEXT_FULL
}
