package dev.puna.runtime;

/** How token embeddings are pooled into one vector per input. */
public enum Pooling {
    /** The model's own choice ({@code <arch>.pooling_type} in the GGUF), mean when it declares none. */
    MODEL_DEFAULT(-1),
    MEAN(1),
    CLS(2),
    LAST(3);

    private final int llamaValue;

    Pooling(int llamaValue) {
        this.llamaValue = llamaValue;
    }

    /** The llama_pooling_type value. */
    public int llamaValue() {
        return llamaValue;
    }
}
