package dev.puna.testkit;

/**
 * The token types of {@code tokenizer.ggml.token_type} (llama.cpp's {@code llama_token_type}) that our vocabularies
 * use.
 */
public enum TokenType {
    /** An ordinary piece of text. */
    NORMAL(1),
    /** The token for text the vocabulary cannot represent. */
    UNKNOWN(2),
    /** A special token such as BOS, EOS or a chat marker; detokenized only when special tokens are rendered. */
    CONTROL(3),
    /** One raw byte ({@code <0x41>}), the fallback for characters that have no token of their own. */
    BYTE(6);

    private final int id;

    TokenType(int id) {
        this.id = id;
    }

    /** The value stored in {@code tokenizer.ggml.token_type}. */
    public int id() {
        return id;
    }
}
