package dev.puna.runtime.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Live counts of the native objects the runtime owns. Every create increments, every free decrements, so a
 * test can assert that after closing everything the counts are back to zero: no leaked llama objects.
 */
public final class NativeStats {
    public static final AtomicLong MODELS = new AtomicLong();
    public static final AtomicLong CONTEXTS = new AtomicLong();
    public static final AtomicLong SAMPLERS = new AtomicLong();
    public static final AtomicLong BATCHES = new AtomicLong();
    /** {@code mtmd_context}s (image projectors). */
    public static final AtomicLong PROJECTORS = new AtomicLong();
    /** {@code mtmd_input_chunks} (tokenized image prompts). */
    public static final AtomicLong CHUNKS = new AtomicLong();

    private NativeStats() {
    }

    /** Sum of all live native objects. */
    public static long live() {
        return MODELS.get() + CONTEXTS.get() + SAMPLERS.get() + BATCHES.get() + PROJECTORS.get() + CHUNKS.get();
    }
}
