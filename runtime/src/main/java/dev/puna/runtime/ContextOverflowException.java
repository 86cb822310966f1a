package dev.puna.runtime;

/** The prompt (plus any reserved room) does not fit in the session's context window. */
public final class ContextOverflowException extends PunaException {
    private static final long serialVersionUID = 1L;
    private final int promptTokens;
    private final int contextSize;

    public ContextOverflowException(int promptTokens, int contextSize) {
        super("the prompt is " + promptTokens + " tokens, which exceeds the context size of " + contextSize
                + " tokens (num_ctx); shorten the prompt or raise num_ctx");
        this.promptTokens = promptTokens;
        this.contextSize = contextSize;
    }

    public int promptTokens() {
        return promptTokens;
    }

    public int contextSize() {
        return contextSize;
    }
}
