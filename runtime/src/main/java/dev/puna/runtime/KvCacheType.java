package dev.puna.runtime;

import java.util.Locale;

/** Data type of the KV cache (Ollama's {@code OLLAMA_KV_CACHE_TYPE}); quantized types need flash attention. */
public enum KvCacheType {
    F16(1),
    Q8_0(8),
    Q4_0(2);

    private final int ggmlType;

    KvCacheType(int ggmlType) {
        this.ggmlType = ggmlType;
    }

    /** The ggml_type id passed to llama.cpp. */
    public int ggmlType() {
        return ggmlType;
    }

    /** Parses {@code f16}, {@code q8_0} or {@code q4_0} (case-insensitive). */
    public static KvCacheType parse(String s) {
        for (KvCacheType t : values()) {
            if (t.name().equalsIgnoreCase(s)) {
                return t;
            }
        }
        throw new InvalidParameterException("kv_cache_type",
                "unknown KV cache type '" + s + "' (expected f16, q8_0 or q4_0)");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
