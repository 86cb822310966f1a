package dev.puna.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * Memory layouts of the llama.h structs Puna passes across the boundary, member names exactly as in C
 * (LayoutProbeTest matches them by name against the compiled header). C enums are {@code int}; {@code bool} is
 * one byte; {@code size_t} is 64-bit on every platform Puna supports.
 */
public final class LlamaLayouts {
    private LlamaLayouts() {
    }

    public static final StructLayout LLAMA_MODEL_PARAMS = Structs.struct("llama_model_params",
            ADDRESS.withName("devices"),
            ADDRESS.withName("tensor_buft_overrides"),
            JAVA_INT.withName("n_gpu_layers"),
            JAVA_INT.withName("split_mode"),
            JAVA_INT.withName("load_mode"),
            JAVA_INT.withName("lazy_mode"),
            JAVA_INT.withName("main_gpu"),
            ADDRESS.withName("tensor_split"),
            ADDRESS.withName("progress_callback"),
            ADDRESS.withName("progress_callback_user_data"),
            ADDRESS.withName("kv_overrides"),
            JAVA_BOOLEAN.withName("vocab_only"),
            JAVA_BOOLEAN.withName("check_tensors"),
            JAVA_BOOLEAN.withName("use_extra_bufts"),
            JAVA_BOOLEAN.withName("no_host"),
            JAVA_BOOLEAN.withName("no_alloc"),
            JAVA_BOOLEAN.withName("load_mtp"));

    /**
     * One entry of {@code llama_model_params.tensor_buft_overrides}: tensors whose name the regular expression
     * {@code pattern} finds a match in ({@code std::regex_search}) are allocated in buffer type {@code buft}; the
     * array ends with an entry whose pattern is NULL. llama.cpp reads it only while the model loads.
     */
    public static final StructLayout LLAMA_MODEL_TENSOR_BUFT_OVERRIDE = Structs.struct(
            "llama_model_tensor_buft_override",
            ADDRESS.withName("pattern"),
            ADDRESS.withName("buft"));

    public static final StructLayout LLAMA_CONTEXT_PARAMS = Structs.struct("llama_context_params",
            JAVA_INT.withName("n_ctx"),
            JAVA_INT.withName("n_batch"),
            JAVA_INT.withName("n_ubatch"),
            JAVA_INT.withName("n_seq_max"),
            JAVA_INT.withName("n_rs_seq"),
            JAVA_INT.withName("n_outputs_max"),
            JAVA_INT.withName("n_outputs_max_per_seq"),
            JAVA_INT.withName("n_threads"),
            JAVA_INT.withName("n_threads_batch"),
            JAVA_INT.withName("ctx_type"),
            JAVA_INT.withName("rope_scaling_type"),
            JAVA_INT.withName("pooling_type"),
            JAVA_INT.withName("attention_type"),
            JAVA_INT.withName("flash_attn_type"),
            JAVA_FLOAT.withName("rope_freq_base"),
            JAVA_FLOAT.withName("rope_freq_scale"),
            JAVA_FLOAT.withName("yarn_ext_factor"),
            JAVA_FLOAT.withName("yarn_attn_factor"),
            JAVA_FLOAT.withName("yarn_beta_fast"),
            JAVA_FLOAT.withName("yarn_beta_slow"),
            JAVA_INT.withName("yarn_orig_ctx"),
            JAVA_FLOAT.withName("defrag_thold"),
            ADDRESS.withName("cb_eval"),
            ADDRESS.withName("cb_eval_user_data"),
            JAVA_INT.withName("type_k"),
            JAVA_INT.withName("type_v"),
            ADDRESS.withName("abort_callback"),
            ADDRESS.withName("abort_callback_data"),
            JAVA_BOOLEAN.withName("embeddings"),
            JAVA_BOOLEAN.withName("offload_kqv"),
            JAVA_BOOLEAN.withName("no_perf"),
            JAVA_BOOLEAN.withName("op_offload"),
            JAVA_BOOLEAN.withName("swa_full"),
            JAVA_BOOLEAN.withName("kv_unified"),
            ADDRESS.withName("samplers"),
            JAVA_LONG.withName("n_samplers"),
            ADDRESS.withName("ctx_other"));

