// Prints the ABI facts of the llama.h, ggml-backend.h (the device registry), mtmd.h and mtmd-helper.h that Puna's bindings are written against, one
// record per line:
//   struct <name> <sizeof> <alignof>
//   field <struct> <field> <offsetof> <sizeof>
//   func <name> <return-kind> <param-kind>...
// Kinds are ABI classes: void, bool, int8/16/32/64 (signedness does not change the calling convention; enums
// report their underlying type), float, double, ptr, struct<sizeof> for by-value structs.
// bindings' LayoutProbeTest runs this binary and compares every Java StructLayout and FunctionDescriptor with
// it, so a llama.cpp bump that moves a field or changes a signature fails the build loudly.
// Every struct and function the bindings use must be listed here; the test rejects bindings the probe misses.
#include "ggml-backend.h"
#include "llama.h"
#include "mtmd.h"
#include "mtmd-helper.h"
#include "ggml-rpc.h"

#include <cstddef>
#include <cstdio>
#include <string>
#include <type_traits>

namespace {

template <class T> std::string kind() {
    if constexpr (std::is_void_v<T>) {
        return "void";
    } else if constexpr (std::is_same_v<T, bool>) {
        return "bool";
    } else if constexpr (std::is_pointer_v<T>) {
        return "ptr";
    } else if constexpr (std::is_enum_v<T> || std::is_integral_v<T>) {
        return "int" + std::to_string(8 * sizeof(T));
    } else if constexpr (std::is_same_v<T, float>) {
        return "float";
    } else if constexpr (std::is_same_v<T, double>) {
        return "double";
    } else {
        static_assert(std::is_class_v<T>, "unexpected parameter type");
        return "struct" + std::to_string(sizeof(T));
    }
}

template <class R, class... A> void func(const char * name, R (*)(A...)) {
    std::printf("func %s %s", name, kind<R>().c_str());
    ((std::printf(" %s", kind<A>().c_str())), ...);
    std::printf("\n");
}

} // namespace

#define STRUCT(s) std::printf("struct %s %zu %zu\n", #s, sizeof(s), alignof(s))
#define FIELD(s, f) std::printf("field %s %s %zu %zu\n", #s, #f, offsetof(s, f), sizeof(((s *) nullptr)->f))
#define FUNC(f) func(#f, &f)
#define CONST(c) std::printf("const %s %lld\n", #c, (long long) (c))

