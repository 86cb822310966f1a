package dev.puna.runtime;

import static dev.puna.bindings.LlamaLayouts.LLAMA_CONTEXT_PARAMS;

import dev.puna.bindings.Llama;
import dev.puna.bindings.LlamaLayouts;
import dev.puna.runtime.internal.Backend;
import dev.puna.runtime.internal.NativeStats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Creates llama.cpp contexts for {@link Session} and {@link Engine} from {@link SessionParams}. The abort
 * callback starts off; owners turn it on for long decodes with an {@link dev.puna.runtime.internal.AbortSwitch}.
 * The caller owns the returned context and frees it with {@link #free}.
 */
final class NativeContext {
    private NativeContext() {
    }

    /**
     * @param totalContext n_ctx over all sequences
     * @param sequences n_seq_max
     * @param unifiedKv one KV buffer for all sequences instead of one stream each
     * @param pooling llama_pooling_type for embedding contexts, -1 (unspecified) otherwise
     * @throws NativeException when llama.cpp cannot create the context (its log's reason included)
     */
    static MemorySegment create(Model model, SessionParams params, int totalContext, int sequences, boolean unifiedKv,
                                int pooling) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cp = Llama.llama_context_default_params(arena);
            set(cp, "n_ctx", totalContext);
            set(cp, "n_batch", params.batchSize());
            set(cp, "n_ubatch", params.ubatchSize());
            set(cp, "n_seq_max", sequences);
            set(cp, "n_threads", params.threads());
            set(cp, "n_threads_batch", params.batchThreads());
            set(cp, "flash_attn_type", params.effectiveFlashAttention().llamaValue());
            set(cp, "type_k", params.kvCacheType().ggmlType());
            set(cp, "type_v", params.kvCacheType().ggmlType());
            set(cp, "pooling_type", pooling);
            LlamaLayouts.field(LLAMA_CONTEXT_PARAMS, "embeddings").set(cp, params.embeddings());
            LlamaLayouts.field(LLAMA_CONTEXT_PARAMS, "kv_unified").set(cp, unifiedKv);
            LlamaLayouts.field(LLAMA_CONTEXT_PARAMS, "swa_full").set(cp, params.swaFull());
            LlamaLayouts.field(LLAMA_CONTEXT_PARAMS, "no_perf").set(cp, true);
            Backend.clearLastError();
            MemorySegment context = Llama.llama_init_from_model(model.handle(), cp);
            if (context.equals(MemorySegment.NULL)) {
                String why = Backend.lastError();
                throw new NativeException("llama.cpp could not create a context for " + model.info().path()
                        + (why.isEmpty() ? "" : ": " + why.replaceAll("\\s+", " ")));
            }
            NativeStats.CONTEXTS.incrementAndGet();
            return context;
        }
    }

    static void free(MemorySegment context) {
        Llama.llama_free(context);
        NativeStats.CONTEXTS.decrementAndGet();
    }

    private static void set(MemorySegment cp, String field, int value) {
        LlamaLayouts.field(LLAMA_CONTEXT_PARAMS, field).set(cp, value);
    }
}
