package dev.puna.runtime;

/** Whether llama.cpp uses flash attention: decided per backend and model ({@code AUTO}), or forced. */
public enum FlashAttention {
    AUTO(-1),
    DISABLED(0),
    ENABLED(1);

    private final int llamaValue;

    FlashAttention(int llamaValue) {
        this.llamaValue = llamaValue;
    }

    /** The llama_flash_attn_type value. */
    public int llamaValue() {
        return llamaValue;
    }
}
