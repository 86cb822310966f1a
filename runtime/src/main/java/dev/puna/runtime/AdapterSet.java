package dev.puna.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The LoRA adapters a sequence runs with, normalised so that two requests that mean the same thing compare
 * equal: adapters at scale 0 dropped (llama.cpp ignores them too) and the rest in load order. llama.cpp applies
 * adapters to a whole context, not per sequence, so the engine decodes one set at a time, and a KV cache computed
 * under one set is not reused under another.
 */
final class AdapterSet {
    static final AdapterSet NONE = new AdapterSet(List.of());

    private final List<LoraScale> scales;

    private AdapterSet(List<LoraScale> scales) {
        this.scales = scales;
    }

    /** The set {@code requested} means; {@link #NONE} for null or an empty list. */
    static AdapterSet of(List<LoraScale> requested) {
        if (requested == null || requested.isEmpty()) {
            return NONE;
        }
        List<LoraScale> kept = new ArrayList<>();
        for (LoraScale s : requested) {
            if (s.scale() != 0) {
                kept.add(s);
            }
        }
        if (kept.isEmpty()) {
            return NONE;
        }
        kept.sort(Comparator.comparingLong(s -> s.adapter().serial));
        return new AdapterSet(List.copyOf(kept));
    }

    List<LoraScale> scales() {
        return scales;
    }

    boolean isEmpty() {
        return scales.isEmpty();
    }

    /** Takes a reference on every adapter for a job's life; throws if one is closed (none is then held). */
    void acquire() {
        int n = 0;
        try {
            for (LoraScale s : scales) {
                s.adapter().acquire();
                n++;
            }
        } catch (RuntimeException e) {
            for (int i = 0; i < n; i++) {
                scales.get(i).adapter().release();
            }
            throw e;
        }
    }

    void release() {
        for (LoraScale s : scales) {
            s.adapter().release();
        }
    }

    /**
     * Makes this the context's adapter set ({@code llama_set_adapters_lora}); llama.cpp does nothing when the set is
     * unchanged.
     */
    void applyTo(MemorySegment ctx) {
        try (Arena arena = Arena.ofConfined()) {
            int n = scales.size();
            MemorySegment handles = arena.allocate(ValueLayout.ADDRESS, Math.max(1, n));
            MemorySegment values = arena.allocate(ValueLayout.JAVA_FLOAT, Math.max(1, n));
            for (int i = 0; i < n; i++) {
                handles.setAtIndex(ValueLayout.ADDRESS, i, scales.get(i).adapter().handle());
                values.setAtIndex(ValueLayout.JAVA_FLOAT, i, scales.get(i).scale());
            }
            int rc = dev.puna.bindings.Llama.llama_set_adapters_lora(ctx, n == 0 ? MemorySegment.NULL : handles, n,
                    n == 0 ? MemorySegment.NULL : values);
            if (rc != 0) {
                throw new NativeException("llama_set_adapters_lora failed with status " + rc);
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AdapterSet other) || other.scales.size() != scales.size()) {
            return false;
        }
        for (int i = 0; i < scales.size(); i++) {
            LoraScale a = scales.get(i);
            LoraScale b = other.scales.get(i);
            if (a.adapter() != b.adapter() || Float.compare(a.scale(), b.scale()) != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (LoraScale s : scales) {
            h = 31 * h + Long.hashCode(s.adapter().serial) * 17 + Float.hashCode(s.scale());
        }
        return h;
    }

    @Override
    public String toString() {
        return scales.isEmpty() ? "no adapters" : scales.toString();
    }
}
