package dev.puna.runtime.internal;

import dev.puna.bindings.Callbacks;
import dev.puna.bindings.Llama;
import java.lang.foreign.MemorySegment;

/**
 * Turns a context's abort callback on for long decodes and off for short ones.
 *
 * <p>ggml's CPU backend calls the abort callback after every graph node, and each call is an upcall into the
 * JVM: several hundred per token, which cost about a fifth of single-stream decode speed on the benchmark model.
 * A one-token decode step ends within milliseconds anyway, so only decodes of many tokens (prompt evaluation,
 * where a cancel or close must not wait for the whole batch) are made abortable. Used by the one thread that
 * decodes on the context.
 */
public final class AbortSwitch {
    private final MemorySegment ctx;
    private final MemorySegment flag;
    private boolean armed;

    /** @param flag from {@link Callbacks#newAbortFlag}, alive as long as the context */
    public AbortSwitch(MemorySegment ctx, MemorySegment flag) {
        this.ctx = ctx;
        this.flag = flag;
    }

    /** Makes the next decodes abortable or not; a no-op when nothing changes. */
    public void arm(boolean abortable) {
        if (abortable != armed) {
            Llama.llama_set_abort_callback(ctx, abortable ? Callbacks.ABORT_ON_FLAG : MemorySegment.NULL,
                    abortable ? flag : MemorySegment.NULL);
            armed = abortable;
        }
    }
}
