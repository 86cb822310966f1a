package dev.puna.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.invoke.MethodHandle;
import java.util.Map;

/**
 * Downcalls into llama.h (llama.cpp {@value NativeLibrary#LLAMA_CPP_RELEASE}), one static method per C function,
 * named exactly as in C so the header is the documentation. Each handle is resolved once, in this class's static
 * initialiser; a missing symbol fails class initialisation with an {@link UnsatisfiedLinkError} naming it.
 *
 * <p>Mapping: C {@code int32_t}/{@code uint32_t}/enums are {@code int}, {@code int64_t}/{@code uint64_t}/
 * {@code size_t} are {@code long}, pointers are {@link MemorySegment}s, structs passed or returned by value are
 * {@link MemorySegment}s of the {@link LlamaLayouts} layout (returned ones are allocated with the given
 * {@link SegmentAllocator}). LayoutProbeTest checks every descriptor against the compiled header.
 *
 * <p>Thread-safety is llama.cpp's: a {@code llama_model} and {@code llama_vocab} may be used from many threads;
 * a {@code llama_context} and a {@code llama_sampler} by one thread at a time; {@code llama_log_set} is global.
 * The runtime enforces this; nothing here locks. Internal to Puna: only {@code puna-runtime} may call this.
 *
 * <p>Written by hand against llama.h and verified mechanically; see bindings/jextract/regenerate.sh for the
 * jextract path used when bumping llama.cpp.
 */
public final class Llama {
    private Llama() {
    }

    /** Forces class initialisation (all handles linked). */
    static void ensureLinked() {
    }