int main() {
    STRUCT(llama_model_params);
    FIELD(llama_model_params, devices);
    FIELD(llama_model_params, tensor_buft_overrides);
    FIELD(llama_model_params, n_gpu_layers);
    FIELD(llama_model_params, split_mode);
    FIELD(llama_model_params, load_mode);
    FIELD(llama_model_params, lazy_mode);
    FIELD(llama_model_params, main_gpu);
    FIELD(llama_model_params, tensor_split);
    FIELD(llama_model_params, progress_callback);
    FIELD(llama_model_params, progress_callback_user_data);
    FIELD(llama_model_params, kv_overrides);
    FIELD(llama_model_params, vocab_only);
    FIELD(llama_model_params, check_tensors);
    FIELD(llama_model_params, use_extra_bufts);
    FIELD(llama_model_params, no_host);
    FIELD(llama_model_params, no_alloc);
    FIELD(llama_model_params, load_mtp);

    STRUCT(llama_model_tensor_buft_override);
    FIELD(llama_model_tensor_buft_override, pattern);
    FIELD(llama_model_tensor_buft_override, buft);

    STRUCT(llama_context_params);
    FIELD(llama_context_params, n_ctx);
    FIELD(llama_context_params, n_batch);
    FIELD(llama_context_params, n_ubatch);
    FIELD(llama_context_params, n_seq_max);
    FIELD(llama_context_params, n_rs_seq);
    FIELD(llama_context_params, n_outputs_max);
    FIELD(llama_context_params, n_outputs_max_per_seq);
    FIELD(llama_context_params, n_threads);
    FIELD(llama_context_params, n_threads_batch);
    FIELD(llama_context_params, ctx_type);
    FIELD(llama_context_params, rope_scaling_type);
    FIELD(llama_context_params, pooling_type);
    FIELD(llama_context_params, attention_type);
    FIELD(llama_context_params, flash_attn_type);
    FIELD(llama_context_params, rope_freq_base);
    FIELD(llama_context_params, rope_freq_scale);
    FIELD(llama_context_params, yarn_ext_factor);
    FIELD(llama_context_params, yarn_attn_factor);
    FIELD(llama_context_params, yarn_beta_fast);
    FIELD(llama_context_params, yarn_beta_slow);
    FIELD(llama_context_params, yarn_orig_ctx);
    FIELD(llama_context_params, defrag_thold);
    FIELD(llama_context_params, cb_eval);
    FIELD(llama_context_params, cb_eval_user_data);
    FIELD(llama_context_params, type_k);
    FIELD(llama_context_params, type_v);
    FIELD(llama_context_params, abort_callback);
    FIELD(llama_context_params, abort_callback_data);
    FIELD(llama_context_params, embeddings);
    FIELD(llama_context_params, offload_kqv);
    FIELD(llama_context_params, no_perf);
    FIELD(llama_context_params, op_offload);
    FIELD(llama_context_params, swa_full);
    FIELD(llama_context_params, kv_unified);
    FIELD(llama_context_params, samplers);
    FIELD(llama_context_params, n_samplers);
    FIELD(llama_context_params, ctx_other);

    STRUCT(llama_batch);
    FIELD(llama_batch, n_tokens);
    FIELD(llama_batch, token);
    FIELD(llama_batch, embd);
    FIELD(llama_batch, pos);
    FIELD(llama_batch, n_seq_id);
    FIELD(llama_batch, seq_id);
    FIELD(llama_batch, logits);

    STRUCT(llama_token_data);
    FIELD(llama_token_data, id);
    FIELD(llama_token_data, logit);
    FIELD(llama_token_data, p);

    STRUCT(llama_token_data_array);
    FIELD(llama_token_data_array, data);
    FIELD(llama_token_data_array, size);
    FIELD(llama_token_data_array, selected);
    FIELD(llama_token_data_array, sorted);

    STRUCT(llama_logit_bias);
    FIELD(llama_logit_bias, token);
    FIELD(llama_logit_bias, bias);

    STRUCT(llama_sampler_chain_params);
    FIELD(llama_sampler_chain_params, no_perf);

    STRUCT(llama_chat_message);
    FIELD(llama_chat_message, role);
    FIELD(llama_chat_message, content);

    STRUCT(llama_perf_context_data);
    FIELD(llama_perf_context_data, t_start_ms);
    FIELD(llama_perf_context_data, t_load_ms);
    FIELD(llama_perf_context_data, t_p_eval_ms);
    FIELD(llama_perf_context_data, t_eval_ms);
    FIELD(llama_perf_context_data, n_p_eval);
    FIELD(llama_perf_context_data, n_eval);
    FIELD(llama_perf_context_data, n_reused);

    STRUCT(llama_perf_sampler_data);
    FIELD(llama_perf_sampler_data, t_sample_ms);
    FIELD(llama_perf_sampler_data, n_sample);
    STRUCT(llama_model_quantize_params);
    FIELD(llama_model_quantize_params, nthread);
    FIELD(llama_model_quantize_params, ftype);
    FIELD(llama_model_quantize_params, output_tensor_type);
    FIELD(llama_model_quantize_params, token_embedding_type);
    FIELD(llama_model_quantize_params, allow_requantize);
    FIELD(llama_model_quantize_params, quantize_output_tensor);
    FIELD(llama_model_quantize_params, only_copy);
    FIELD(llama_model_quantize_params, pure);
    FIELD(llama_model_quantize_params, keep_split);
    FIELD(llama_model_quantize_params, dry_run);
    FIELD(llama_model_quantize_params, imatrix);
    FIELD(llama_model_quantize_params, kv_overrides);
    FIELD(llama_model_quantize_params, tt_overrides);
    FIELD(llama_model_quantize_params, prune_layers);
    FIELD(llama_model_quantize_params, max_buf_size);

    // backend and library
    FUNC(llama_backend_init);
    FUNC(llama_backend_free);
    FUNC(llama_version);
    FUNC(llama_print_system_info);
    FUNC(llama_log_set);
    FUNC(llama_time_us);
    FUNC(llama_max_devices);
    FUNC(llama_max_parallel_sequences);
    FUNC(llama_supports_mmap);
    FUNC(llama_supports_mlock);
    FUNC(llama_supports_gpu_offload);
    FUNC(llama_model_default_params);
    FUNC(llama_context_default_params);
    FUNC(llama_sampler_chain_default_params);

    // model
    FUNC(llama_model_load_from_file);
    FUNC(llama_model_free);
    FUNC(llama_model_get_vocab);
    FUNC(llama_model_n_ctx_train);
    FUNC(llama_model_n_embd);
    FUNC(llama_model_n_embd_inp);
    FUNC(llama_model_n_cls_out);
    FUNC(llama_model_n_layer);
    FUNC(llama_model_n_swa);
    FUNC(llama_model_n_head);
    FUNC(llama_model_n_head_kv);
    FUNC(llama_model_meta_val_str);
    FUNC(llama_model_meta_count);
    FUNC(llama_model_meta_key_by_index);
    FUNC(llama_model_meta_val_str_by_index);
    FUNC(llama_model_desc);
    FUNC(llama_model_ftype);
    FUNC(llama_ftype_name);
    FUNC(llama_model_size);
    FUNC(llama_model_chat_template);
    FUNC(llama_model_n_params);
    FUNC(llama_model_quantize_default_params);
    FUNC(llama_model_quantize);
    FUNC(llama_model_has_encoder);
    FUNC(llama_model_has_decoder);
    FUNC(llama_model_is_recurrent);
    FUNC(llama_model_is_hybrid);

    // context
    FUNC(llama_init_from_model);
    FUNC(llama_free);
    FUNC(llama_n_ctx);
    FUNC(llama_n_ctx_seq);
    FUNC(llama_n_batch);
    FUNC(llama_n_ubatch);
    FUNC(llama_n_seq_max);
    FUNC(llama_get_memory);
    FUNC(llama_pooling_type);
    FUNC(llama_set_n_threads);
    FUNC(llama_n_threads);
    FUNC(llama_set_embeddings);
    FUNC(llama_set_causal_attn);
    FUNC(llama_adapter_lora_init);
    FUNC(llama_adapter_lora_free);
    FUNC(llama_adapter_meta_val_str);
    FUNC(llama_set_adapters_lora);
    FUNC(llama_set_abort_callback);
    FUNC(llama_synchronize);

    // memory (KV cache)
    FUNC(llama_memory_clear);
    FUNC(llama_memory_seq_rm);
    FUNC(llama_memory_seq_cp);
    FUNC(llama_memory_seq_keep);
    FUNC(llama_memory_seq_add);
    FUNC(llama_memory_seq_pos_min);
    FUNC(llama_memory_seq_pos_max);
    FUNC(llama_memory_can_shift);

    // state
    FUNC(llama_state_get_size);
    FUNC(llama_state_get_data);
    FUNC(llama_state_set_data);
    FUNC(llama_state_seq_get_size);
    FUNC(llama_state_seq_get_data);
    FUNC(llama_state_seq_set_data);
    FUNC(llama_state_seq_get_size_ext);
    FUNC(llama_state_seq_get_data_ext);
    FUNC(llama_state_seq_set_data_ext);
    CONST(LLAMA_STATE_SEQ_FLAGS_PARTIAL_ONLY);
    FUNC(llama_state_save_file);
    FUNC(llama_state_load_file);

    // batch and decoding
    FUNC(llama_batch_init);
    FUNC(llama_batch_free);
    FUNC(llama_decode);
    FUNC(llama_encode);
    FUNC(llama_get_logits_ith);
    FUNC(llama_get_embeddings_ith);
    FUNC(llama_get_embeddings_seq);

    // vocab
    FUNC(llama_vocab_type);
    FUNC(llama_vocab_n_tokens);
    FUNC(llama_vocab_get_text);
    FUNC(llama_vocab_get_score);
    FUNC(llama_vocab_get_attr);
    FUNC(llama_vocab_is_eog);
    FUNC(llama_vocab_is_control);
    FUNC(llama_vocab_bos);
    FUNC(llama_vocab_eos);
    FUNC(llama_vocab_eot);
    FUNC(llama_vocab_sep);
    FUNC(llama_vocab_nl);
    FUNC(llama_vocab_pad);
    FUNC(llama_vocab_get_add_bos);
    FUNC(llama_vocab_get_add_eos);
    FUNC(llama_vocab_get_add_sep);
    FUNC(llama_vocab_fim_pre);
    FUNC(llama_vocab_fim_suf);
    FUNC(llama_vocab_fim_mid);
    FUNC(llama_vocab_fim_pad);
    FUNC(llama_vocab_fim_rep);
    FUNC(llama_vocab_fim_sep);

    // tokenization
    FUNC(llama_tokenize);
    FUNC(llama_token_to_piece);
    FUNC(llama_detokenize);

    // chat templates
    FUNC(llama_chat_apply_template);
    FUNC(llama_chat_builtin_templates);

    // samplers
    FUNC(llama_sampler_chain_init);
    FUNC(llama_sampler_chain_add);
    FUNC(llama_sampler_chain_n);
    FUNC(llama_sampler_free);
    FUNC(llama_sampler_name);
    FUNC(llama_sampler_sample);
    FUNC(llama_sampler_accept);
    FUNC(llama_sampler_apply);
    FUNC(llama_sampler_reset);
    FUNC(llama_sampler_get_seed);
    FUNC(llama_sampler_init_greedy);
    FUNC(llama_sampler_init_dist);
    FUNC(llama_sampler_init_top_k);
    FUNC(llama_sampler_init_top_p);
    FUNC(llama_sampler_init_min_p);
    FUNC(llama_sampler_init_typical);
    FUNC(llama_sampler_init_temp);
    FUNC(llama_sampler_init_temp_ext);
    FUNC(llama_sampler_init_mirostat);
    FUNC(llama_sampler_init_mirostat_v2);
    FUNC(llama_sampler_init_grammar);
    FUNC(llama_sampler_init_penalties);
    FUNC(llama_sampler_init_logit_bias);

    // performance counters
    FUNC(llama_perf_context);
    FUNC(llama_perf_context_reset);
    FUNC(llama_perf_sampler);
    FUNC(llama_perf_sampler_reset);

    // ggml-backend.h device registry, bound by dev.puna.bindings.GgmlDevices
    FUNC(ggml_backend_dev_count);
    FUNC(ggml_backend_dev_get);
    FUNC(ggml_backend_dev_name);
    FUNC(ggml_backend_dev_description);
    FUNC(ggml_backend_dev_type);
    FUNC(ggml_backend_dev_memory);
    FUNC(ggml_backend_dev_buffer_type);
    FUNC(ggml_backend_buft_name);
    // libmtmd (tools/mtmd): the multimodal projector, bound by dev.puna.bindings.Mtmd
    STRUCT(mtmd_context_params);
    FIELD(mtmd_context_params, use_gpu);
    FIELD(mtmd_context_params, device);
    FIELD(mtmd_context_params, print_timings);
    FIELD(mtmd_context_params, n_threads);
    FIELD(mtmd_context_params, image_marker);
    FIELD(mtmd_context_params, media_marker);
    FIELD(mtmd_context_params, flash_attn_type);
    FIELD(mtmd_context_params, warmup);
    FIELD(mtmd_context_params, image_min_tokens);
    FIELD(mtmd_context_params, image_max_tokens);
    FIELD(mtmd_context_params, cb_eval);
    FIELD(mtmd_context_params, cb_eval_user_data);
    FIELD(mtmd_context_params, batch_max_tokens);
    FIELD(mtmd_context_params, progress_callback);
    FIELD(mtmd_context_params, progress_callback_user_data);

    STRUCT(mtmd_input_text);
    FIELD(mtmd_input_text, text);
    FIELD(mtmd_input_text, text_len);
    FIELD(mtmd_input_text, add_special);
    FIELD(mtmd_input_text, parse_special);

    STRUCT(mtmd_helper_video_init_params);
    FIELD(mtmd_helper_video_init_params, fps_target);
    FIELD(mtmd_helper_video_init_params, ffmpeg_bin_dir);
    FIELD(mtmd_helper_video_init_params, timestamp_interval_ms);

    STRUCT(mtmd_helper_init_opt);
    FIELD(mtmd_helper_init_opt, video_params);

    STRUCT(mtmd_helper_bitmap_wrapper);
    FIELD(mtmd_helper_bitmap_wrapper, bitmap);
    FIELD(mtmd_helper_bitmap_wrapper, video_ctx);

    FUNC(mtmd_default_marker);
    FUNC(mtmd_context_params_default);
    FUNC(mtmd_init_from_file);
    FUNC(mtmd_free);
    FUNC(mtmd_support_vision);
    FUNC(mtmd_decode_use_mrope);
    FUNC(mtmd_bitmap_init);
    FUNC(mtmd_bitmap_get_nx);
    FUNC(mtmd_bitmap_get_ny);
    FUNC(mtmd_bitmap_free);
    FUNC(mtmd_bitmap_set_id);
    FUNC(mtmd_input_chunks_init);
    FUNC(mtmd_input_chunks_size);
    FUNC(mtmd_input_chunks_get);
    FUNC(mtmd_input_chunks_free);
    FUNC(mtmd_input_chunk_get_type);
    FUNC(mtmd_input_chunk_get_tokens_text);
    FUNC(mtmd_input_chunk_get_n_tokens);
    FUNC(mtmd_input_chunk_get_id);
    FUNC(mtmd_input_chunk_get_n_pos);
    FUNC(mtmd_tokenize);
    FUNC(mtmd_encode_chunk);
    FUNC(mtmd_get_output_embd);
    FUNC(mtmd_helper_log_set);

    // RPC backend (GgmlRpc)
    FUNC(llama_supports_rpc);
    FUNC(ggml_backend_rpc_add_server);
    FUNC(ggml_backend_reg_dev_count);
    FUNC(ggml_backend_reg_dev_get);
    FUNC(ggml_set_abort_callback);
    FUNC(mtmd_helper_init_opt_default);
    FUNC(mtmd_helper_bitmap_init_from_buf);
    FUNC(mtmd_helper_get_n_tokens);
    FUNC(mtmd_helper_get_n_pos);
    FUNC(mtmd_helper_eval_chunk_single);
    return 0;
}
