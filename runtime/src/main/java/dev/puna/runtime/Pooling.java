package dev.puna.runtime;

/** How token embeddings are pooled into one vector per input. */
public enum Pooling {
    /** The model's own choice ({@code <arch>.pooling_type} in the GGUF), mean when it declares none. */
    MODEL_DEFAULT(-1),
    MEAN(1),
    CLS(2),
    LAST(3),
    /**
     * A reranker's classification head over the pair's pooled state ({@code LLAMA_POOLING_TYPE_RANK}): each
     * "embedding" is the model's {@code n_cls_out} scores, element 0 the relevance. Only for models that declare
     * it ({@code <arch>.pooling_type} 4); never chosen by {@link #MODEL_DEFAULT}. See {@link Reranker}.
     */
    RANK(4);

    private final int llamaValue;

    Pooling(int llamaValue) {
        this.llamaValue = llamaValue;
    }

    /** The llama_pooling_type value. */
    public int llamaValue() {
        return llamaValue;
    }
}