    private static final MethodHandle LLAMA_BACKEND_INIT = Native.downcall("llama_backend_init", FunctionDescriptor.ofVoid());
    private static final MethodHandle LLAMA_BACKEND_FREE = Native.downcall("llama_backend_free", FunctionDescriptor.ofVoid());
    private static final MethodHandle LLAMA_VERSION = Native.downcall("llama_version", FunctionDescriptor.of(ADDRESS));
    private static final MethodHandle LLAMA_PRINT_SYSTEM_INFO = Native.downcall("llama_print_system_info", FunctionDescriptor.of(ADDRESS));
    private static final MethodHandle LLAMA_LOG_SET = Native.downcall("llama_log_set", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
    private static final MethodHandle LLAMA_TIME_US = Native.downcall("llama_time_us", FunctionDescriptor.of(JAVA_LONG));
    private static final MethodHandle LLAMA_MAX_DEVICES = Native.downcall("llama_max_devices", FunctionDescriptor.of(JAVA_LONG));
    private static final MethodHandle LLAMA_MAX_PARALLEL_SEQUENCES = Native.downcall("llama_max_parallel_sequences", FunctionDescriptor.of(JAVA_LONG));
    private static final MethodHandle LLAMA_SUPPORTS_MMAP = Native.downcall("llama_supports_mmap", FunctionDescriptor.of(JAVA_BOOLEAN));
    private static final MethodHandle LLAMA_SUPPORTS_MLOCK = Native.downcall("llama_supports_mlock", FunctionDescriptor.of(JAVA_BOOLEAN));
    private static final MethodHandle LLAMA_SUPPORTS_GPU_OFFLOAD = Native.downcall("llama_supports_gpu_offload", FunctionDescriptor.of(JAVA_BOOLEAN));
    private static final MethodHandle LLAMA_MODEL_DEFAULT_PARAMS = Native.downcall("llama_model_default_params", FunctionDescriptor.of(LlamaLayouts.LLAMA_MODEL_PARAMS));
    private static final MethodHandle LLAMA_CONTEXT_DEFAULT_PARAMS = Native.downcall("llama_context_default_params", FunctionDescriptor.of(LlamaLayouts.LLAMA_CONTEXT_PARAMS));
    private static final MethodHandle LLAMA_SAMPLER_CHAIN_DEFAULT_PARAMS = Native.downcall("llama_sampler_chain_default_params", FunctionDescriptor.of(LlamaLayouts.LLAMA_SAMPLER_CHAIN_PARAMS));
    private static final MethodHandle LLAMA_MODEL_LOAD_FROM_FILE = Native.downcall("llama_model_load_from_file", FunctionDescriptor.of(ADDRESS, ADDRESS, LlamaLayouts.LLAMA_MODEL_PARAMS));
    private static final MethodHandle LLAMA_MODEL_FREE = Native.downcall("llama_model_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle LLAMA_MODEL_GET_VOCAB = Native.downcall("llama_model_get_vocab", FunctionDescriptor.of(ADDRESS, ADDRESS));
    private static final MethodHandle LLAMA_MODEL_N_CTX_TRAIN = Native.downcall("llama_model_n_ctx_train", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_MODEL_N_EMBD = Native.downcall("llama_model_n_embd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_MODEL_N_EMBD_INP = Native.downcall("llama_model_n_embd_inp", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_MODEL_N_CLS_OUT = Native.downcall("llama_model_n_cls_out", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_MODEL_N_LAYER = Native.downcall("llama_model_n_layer", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_MODEL_N_SWA = Native.downcall("llama_model_n_swa", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_MODEL_N_HEAD = Native.downcall("llama_model_n_head", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_MODEL_N_HEAD_KV = Native.downcall("llama_model_n_head_kv", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_MODEL_META_VAL_STR = Native.downcall("llama_model_meta_val_str", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle LLAMA_MODEL_META_COUNT = Native.downcall("llama_model_meta_count", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_MODEL_META_KEY_BY_INDEX = Native.downcall("llama_model_meta_key_by_index", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle LLAMA_MODEL_META_VAL_STR_BY_INDEX = Native.downcall("llama_model_meta_val_str_by_index", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle LLAMA_MODEL_DESC = Native.downcall("llama_model_desc", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle LLAMA_MODEL_FTYPE = Native.downcall("llama_model_ftype", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_FTYPE_NAME = Native.downcall("llama_ftype_name", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final MethodHandle LLAMA_MODEL_SIZE = Native.downcall("llama_model_size", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
    private static final MethodHandle LLAMA_MODEL_CHAT_TEMPLATE = Native.downcall("llama_model_chat_template", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle LLAMA_MODEL_QUANTIZE_DEFAULT_PARAMS = Native.downcall("llama_model_quantize_default_params", FunctionDescriptor.of(LlamaLayouts.LLAMA_MODEL_QUANTIZE_PARAMS));
    private static final MethodHandle LLAMA_MODEL_QUANTIZE = Native.downcall("llama_model_quantize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle LLAMA_MODEL_N_PARAMS = Native.downcall("llama_model_n_params", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
    private static final MethodHandle LLAMA_MODEL_HAS_ENCODER = Native.downcall("llama_model_has_encoder", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
    private static final MethodHandle LLAMA_MODEL_HAS_DECODER = Native.downcall("llama_model_has_decoder", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
    private static final MethodHandle LLAMA_MODEL_IS_RECURRENT = Native.downcall("llama_model_is_recurrent", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
    private static final MethodHandle LLAMA_MODEL_IS_HYBRID = Native.downcall("llama_model_is_hybrid", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
    private static final MethodHandle LLAMA_INIT_FROM_MODEL = Native.downcall("llama_init_from_model", FunctionDescriptor.of(ADDRESS, ADDRESS, LlamaLayouts.LLAMA_CONTEXT_PARAMS));
    private static final MethodHandle LLAMA_FREE = Native.downcall("llama_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle LLAMA_N_CTX = Native.downcall("llama_n_ctx", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_N_CTX_SEQ = Native.downcall("llama_n_ctx_seq", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_N_BATCH = Native.downcall("llama_n_batch", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_N_UBATCH = Native.downcall("llama_n_ubatch", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_N_SEQ_MAX = Native.downcall("llama_n_seq_max", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_GET_MEMORY = Native.downcall("llama_get_memory", FunctionDescriptor.of(ADDRESS, ADDRESS));
    private static final MethodHandle LLAMA_POOLING_TYPE = Native.downcall("llama_pooling_type", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_SET_N_THREADS = Native.downcall("llama_set_n_threads", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle LLAMA_N_THREADS = Native.downcall("llama_n_threads", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_SET_EMBEDDINGS = Native.downcall("llama_set_embeddings", FunctionDescriptor.ofVoid(ADDRESS, JAVA_BOOLEAN));
    private static final MethodHandle LLAMA_SET_CAUSAL_ATTN = Native.downcall("llama_set_causal_attn", FunctionDescriptor.ofVoid(ADDRESS, JAVA_BOOLEAN));
    private static final MethodHandle LLAMA_ADAPTER_LORA_INIT = Native.downcall("llama_adapter_lora_init", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle LLAMA_ADAPTER_LORA_FREE = Native.downcall("llama_adapter_lora_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle LLAMA_ADAPTER_META_VAL_STR = Native.downcall("llama_adapter_meta_val_str", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle LLAMA_SET_ADAPTERS_LORA = Native.downcall("llama_set_adapters_lora", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle LLAMA_SET_ABORT_CALLBACK = Native.downcall("llama_set_abort_callback", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle LLAMA_SYNCHRONIZE = Native.downcall("llama_synchronize", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle LLAMA_MEMORY_CLEAR = Native.downcall("llama_memory_clear", FunctionDescriptor.ofVoid(ADDRESS, JAVA_BOOLEAN));
    private static final MethodHandle LLAMA_MEMORY_SEQ_RM = Native.downcall("llama_memory_seq_rm", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle LLAMA_MEMORY_SEQ_CP = Native.downcall("llama_memory_seq_cp", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle LLAMA_MEMORY_SEQ_KEEP = Native.downcall("llama_memory_seq_keep", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
    private static final MethodHandle LLAMA_MEMORY_SEQ_ADD = Native.downcall("llama_memory_seq_add", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle LLAMA_MEMORY_SEQ_POS_MIN = Native.downcall("llama_memory_seq_pos_min", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LLAMA_MEMORY_SEQ_POS_MAX = Native.downcall("llama_memory_seq_pos_max", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LLAMA_MEMORY_CAN_SHIFT = Native.downcall("llama_memory_can_shift", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
    private static final MethodHandle LLAMA_STATE_GET_SIZE = Native.downcall("llama_state_get_size", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
    private static final MethodHandle LLAMA_STATE_GET_DATA = Native.downcall("llama_state_get_data", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle LLAMA_STATE_SET_DATA = Native.downcall("llama_state_set_data", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle LLAMA_STATE_SEQ_GET_SIZE = Native.downcall("llama_state_seq_get_size", FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT));
    private static final MethodHandle LLAMA_STATE_SEQ_GET_DATA = Native.downcall("llama_state_seq_get_data", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle LLAMA_STATE_SEQ_SET_DATA = Native.downcall("llama_state_seq_set_data", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle LLAMA_STATE_SEQ_GET_SIZE_EXT = Native.downcall("llama_state_seq_get_size_ext", FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle LLAMA_STATE_SEQ_GET_DATA_EXT = Native.downcall("llama_state_seq_get_data_ext", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT));
    private static final MethodHandle LLAMA_STATE_SEQ_SET_DATA_EXT = Native.downcall("llama_state_seq_set_data_ext", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT));
    private static final MethodHandle LLAMA_STATE_SAVE_FILE = Native.downcall("llama_state_save_file", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle LLAMA_STATE_LOAD_FILE = Native.downcall("llama_state_load_file", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle LLAMA_BATCH_INIT = Native.downcall("llama_batch_init", FunctionDescriptor.of(LlamaLayouts.LLAMA_BATCH, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle LLAMA_BATCH_FREE = Native.downcall("llama_batch_free", FunctionDescriptor.ofVoid(LlamaLayouts.LLAMA_BATCH));
    private static final MethodHandle LLAMA_DECODE = Native.downcall("llama_decode", FunctionDescriptor.of(JAVA_INT, ADDRESS, LlamaLayouts.LLAMA_BATCH));
    private static final MethodHandle LLAMA_ENCODE = Native.downcall("llama_encode", FunctionDescriptor.of(JAVA_INT, ADDRESS, LlamaLayouts.LLAMA_BATCH));
    private static final MethodHandle LLAMA_GET_LOGITS_ITH = Native.downcall("llama_get_logits_ith", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle LLAMA_GET_EMBEDDINGS_ITH = Native.downcall("llama_get_embeddings_ith", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle LLAMA_GET_EMBEDDINGS_SEQ = Native.downcall("llama_get_embeddings_seq", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle LLAMA_VOCAB_TYPE = Native.downcall("llama_vocab_type", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_VOCAB_N_TOKENS = Native.downcall("llama_vocab_n_tokens", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_VOCAB_GET_TEXT = Native.downcall("llama_vocab_get_text", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle LLAMA_VOCAB_GET_SCORE = Native.downcall("llama_vocab_get_score", FunctionDescriptor.of(JAVA_FLOAT, ADDRESS, JAVA_INT));
    private static final MethodHandle LLAMA_VOCAB_GET_ATTR = Native.downcall("llama_vocab_get_attr", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LLAMA_VOCAB_IS_EOG = Native.downcall("llama_vocab_is_eog", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT));
    private static final MethodHandle LLAMA_VOCAB_IS_CONTROL = Native.downcall("llama_vocab_is_control", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT));
    private static final MethodHandle LLAMA_VOCAB_BOS = Native.downcall("llama_vocab_bos", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_VOCAB_EOS = Native.downcall("llama_vocab_eos", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_VOCAB_EOT = Native.downcall("llama_vocab_eot", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_VOCAB_SEP = Native.downcall("llama_vocab_sep", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_VOCAB_NL = Native.downcall("llama_vocab_nl", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_VOCAB_PAD = Native.downcall("llama_vocab_pad", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_VOCAB_GET_ADD_BOS = Native.downcall("llama_vocab_get_add_bos", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
    private static final MethodHandle LLAMA_VOCAB_GET_ADD_EOS = Native.downcall("llama_vocab_get_add_eos", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
    private static final MethodHandle LLAMA_VOCAB_GET_ADD_SEP = Native.downcall("llama_vocab_get_add_sep", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
    private static final MethodHandle LLAMA_VOCAB_FIM_PRE = Native.downcall("llama_vocab_fim_pre", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_VOCAB_FIM_SUF = Native.downcall("llama_vocab_fim_suf", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_VOCAB_FIM_MID = Native.downcall("llama_vocab_fim_mid", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_VOCAB_FIM_PAD = Native.downcall("llama_vocab_fim_pad", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_VOCAB_FIM_REP = Native.downcall("llama_vocab_fim_rep", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_VOCAB_FIM_SEP = Native.downcall("llama_vocab_fim_sep", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_TOKENIZE = Native.downcall("llama_tokenize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_BOOLEAN, JAVA_BOOLEAN));
    private static final MethodHandle LLAMA_TOKEN_TO_PIECE = Native.downcall("llama_token_to_piece", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_BOOLEAN));
    private static final MethodHandle LLAMA_DETOKENIZE = Native.downcall("llama_detokenize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_BOOLEAN, JAVA_BOOLEAN));
    private static final MethodHandle LLAMA_CHAT_APPLY_TEMPLATE = Native.downcall("llama_chat_apply_template", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_BOOLEAN, ADDRESS, JAVA_INT));
    private static final MethodHandle LLAMA_CHAT_BUILTIN_TEMPLATES = Native.downcall("llama_chat_builtin_templates", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle LLAMA_SAMPLER_CHAIN_INIT = Native.downcall("llama_sampler_chain_init", FunctionDescriptor.of(ADDRESS, LlamaLayouts.LLAMA_SAMPLER_CHAIN_PARAMS));
    private static final MethodHandle LLAMA_SAMPLER_CHAIN_ADD = Native.downcall("llama_sampler_chain_add", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
    private static final MethodHandle LLAMA_SAMPLER_CHAIN_N = Native.downcall("llama_sampler_chain_n", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_SAMPLER_FREE = Native.downcall("llama_sampler_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle LLAMA_SAMPLER_NAME = Native.downcall("llama_sampler_name", FunctionDescriptor.of(ADDRESS, ADDRESS));
    private static final MethodHandle LLAMA_SAMPLER_SAMPLE = Native.downcall("llama_sampler_sample", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle LLAMA_SAMPLER_ACCEPT = Native.downcall("llama_sampler_accept", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
    private static final MethodHandle LLAMA_SAMPLER_APPLY = Native.downcall("llama_sampler_apply", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
    private static final MethodHandle LLAMA_SAMPLER_RESET = Native.downcall("llama_sampler_reset", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle LLAMA_SAMPLER_GET_SEED = Native.downcall("llama_sampler_get_seed", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_SAMPLER_INIT_GREEDY = Native.downcall("llama_sampler_init_greedy", FunctionDescriptor.of(ADDRESS));
    private static final MethodHandle LLAMA_SAMPLER_INIT_DIST = Native.downcall("llama_sampler_init_dist", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final MethodHandle LLAMA_SAMPLER_INIT_TOP_K = Native.downcall("llama_sampler_init_top_k", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final MethodHandle LLAMA_SAMPLER_INIT_TOP_P = Native.downcall("llama_sampler_init_top_p", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT, JAVA_LONG));
    private static final MethodHandle LLAMA_SAMPLER_INIT_MIN_P = Native.downcall("llama_sampler_init_min_p", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT, JAVA_LONG));
    private static final MethodHandle LLAMA_SAMPLER_INIT_TYPICAL = Native.downcall("llama_sampler_init_typical", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT, JAVA_LONG));
    private static final MethodHandle LLAMA_SAMPLER_INIT_TEMP = Native.downcall("llama_sampler_init_temp", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT));
    private static final MethodHandle LLAMA_SAMPLER_INIT_TEMP_EXT = Native.downcall("llama_sampler_init_temp_ext", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT));
    private static final MethodHandle LLAMA_SAMPLER_INIT_MIROSTAT = Native.downcall("llama_sampler_init_mirostat", FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT, JAVA_FLOAT, JAVA_FLOAT, JAVA_INT));
    private static final MethodHandle LLAMA_SAMPLER_INIT_MIROSTAT_V2 = Native.downcall("llama_sampler_init_mirostat_v2", FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_FLOAT, JAVA_FLOAT));
    private static final MethodHandle LLAMA_SAMPLER_INIT_GRAMMAR = Native.downcall("llama_sampler_init_grammar", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle LLAMA_SAMPLER_INIT_PENALTIES = Native.downcall("llama_sampler_init_penalties", FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT));
    private static final MethodHandle LLAMA_SAMPLER_INIT_LOGIT_BIAS = Native.downcall("llama_sampler_init_logit_bias", FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle LLAMA_PERF_CONTEXT = Native.downcall("llama_perf_context", FunctionDescriptor.of(LlamaLayouts.LLAMA_PERF_CONTEXT_DATA, ADDRESS));
    private static final MethodHandle LLAMA_PERF_CONTEXT_RESET = Native.downcall("llama_perf_context_reset", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle LLAMA_PERF_SAMPLER = Native.downcall("llama_perf_sampler", FunctionDescriptor.of(LlamaLayouts.LLAMA_PERF_SAMPLER_DATA, ADDRESS));
    private static final MethodHandle LLAMA_PERF_SAMPLER_RESET = Native.downcall("llama_perf_sampler_reset", FunctionDescriptor.ofVoid(ADDRESS));

    public static void llama_backend_init() {
        try {
            LLAMA_BACKEND_INIT.invokeExact();
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static void llama_backend_free() {
        try {
            LLAMA_BACKEND_FREE.invokeExact();
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_version() {
        try {
            return (MemorySegment) LLAMA_VERSION.invokeExact();
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_print_system_info() {
        try {
            return (MemorySegment) LLAMA_PRINT_SYSTEM_INFO.invokeExact();
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static void llama_log_set(MemorySegment log_callback, MemorySegment user_data) {
        try {
            LLAMA_LOG_SET.invokeExact(log_callback, user_data);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static long llama_time_us() {
        try {
            return (long) LLAMA_TIME_US.invokeExact();
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static long llama_max_devices() {
        try {
            return (long) LLAMA_MAX_DEVICES.invokeExact();
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static long llama_max_parallel_sequences() {
        try {
            return (long) LLAMA_MAX_PARALLEL_SEQUENCES.invokeExact();
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static boolean llama_supports_mmap() {
        try {
            return (boolean) LLAMA_SUPPORTS_MMAP.invokeExact();
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static boolean llama_supports_mlock() {
        try {
            return (boolean) LLAMA_SUPPORTS_MLOCK.invokeExact();
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static boolean llama_supports_gpu_offload() {
        try {
            return (boolean) LLAMA_SUPPORTS_GPU_OFFLOAD.invokeExact();
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_model_default_params(SegmentAllocator allocator) {
        try {
            return (MemorySegment) LLAMA_MODEL_DEFAULT_PARAMS.invokeExact(allocator);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_context_default_params(SegmentAllocator allocator) {
        try {
            return (MemorySegment) LLAMA_CONTEXT_DEFAULT_PARAMS.invokeExact(allocator);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_sampler_chain_default_params(SegmentAllocator allocator) {
        try {
            return (MemorySegment) LLAMA_SAMPLER_CHAIN_DEFAULT_PARAMS.invokeExact(allocator);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_model_load_from_file(MemorySegment path_model, MemorySegment params) {
        try {
            return (MemorySegment) LLAMA_MODEL_LOAD_FROM_FILE.invokeExact(path_model, params);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static void llama_model_free(MemorySegment model) {
        try {
            LLAMA_MODEL_FREE.invokeExact(model);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_model_get_vocab(MemorySegment model) {
        try {
            return (MemorySegment) LLAMA_MODEL_GET_VOCAB.invokeExact(model);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_model_n_ctx_train(MemorySegment model) {
        try {
            return (int) LLAMA_MODEL_N_CTX_TRAIN.invokeExact(model);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /** The width of the model's input embeddings (what an image projector must produce per position). */
    public static int llama_model_n_embd_inp(MemorySegment model) {
        try {
            return (int) LLAMA_MODEL_N_EMBD_INP.invokeExact(model);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_model_n_embd(MemorySegment model) {
        try {
            return (int) LLAMA_MODEL_N_EMBD.invokeExact(model);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /** The number of classifier outputs (uint32; 1 unless the GGUF names labels): what rank pooling yields per sequence. */
    public static int llama_model_n_cls_out(MemorySegment model) {
        try {
            return (int) LLAMA_MODEL_N_CLS_OUT.invokeExact(model);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_model_n_layer(MemorySegment model) {
        try {
            return (int) LLAMA_MODEL_N_LAYER.invokeExact(model);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /** The model's sliding-window size in positions; 0 for a model without sliding-window attention. */
    public static int llama_model_n_swa(MemorySegment model) {
        try {
            return (int) LLAMA_MODEL_N_SWA.invokeExact(model);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_model_n_head(MemorySegment model) {
        try {
            return (int) LLAMA_MODEL_N_HEAD.invokeExact(model);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_model_n_head_kv(MemorySegment model) {
        try {
            return (int) LLAMA_MODEL_N_HEAD_KV.invokeExact(model);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_model_meta_val_str(MemorySegment model, MemorySegment key, MemorySegment buf, long buf_size) {
        try {
            return (int) LLAMA_MODEL_META_VAL_STR.invokeExact(model, key, buf, buf_size);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_model_meta_count(MemorySegment model) {
        try {
            return (int) LLAMA_MODEL_META_COUNT.invokeExact(model);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_model_meta_key_by_index(MemorySegment model, int i, MemorySegment buf, long buf_size) {
        try {
            return (int) LLAMA_MODEL_META_KEY_BY_INDEX.invokeExact(model, i, buf, buf_size);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_model_meta_val_str_by_index(MemorySegment model, int i, MemorySegment buf, long buf_size) {
        try {
            return (int) LLAMA_MODEL_META_VAL_STR_BY_INDEX.invokeExact(model, i, buf, buf_size);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_model_desc(MemorySegment model, MemorySegment buf, long buf_size) {
        try {
            return (int) LLAMA_MODEL_DESC.invokeExact(model, buf, buf_size);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_model_ftype(MemorySegment model) {
        try {
            return (int) LLAMA_MODEL_FTYPE.invokeExact(model);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_ftype_name(int ftype) {
        try {
            return (MemorySegment) LLAMA_FTYPE_NAME.invokeExact(ftype);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static long llama_model_size(MemorySegment model) {
        try {
            return (long) LLAMA_MODEL_SIZE.invokeExact(model);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_model_chat_template(MemorySegment model, MemorySegment name) {
        try {
            return (MemorySegment) LLAMA_MODEL_CHAT_TEMPLATE.invokeExact(model, name);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_model_quantize_default_params(SegmentAllocator allocator) {
        try {
            return (MemorySegment) LLAMA_MODEL_QUANTIZE_DEFAULT_PARAMS.invokeExact(allocator);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /** Returns 0 on success (llama.cpp logs the reason otherwise). Not thread-safe with respect to logging only. */
    public static int llama_model_quantize(MemorySegment fname_inp, MemorySegment fname_out, MemorySegment params) {
        try {
            return (int) LLAMA_MODEL_QUANTIZE.invokeExact(fname_inp, fname_out, params);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static long llama_model_n_params(MemorySegment model) {
        try {
            return (long) LLAMA_MODEL_N_PARAMS.invokeExact(model);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static boolean llama_model_has_encoder(MemorySegment model) {
        try {
            return (boolean) LLAMA_MODEL_HAS_ENCODER.invokeExact(model);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static boolean llama_model_has_decoder(MemorySegment model) {
        try {
            return (boolean) LLAMA_MODEL_HAS_DECODER.invokeExact(model);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static boolean llama_model_is_recurrent(MemorySegment model) {
        try {
            return (boolean) LLAMA_MODEL_IS_RECURRENT.invokeExact(model);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /** Whether the model mixes attention layers with recurrent ones (Jamba, Granite 4 hybrid, Qwen3-Next, ...). */
    public static boolean llama_model_is_hybrid(MemorySegment model) {
        try {
            return (boolean) LLAMA_MODEL_IS_HYBRID.invokeExact(model);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_init_from_model(MemorySegment model, MemorySegment params) {
        try {
            return (MemorySegment) LLAMA_INIT_FROM_MODEL.invokeExact(model, params);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static void llama_free(MemorySegment ctx) {
        try {
            LLAMA_FREE.invokeExact(ctx);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_n_ctx(MemorySegment ctx) {
        try {
            return (int) LLAMA_N_CTX.invokeExact(ctx);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_n_ctx_seq(MemorySegment ctx) {
        try {
            return (int) LLAMA_N_CTX_SEQ.invokeExact(ctx);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_n_batch(MemorySegment ctx) {
        try {
            return (int) LLAMA_N_BATCH.invokeExact(ctx);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_n_ubatch(MemorySegment ctx) {
        try {
            return (int) LLAMA_N_UBATCH.invokeExact(ctx);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_n_seq_max(MemorySegment ctx) {
        try {
            return (int) LLAMA_N_SEQ_MAX.invokeExact(ctx);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_get_memory(MemorySegment ctx) {
        try {
            return (MemorySegment) LLAMA_GET_MEMORY.invokeExact(ctx);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_pooling_type(MemorySegment ctx) {
        try {
            return (int) LLAMA_POOLING_TYPE.invokeExact(ctx);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static void llama_set_n_threads(MemorySegment ctx, int n_threads, int n_threads_batch) {
        try {
            LLAMA_SET_N_THREADS.invokeExact(ctx, n_threads, n_threads_batch);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_n_threads(MemorySegment ctx) {
        try {
            return (int) LLAMA_N_THREADS.invokeExact(ctx);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static void llama_set_embeddings(MemorySegment ctx, boolean embeddings) {
        try {
            LLAMA_SET_EMBEDDINGS.invokeExact(ctx, embeddings);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static void llama_set_causal_attn(MemorySegment ctx, boolean causal_attn) {
        try {
            LLAMA_SET_CAUSAL_ATTN.invokeExact(ctx, causal_attn);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_adapter_lora_init(MemorySegment model, MemorySegment path_lora) {
        try {
            return (MemorySegment) LLAMA_ADAPTER_LORA_INIT.invokeExact(model, path_lora);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static void llama_adapter_lora_free(MemorySegment adapter) {
        try {
            LLAMA_ADAPTER_LORA_FREE.invokeExact(adapter);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_adapter_meta_val_str(MemorySegment adapter, MemorySegment key, MemorySegment buf, long buf_size) {
        try {
            return (int) LLAMA_ADAPTER_META_VAL_STR.invokeExact(adapter, key, buf, buf_size);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_set_adapters_lora(MemorySegment ctx, MemorySegment adapters, long n_adapters, MemorySegment scales) {
        try {
            return (int) LLAMA_SET_ADAPTERS_LORA.invokeExact(ctx, adapters, n_adapters, scales);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static void llama_set_abort_callback(MemorySegment ctx, MemorySegment abort_callback, MemorySegment abort_callback_data) {
        try {
            LLAMA_SET_ABORT_CALLBACK.invokeExact(ctx, abort_callback, abort_callback_data);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static void llama_synchronize(MemorySegment ctx) {
        try {
            LLAMA_SYNCHRONIZE.invokeExact(ctx);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static void llama_memory_clear(MemorySegment mem, boolean data) {
        try {
            LLAMA_MEMORY_CLEAR.invokeExact(mem, data);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static boolean llama_memory_seq_rm(MemorySegment mem, int seq_id, int p0, int p1) {
        try {
            return (boolean) LLAMA_MEMORY_SEQ_RM.invokeExact(mem, seq_id, p0, p1);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static void llama_memory_seq_cp(MemorySegment mem, int seq_id_src, int seq_id_dst, int p0, int p1) {
        try {
            LLAMA_MEMORY_SEQ_CP.invokeExact(mem, seq_id_src, seq_id_dst, p0, p1);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static void llama_memory_seq_keep(MemorySegment mem, int seq_id) {
        try {
            LLAMA_MEMORY_SEQ_KEEP.invokeExact(mem, seq_id);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static void llama_memory_seq_add(MemorySegment mem, int seq_id, int p0, int p1, int delta) {
        try {
            LLAMA_MEMORY_SEQ_ADD.invokeExact(mem, seq_id, p0, p1, delta);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_memory_seq_pos_min(MemorySegment mem, int seq_id) {
        try {
            return (int) LLAMA_MEMORY_SEQ_POS_MIN.invokeExact(mem, seq_id);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_memory_seq_pos_max(MemorySegment mem, int seq_id) {
        try {
            return (int) LLAMA_MEMORY_SEQ_POS_MAX.invokeExact(mem, seq_id);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static boolean llama_memory_can_shift(MemorySegment mem) {
        try {
            return (boolean) LLAMA_MEMORY_CAN_SHIFT.invokeExact(mem);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static long llama_state_get_size(MemorySegment ctx) {
        try {
            return (long) LLAMA_STATE_GET_SIZE.invokeExact(ctx);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static long llama_state_get_data(MemorySegment ctx, MemorySegment dst, long size) {
        try {
            return (long) LLAMA_STATE_GET_DATA.invokeExact(ctx, dst, size);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static long llama_state_set_data(MemorySegment ctx, MemorySegment src, long size) {
        try {
            return (long) LLAMA_STATE_SET_DATA.invokeExact(ctx, src, size);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static long llama_state_seq_get_size(MemorySegment ctx, int seq_id) {
        try {
            return (long) LLAMA_STATE_SEQ_GET_SIZE.invokeExact(ctx, seq_id);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static long llama_state_seq_get_data(MemorySegment ctx, MemorySegment dst, long size, int seq_id) {
        try {
            return (long) LLAMA_STATE_SEQ_GET_DATA.invokeExact(ctx, dst, size, seq_id);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static long llama_state_seq_set_data(MemorySegment ctx, MemorySegment src, long size, int dest_seq_id) {
        try {
            return (long) LLAMA_STATE_SEQ_SET_DATA.invokeExact(ctx, src, size, dest_seq_id);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /**
     * {@code LLAMA_STATE_SEQ_FLAGS_PARTIAL_ONLY}: the {@code _ext} state calls cover only the parts of a sequence's
     * memory that cannot be rolled back (a sliding-window KV cache, a recurrent state).
     */
    public static final int LLAMA_STATE_SEQ_FLAGS_PARTIAL_ONLY = 1;

    /** The llama.h macros copied here, by name, for the layout probe to check. */
    public static Map<String, Long> constants() {
        return Map.of("LLAMA_STATE_SEQ_FLAGS_PARTIAL_ONLY", (long) LLAMA_STATE_SEQ_FLAGS_PARTIAL_ONLY);
    }

    public static long llama_state_seq_get_size_ext(MemorySegment ctx, int seq_id, int flags) {
        try {
            return (long) LLAMA_STATE_SEQ_GET_SIZE_EXT.invokeExact(ctx, seq_id, flags);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static long llama_state_seq_get_data_ext(MemorySegment ctx, MemorySegment dst, long size, int seq_id, int flags) {
        try {
            return (long) LLAMA_STATE_SEQ_GET_DATA_EXT.invokeExact(ctx, dst, size, seq_id, flags);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static long llama_state_seq_set_data_ext(MemorySegment ctx, MemorySegment src, long size, int dest_seq_id, int flags) {
        try {
            return (long) LLAMA_STATE_SEQ_SET_DATA_EXT.invokeExact(ctx, src, size, dest_seq_id, flags);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static boolean llama_state_save_file(MemorySegment ctx, MemorySegment path_session, MemorySegment tokens, long n_token_count) {
        try {
            return (boolean) LLAMA_STATE_SAVE_FILE.invokeExact(ctx, path_session, tokens, n_token_count);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static boolean llama_state_load_file(MemorySegment ctx, MemorySegment path_session, MemorySegment tokens_out, long n_token_capacity, MemorySegment n_token_count_out) {
        try {
            return (boolean) LLAMA_STATE_LOAD_FILE.invokeExact(ctx, path_session, tokens_out, n_token_capacity, n_token_count_out);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_batch_init(SegmentAllocator allocator, int n_tokens, int embd, int n_seq_max) {
        try {
            return (MemorySegment) LLAMA_BATCH_INIT.invokeExact(allocator, n_tokens, embd, n_seq_max);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static void llama_batch_free(MemorySegment batch) {
        try {
            LLAMA_BATCH_FREE.invokeExact(batch);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_decode(MemorySegment ctx, MemorySegment batch) {
        try {
            return (int) LLAMA_DECODE.invokeExact(ctx, batch);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_encode(MemorySegment ctx, MemorySegment batch) {
        try {
            return (int) LLAMA_ENCODE.invokeExact(ctx, batch);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_get_logits_ith(MemorySegment ctx, int i) {
        try {
            return (MemorySegment) LLAMA_GET_LOGITS_ITH.invokeExact(ctx, i);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_get_embeddings_ith(MemorySegment ctx, int i) {
        try {
            return (MemorySegment) LLAMA_GET_EMBEDDINGS_ITH.invokeExact(ctx, i);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_get_embeddings_seq(MemorySegment ctx, int seq_id) {
        try {
            return (MemorySegment) LLAMA_GET_EMBEDDINGS_SEQ.invokeExact(ctx, seq_id);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_vocab_type(MemorySegment vocab) {
        try {
            return (int) LLAMA_VOCAB_TYPE.invokeExact(vocab);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_vocab_n_tokens(MemorySegment vocab) {
        try {
            return (int) LLAMA_VOCAB_N_TOKENS.invokeExact(vocab);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_vocab_get_text(MemorySegment vocab, int token) {
        try {
            return (MemorySegment) LLAMA_VOCAB_GET_TEXT.invokeExact(vocab, token);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static float llama_vocab_get_score(MemorySegment vocab, int token) {
        try {
            return (float) LLAMA_VOCAB_GET_SCORE.invokeExact(vocab, token);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_vocab_get_attr(MemorySegment vocab, int token) {
        try {
            return (int) LLAMA_VOCAB_GET_ATTR.invokeExact(vocab, token);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static boolean llama_vocab_is_eog(MemorySegment vocab, int token) {
        try {
            return (boolean) LLAMA_VOCAB_IS_EOG.invokeExact(vocab, token);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static boolean llama_vocab_is_control(MemorySegment vocab, int token) {
        try {
            return (boolean) LLAMA_VOCAB_IS_CONTROL.invokeExact(vocab, token);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_vocab_bos(MemorySegment vocab) {
        try {
            return (int) LLAMA_VOCAB_BOS.invokeExact(vocab);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_vocab_eos(MemorySegment vocab) {
        try {
            return (int) LLAMA_VOCAB_EOS.invokeExact(vocab);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_vocab_eot(MemorySegment vocab) {
        try {
            return (int) LLAMA_VOCAB_EOT.invokeExact(vocab);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_vocab_sep(MemorySegment vocab) {
        try {
            return (int) LLAMA_VOCAB_SEP.invokeExact(vocab);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_vocab_nl(MemorySegment vocab) {
        try {
            return (int) LLAMA_VOCAB_NL.invokeExact(vocab);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_vocab_pad(MemorySegment vocab) {
        try {
            return (int) LLAMA_VOCAB_PAD.invokeExact(vocab);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static boolean llama_vocab_get_add_bos(MemorySegment vocab) {
        try {
            return (boolean) LLAMA_VOCAB_GET_ADD_BOS.invokeExact(vocab);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static boolean llama_vocab_get_add_eos(MemorySegment vocab) {
        try {
            return (boolean) LLAMA_VOCAB_GET_ADD_EOS.invokeExact(vocab);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static boolean llama_vocab_get_add_sep(MemorySegment vocab) {
        try {
            return (boolean) LLAMA_VOCAB_GET_ADD_SEP.invokeExact(vocab);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_vocab_fim_pre(MemorySegment vocab) {
        try {
            return (int) LLAMA_VOCAB_FIM_PRE.invokeExact(vocab);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_vocab_fim_suf(MemorySegment vocab) {
        try {
            return (int) LLAMA_VOCAB_FIM_SUF.invokeExact(vocab);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_vocab_fim_mid(MemorySegment vocab) {
        try {
            return (int) LLAMA_VOCAB_FIM_MID.invokeExact(vocab);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_vocab_fim_pad(MemorySegment vocab) {
        try {
            return (int) LLAMA_VOCAB_FIM_PAD.invokeExact(vocab);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_vocab_fim_rep(MemorySegment vocab) {
        try {
            return (int) LLAMA_VOCAB_FIM_REP.invokeExact(vocab);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_vocab_fim_sep(MemorySegment vocab) {
        try {
            return (int) LLAMA_VOCAB_FIM_SEP.invokeExact(vocab);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_tokenize(MemorySegment vocab, MemorySegment text, int text_len, MemorySegment tokens, int n_tokens_max, boolean add_special, boolean parse_special) {
        try {
            return (int) LLAMA_TOKENIZE.invokeExact(vocab, text, text_len, tokens, n_tokens_max, add_special, parse_special);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_token_to_piece(MemorySegment vocab, int token, MemorySegment buf, int length, int lstrip, boolean special) {
        try {
            return (int) LLAMA_TOKEN_TO_PIECE.invokeExact(vocab, token, buf, length, lstrip, special);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_detokenize(MemorySegment vocab, MemorySegment tokens, int n_tokens, MemorySegment text, int text_len_max, boolean remove_special, boolean unparse_special) {
        try {
            return (int) LLAMA_DETOKENIZE.invokeExact(vocab, tokens, n_tokens, text, text_len_max, remove_special, unparse_special);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_chat_apply_template(MemorySegment tmpl, MemorySegment chat, long n_msg, boolean add_ass, MemorySegment buf, int length) {
        try {
            return (int) LLAMA_CHAT_APPLY_TEMPLATE.invokeExact(tmpl, chat, n_msg, add_ass, buf, length);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_chat_builtin_templates(MemorySegment output, long len) {
        try {
            return (int) LLAMA_CHAT_BUILTIN_TEMPLATES.invokeExact(output, len);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_sampler_chain_init(MemorySegment params) {
        try {
            return (MemorySegment) LLAMA_SAMPLER_CHAIN_INIT.invokeExact(params);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static void llama_sampler_chain_add(MemorySegment chain, MemorySegment smpl) {
        try {
            LLAMA_SAMPLER_CHAIN_ADD.invokeExact(chain, smpl);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_sampler_chain_n(MemorySegment chain) {
        try {
            return (int) LLAMA_SAMPLER_CHAIN_N.invokeExact(chain);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static void llama_sampler_free(MemorySegment smpl) {
        try {
            LLAMA_SAMPLER_FREE.invokeExact(smpl);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_sampler_name(MemorySegment smpl) {
        try {
            return (MemorySegment) LLAMA_SAMPLER_NAME.invokeExact(smpl);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_sampler_sample(MemorySegment smpl, MemorySegment ctx, int idx) {
        try {
            return (int) LLAMA_SAMPLER_SAMPLE.invokeExact(smpl, ctx, idx);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static void llama_sampler_accept(MemorySegment smpl, int token) {
        try {
            LLAMA_SAMPLER_ACCEPT.invokeExact(smpl, token);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static void llama_sampler_apply(MemorySegment smpl, MemorySegment cur_p) {
        try {
            LLAMA_SAMPLER_APPLY.invokeExact(smpl, cur_p);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static void llama_sampler_reset(MemorySegment smpl) {
        try {
            LLAMA_SAMPLER_RESET.invokeExact(smpl);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int llama_sampler_get_seed(MemorySegment smpl) {
        try {
            return (int) LLAMA_SAMPLER_GET_SEED.invokeExact(smpl);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_sampler_init_greedy() {
        try {
            return (MemorySegment) LLAMA_SAMPLER_INIT_GREEDY.invokeExact();
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_sampler_init_dist(int seed) {
        try {
            return (MemorySegment) LLAMA_SAMPLER_INIT_DIST.invokeExact(seed);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_sampler_init_top_k(int k) {
        try {
            return (MemorySegment) LLAMA_SAMPLER_INIT_TOP_K.invokeExact(k);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_sampler_init_top_p(float p, long min_keep) {
        try {
            return (MemorySegment) LLAMA_SAMPLER_INIT_TOP_P.invokeExact(p, min_keep);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_sampler_init_min_p(float p, long min_keep) {
        try {
            return (MemorySegment) LLAMA_SAMPLER_INIT_MIN_P.invokeExact(p, min_keep);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_sampler_init_typical(float p, long min_keep) {
        try {
            return (MemorySegment) LLAMA_SAMPLER_INIT_TYPICAL.invokeExact(p, min_keep);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_sampler_init_temp(float t) {
        try {
            return (MemorySegment) LLAMA_SAMPLER_INIT_TEMP.invokeExact(t);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_sampler_init_temp_ext(float t, float delta, float exponent) {
        try {
            return (MemorySegment) LLAMA_SAMPLER_INIT_TEMP_EXT.invokeExact(t, delta, exponent);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_sampler_init_mirostat(int n_vocab, int seed, float tau, float eta, int m) {
        try {
            return (MemorySegment) LLAMA_SAMPLER_INIT_MIROSTAT.invokeExact(n_vocab, seed, tau, eta, m);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_sampler_init_mirostat_v2(int seed, float tau, float eta) {
        try {
            return (MemorySegment) LLAMA_SAMPLER_INIT_MIROSTAT_V2.invokeExact(seed, tau, eta);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_sampler_init_grammar(MemorySegment vocab, MemorySegment grammar_str, MemorySegment grammar_root) {
        try {
            return (MemorySegment) LLAMA_SAMPLER_INIT_GRAMMAR.invokeExact(vocab, grammar_str, grammar_root);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_sampler_init_penalties(int n_vocab, int penalty_last_n, float penalty_repeat, float penalty_freq, float penalty_present) {
        try {
            return (MemorySegment) LLAMA_SAMPLER_INIT_PENALTIES.invokeExact(n_vocab, penalty_last_n, penalty_repeat, penalty_freq, penalty_present);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_sampler_init_logit_bias(int n_vocab, int n_logit_bias, MemorySegment logit_bias) {
        try {
            return (MemorySegment) LLAMA_SAMPLER_INIT_LOGIT_BIAS.invokeExact(n_vocab, n_logit_bias, logit_bias);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_perf_context(SegmentAllocator allocator, MemorySegment ctx) {
        try {
            return (MemorySegment) LLAMA_PERF_CONTEXT.invokeExact(allocator, ctx);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static void llama_perf_context_reset(MemorySegment ctx) {
        try {
            LLAMA_PERF_CONTEXT_RESET.invokeExact(ctx);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment llama_perf_sampler(SegmentAllocator allocator, MemorySegment chain) {
        try {
            return (MemorySegment) LLAMA_PERF_SAMPLER.invokeExact(allocator, chain);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static void llama_perf_sampler_reset(MemorySegment chain) {
        try {
            LLAMA_PERF_SAMPLER_RESET.invokeExact(chain);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }
}
