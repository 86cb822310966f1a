package dev.puna.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.StructLayout;
import java.util.List;

/**
 * Memory layouts of the mtmd.h / mtmd-helper.h structs Puna passes across the boundary, member names exactly as
 * in C; LayoutProbeTest checks them against the compiled headers like {@link LlamaLayouts}.
 */
public final class MtmdLayouts {
    private MtmdLayouts() {
    }

    public static final StructLayout MTMD_CONTEXT_PARAMS = Structs.struct("mtmd_context_params",
            JAVA_BOOLEAN.withName("use_gpu"),
            ADDRESS.withName("device"),
            JAVA_BOOLEAN.withName("print_timings"),
            JAVA_INT.withName("n_threads"),
            ADDRESS.withName("image_marker"),
            ADDRESS.withName("media_marker"),
            JAVA_INT.withName("flash_attn_type"),
            JAVA_BOOLEAN.withName("warmup"),
            JAVA_INT.withName("image_min_tokens"),
            JAVA_INT.withName("image_max_tokens"),
            ADDRESS.withName("cb_eval"),
            ADDRESS.withName("cb_eval_user_data"),
            JAVA_INT.withName("batch_max_tokens"),
            ADDRESS.withName("progress_callback"),
            ADDRESS.withName("progress_callback_user_data"));

    public static final StructLayout MTMD_INPUT_TEXT = Structs.struct("mtmd_input_text",
            ADDRESS.withName("text"),
            JAVA_LONG.withName("text_len"),
            JAVA_BOOLEAN.withName("add_special"),
            JAVA_BOOLEAN.withName("parse_special"));

    public static final StructLayout MTMD_HELPER_VIDEO_INIT_PARAMS = Structs.struct("mtmd_helper_video_init_params",
            JAVA_FLOAT.withName("fps_target"),
            ADDRESS.withName("ffmpeg_bin_dir"),
            JAVA_LONG.withName("timestamp_interval_ms"));

    /** Passed by value to {@code mtmd_helper_bitmap_init_from_buf}; only its video options, unused for images. */
    public static final StructLayout MTMD_HELPER_INIT_OPT = Structs.struct("mtmd_helper_init_opt",
            MTMD_HELPER_VIDEO_INIT_PARAMS.withName("video_params"));

    /** Returned by value from {@code mtmd_helper_bitmap_init_from_buf}. */
    public static final StructLayout MTMD_HELPER_BITMAP_WRAPPER = Structs.struct("mtmd_helper_bitmap_wrapper",
            ADDRESS.withName("bitmap"),
            ADDRESS.withName("video_ctx"));

    /** Every struct layout above, for the ABI tests. */
    public static List<StructLayout> all() {
        return List.of(MTMD_CONTEXT_PARAMS, MTMD_INPUT_TEXT, MTMD_HELPER_VIDEO_INIT_PARAMS, MTMD_HELPER_INIT_OPT,
                MTMD_HELPER_BITMAP_WRAPPER);
    }
}