    public static final StructLayout LLAMA_BATCH = Structs.struct("llama_batch",
            JAVA_INT.withName("n_tokens"),
            ADDRESS.withName("token"),
            ADDRESS.withName("embd"),
            ADDRESS.withName("pos"),
            ADDRESS.withName("n_seq_id"),
            ADDRESS.withName("seq_id"),
            ADDRESS.withName("logits"));

    public static final StructLayout LLAMA_TOKEN_DATA = Structs.struct("llama_token_data",
            JAVA_INT.withName("id"),
            JAVA_FLOAT.withName("logit"),
            JAVA_FLOAT.withName("p"));

    public static final StructLayout LLAMA_TOKEN_DATA_ARRAY = Structs.struct("llama_token_data_array",
            ADDRESS.withName("data"),
            JAVA_LONG.withName("size"),
            JAVA_LONG.withName("selected"),
            JAVA_BOOLEAN.withName("sorted"));

    public static final StructLayout LLAMA_LOGIT_BIAS = Structs.struct("llama_logit_bias",
            JAVA_INT.withName("token"),
            JAVA_FLOAT.withName("bias"));

    public static final StructLayout LLAMA_SAMPLER_CHAIN_PARAMS = Structs.struct("llama_sampler_chain_params",
            JAVA_BOOLEAN.withName("no_perf"));

    public static final StructLayout LLAMA_CHAT_MESSAGE = Structs.struct("llama_chat_message",
            ADDRESS.withName("role"),
            ADDRESS.withName("content"));

    public static final StructLayout LLAMA_PERF_CONTEXT_DATA = Structs.struct("llama_perf_context_data",
            JAVA_DOUBLE.withName("t_start_ms"),
            JAVA_DOUBLE.withName("t_load_ms"),
            JAVA_DOUBLE.withName("t_p_eval_ms"),
            JAVA_DOUBLE.withName("t_eval_ms"),
            JAVA_INT.withName("n_p_eval"),
            JAVA_INT.withName("n_eval"),
            JAVA_INT.withName("n_reused"));

    public static final StructLayout LLAMA_PERF_SAMPLER_DATA = Structs.struct("llama_perf_sampler_data",
            JAVA_DOUBLE.withName("t_sample_ms"),
            JAVA_INT.withName("n_sample"));

    public static final StructLayout LLAMA_MODEL_QUANTIZE_PARAMS = Structs.struct("llama_model_quantize_params",
            JAVA_INT.withName("nthread"),
            JAVA_INT.withName("ftype"),
            JAVA_INT.withName("output_tensor_type"),
            JAVA_INT.withName("token_embedding_type"),
            JAVA_BOOLEAN.withName("allow_requantize"),
            JAVA_BOOLEAN.withName("quantize_output_tensor"),
            JAVA_BOOLEAN.withName("only_copy"),
            JAVA_BOOLEAN.withName("pure"),
            JAVA_BOOLEAN.withName("keep_split"),
            JAVA_BOOLEAN.withName("dry_run"),
            ADDRESS.withName("imatrix"),
            ADDRESS.withName("kv_overrides"),
            ADDRESS.withName("tt_overrides"),
            ADDRESS.withName("prune_layers"),
            JAVA_LONG.withName("max_buf_size"));

    /** Every struct layout above, for the ABI tests. */
    public static List<StructLayout> all() {
        return List.of(LLAMA_MODEL_PARAMS, LLAMA_MODEL_TENSOR_BUFT_OVERRIDE, LLAMA_CONTEXT_PARAMS, LLAMA_BATCH, LLAMA_TOKEN_DATA,
                LLAMA_TOKEN_DATA_ARRAY, LLAMA_LOGIT_BIAS, LLAMA_SAMPLER_CHAIN_PARAMS, LLAMA_CHAT_MESSAGE,
                LLAMA_PERF_CONTEXT_DATA, LLAMA_PERF_SAMPLER_DATA, LLAMA_MODEL_QUANTIZE_PARAMS);
    }

    /**
     * A var handle for member {@code name} of {@code layout}, with the base offset coordinate bound to 0 so it
     * is used as {@code (segment)} / {@code (segment, value)}.
     */
    public static VarHandle field(MemoryLayout layout, String name) {
        VarHandle h = layout.varHandle(PathElement.groupElement(name));
        return java.lang.invoke.MethodHandles.insertCoordinates(h, 1, 0L);
    }
}
