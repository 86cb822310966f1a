package dev.puna.runtime;

import java.util.Objects;

/**
 * One LoRA adapter and the scale a request applies it at (1 is the adapter as trained; 0 turns it off).
 *
 * @throws IllegalArgumentException if the scale is not finite
 */
public record LoraScale(LoraAdapter adapter, float scale) {
    public LoraScale {
        Objects.requireNonNull(adapter, "adapter");
        if (!Float.isFinite(scale)) {
            throw new IllegalArgumentException("LoRA scale must be a finite number, not " + scale);
        }
    }
}
