package dev.puna.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.invoke.MethodHandle;

/**
 * Downcalls into {@code libmtmd} (llama.cpp {@value NativeLibrary#LLAMA_CPP_RELEASE} tools/mtmd: mtmd.h and
 * mtmd-helper.h), the library that runs an image projector ("mmproj" GGUF, clip.cpp) and turns images into
 * embeddings a llama context decodes. Same conventions as {@link Llama}: one static method per C function,
 * named as in C, each handle linked once in this class's static initialiser; LayoutProbeTest checks every
 * descriptor and {@link MtmdLayouts} struct against the compiled headers.
 *
 * <p>The library is opened on first use of this class ({@link NativeLibrary#mtmdLookup()}), so text-only use
 * never loads it. Thread-safety (mtmd.h): an {@code mtmd_context} may tokenize and decode bitmaps from many
 * threads, but encoding ({@code mtmd_encode_chunk}, {@code mtmd_helper_eval_chunk_single}) is one call at a time
 * per context, and the last encode's output embeddings belong to the context until the next encode. Chunks belong
 * to their {@code mtmd_input_chunks}; bitmaps are owned by the caller and may be freed after {@code mtmd_tokenize}
 * (the chunks keep their own preprocessed copy). Internal to Puna: only {@code puna-runtime} may call this.
 */
public final class Mtmd {
    /** {@code MTMD_INPUT_CHUNK_TYPE_TEXT}. */
    public static final int CHUNK_TYPE_TEXT = 0;
    /** {@code MTMD_INPUT_CHUNK_TYPE_IMAGE}. */
    public static final int CHUNK_TYPE_IMAGE = 1;
    /** {@code MTMD_INPUT_CHUNK_TYPE_AUDIO}. */
    public static final int CHUNK_TYPE_AUDIO = 2;

    private Mtmd() {
    }

    /** Forces class initialisation (all handles linked). */
    static void ensureLinked() {
    }

    private static final MethodHandle MTMD_DEFAULT_MARKER = Native.mtmdDowncall("mtmd_default_marker", FunctionDescriptor.of(ADDRESS));
    private static final MethodHandle MTMD_CONTEXT_PARAMS_DEFAULT = Native.mtmdDowncall("mtmd_context_params_default", FunctionDescriptor.of(MtmdLayouts.MTMD_CONTEXT_PARAMS));
    private static final MethodHandle MTMD_INIT_FROM_FILE = Native.mtmdDowncall("mtmd_init_from_file", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, MtmdLayouts.MTMD_CONTEXT_PARAMS));
    private static final MethodHandle MTMD_FREE = Native.mtmdDowncall("mtmd_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle MTMD_SUPPORT_VISION = Native.mtmdDowncall("mtmd_support_vision", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
    private static final MethodHandle MTMD_DECODE_USE_MROPE = Native.mtmdDowncall("mtmd_decode_use_mrope", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
    private static final MethodHandle MTMD_BITMAP_INIT = Native.mtmdDowncall("mtmd_bitmap_init", FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle MTMD_BITMAP_GET_NX = Native.mtmdDowncall("mtmd_bitmap_get_nx", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle MTMD_BITMAP_GET_NY = Native.mtmdDowncall("mtmd_bitmap_get_ny", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle MTMD_BITMAP_FREE = Native.mtmdDowncall("mtmd_bitmap_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle MTMD_BITMAP_SET_ID = Native.mtmdDowncall("mtmd_bitmap_set_id", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
    private static final MethodHandle MTMD_INPUT_CHUNKS_INIT = Native.mtmdDowncall("mtmd_input_chunks_init", FunctionDescriptor.of(ADDRESS));
    private static final MethodHandle MTMD_INPUT_CHUNKS_SIZE = Native.mtmdDowncall("mtmd_input_chunks_size", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
    private static final MethodHandle MTMD_INPUT_CHUNKS_GET = Native.mtmdDowncall("mtmd_input_chunks_get", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle MTMD_INPUT_CHUNKS_FREE = Native.mtmdDowncall("mtmd_input_chunks_free", FunctionDescriptor.ofVoid(ADDRESS));
    private static final MethodHandle MTMD_INPUT_CHUNK_GET_TYPE = Native.mtmdDowncall("mtmd_input_chunk_get_type", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle MTMD_INPUT_CHUNK_GET_TOKENS_TEXT = Native.mtmdDowncall("mtmd_input_chunk_get_tokens_text", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle MTMD_INPUT_CHUNK_GET_N_TOKENS = Native.mtmdDowncall("mtmd_input_chunk_get_n_tokens", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
    private static final MethodHandle MTMD_INPUT_CHUNK_GET_ID = Native.mtmdDowncall("mtmd_input_chunk_get_id", FunctionDescriptor.of(ADDRESS, ADDRESS));
    private static final MethodHandle MTMD_INPUT_CHUNK_GET_N_POS = Native.mtmdDowncall("mtmd_input_chunk_get_n_pos", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle MTMD_TOKENIZE = Native.mtmdDowncall("mtmd_tokenize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle MTMD_ENCODE_CHUNK = Native.mtmdDowncall("mtmd_encode_chunk", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle MTMD_GET_OUTPUT_EMBD = Native.mtmdDowncall("mtmd_get_output_embd", FunctionDescriptor.of(ADDRESS, ADDRESS));
    private static final MethodHandle MTMD_HELPER_LOG_SET = Native.mtmdDowncall("mtmd_helper_log_set", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
    private static final MethodHandle MTMD_HELPER_INIT_OPT_DEFAULT = Native.mtmdDowncall("mtmd_helper_init_opt_default", FunctionDescriptor.of(MtmdLayouts.MTMD_HELPER_INIT_OPT));
    private static final MethodHandle MTMD_HELPER_BITMAP_INIT_FROM_BUF = Native.mtmdDowncall("mtmd_helper_bitmap_init_from_buf", FunctionDescriptor.of(MtmdLayouts.MTMD_HELPER_BITMAP_WRAPPER, ADDRESS, ADDRESS, JAVA_LONG, JAVA_BOOLEAN, MtmdLayouts.MTMD_HELPER_INIT_OPT));
    private static final MethodHandle MTMD_HELPER_GET_N_TOKENS = Native.mtmdDowncall("mtmd_helper_get_n_tokens", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
    private static final MethodHandle MTMD_HELPER_GET_N_POS = Native.mtmdDowncall("mtmd_helper_get_n_pos", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle MTMD_HELPER_EVAL_CHUNK_SINGLE = Native.mtmdDowncall("mtmd_helper_eval_chunk_single", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_BOOLEAN, ADDRESS));

    public static MemorySegment mtmd_default_marker() {
        try {
            return (MemorySegment) MTMD_DEFAULT_MARKER.invokeExact();
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment mtmd_context_params_default(SegmentAllocator allocator) {
        try {
            return (MemorySegment) MTMD_CONTEXT_PARAMS_DEFAULT.invokeExact(allocator);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /** Returns NULL on failure; the reason is in the log. */
    public static MemorySegment mtmd_init_from_file(MemorySegment mmproj_fname, MemorySegment text_model, MemorySegment ctx_params) {
        try {
            return (MemorySegment) MTMD_INIT_FROM_FILE.invokeExact(mmproj_fname, text_model, ctx_params);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static void mtmd_free(MemorySegment ctx) {
        try {
            MTMD_FREE.invokeExact(ctx);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static boolean mtmd_support_vision(MemorySegment ctx) {
        try {
            return (boolean) MTMD_SUPPORT_VISION.invokeExact(ctx);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static boolean mtmd_decode_use_mrope(MemorySegment ctx) {
        try {
            return (boolean) MTMD_DECODE_USE_MROPE.invokeExact(ctx);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /** {@code data} is {@code nx * ny * 3} bytes of RGB, copied. */
    public static MemorySegment mtmd_bitmap_init(int nx, int ny, MemorySegment data) {
        try {
            return (MemorySegment) MTMD_BITMAP_INIT.invokeExact(nx, ny, data);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int mtmd_bitmap_get_nx(MemorySegment bitmap) {
        try {
            return (int) MTMD_BITMAP_GET_NX.invokeExact(bitmap);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int mtmd_bitmap_get_ny(MemorySegment bitmap) {
        try {
            return (int) MTMD_BITMAP_GET_NY.invokeExact(bitmap);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static void mtmd_bitmap_free(MemorySegment bitmap) {
        try {
            MTMD_BITMAP_FREE.invokeExact(bitmap);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /** The id string is copied. */
    public static void mtmd_bitmap_set_id(MemorySegment bitmap, MemorySegment id) {
        try {
            MTMD_BITMAP_SET_ID.invokeExact(bitmap, id);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment mtmd_input_chunks_init() {
        try {
            return (MemorySegment) MTMD_INPUT_CHUNKS_INIT.invokeExact();
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static long mtmd_input_chunks_size(MemorySegment chunks) {
        try {
            return (long) MTMD_INPUT_CHUNKS_SIZE.invokeExact(chunks);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /** The chunk belongs to {@code chunks} and is freed with it. */
    public static MemorySegment mtmd_input_chunks_get(MemorySegment chunks, long idx) {
        try {
            return (MemorySegment) MTMD_INPUT_CHUNKS_GET.invokeExact(chunks, idx);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static void mtmd_input_chunks_free(MemorySegment chunks) {
        try {
            MTMD_INPUT_CHUNKS_FREE.invokeExact(chunks);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /** {@code mtmd_input_chunk_type}: 0 text, 1 image, 2 audio. */
    public static int mtmd_input_chunk_get_type(MemorySegment chunk) {
        try {
            return (int) MTMD_INPUT_CHUNK_GET_TYPE.invokeExact(chunk);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment mtmd_input_chunk_get_tokens_text(MemorySegment chunk, MemorySegment n_tokens_output) {
        try {
            return (MemorySegment) MTMD_INPUT_CHUNK_GET_TOKENS_TEXT.invokeExact(chunk, n_tokens_output);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static long mtmd_input_chunk_get_n_tokens(MemorySegment chunk) {
        try {
            return (long) MTMD_INPUT_CHUNK_GET_N_TOKENS.invokeExact(chunk);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /** NULL for a text chunk. */
    public static MemorySegment mtmd_input_chunk_get_id(MemorySegment chunk) {
        try {
            return (MemorySegment) MTMD_INPUT_CHUNK_GET_ID.invokeExact(chunk);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int mtmd_input_chunk_get_n_pos(MemorySegment chunk) {
        try {
            return (int) MTMD_INPUT_CHUNK_GET_N_POS.invokeExact(chunk);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /** 0 on success, 1 when the number of bitmaps does not match the markers, 2 on an image preprocessing error. Thread-safe. */
    public static int mtmd_tokenize(MemorySegment ctx, MemorySegment output, MemorySegment text, MemorySegment bitmaps, long n_bitmaps) {
        try {
            return (int) MTMD_TOKENIZE.invokeExact(ctx, output, text, bitmaps, n_bitmaps);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /** 0 on success. Not thread-safe (one encode per context at a time). */
    public static int mtmd_encode_chunk(MemorySegment ctx, MemorySegment chunk) {
        try {
            return (int) MTMD_ENCODE_CHUNK.invokeExact(ctx, chunk);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /** The last encode's {@code n_embd_inp * n_tokens} floats, owned by the context. */
    public static MemorySegment mtmd_get_output_embd(MemorySegment ctx) {
        try {
            return (MemorySegment) MTMD_GET_OUTPUT_EMBD.invokeExact(ctx);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /** Global: routes mtmd's and the helpers' logging (also calls mtmd_log_set). */
    public static void mtmd_helper_log_set(MemorySegment log_callback, MemorySegment user_data) {
        try {
            MTMD_HELPER_LOG_SET.invokeExact(log_callback, user_data);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static MemorySegment mtmd_helper_init_opt_default(SegmentAllocator allocator) {
        try {
            return (MemorySegment) MTMD_HELPER_INIT_OPT_DEFAULT.invokeExact(allocator);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /** Decodes an image file (stb_image: PNG, JPEG, GIF first frame, BMP...) or audio; the bitmap's id is the SHA-256 of the bytes. Its {@code bitmap} is NULL on failure. Thread-safe. */
    public static MemorySegment mtmd_helper_bitmap_init_from_buf(SegmentAllocator allocator, MemorySegment ctx, MemorySegment buf, long len, boolean placeholder, MemorySegment opt) {
        try {
            return (MemorySegment) MTMD_HELPER_BITMAP_INIT_FROM_BUF.invokeExact(allocator, ctx, buf, len, placeholder, opt);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static long mtmd_helper_get_n_tokens(MemorySegment chunks) {
        try {
            return (long) MTMD_HELPER_GET_N_TOKENS.invokeExact(chunks);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    public static int mtmd_helper_get_n_pos(MemorySegment chunks) {
        try {
            return (int) MTMD_HELPER_GET_N_POS.invokeExact(chunks);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }

    /** Decodes a text chunk, or encodes an image chunk and decodes its embeddings, into {@code lctx} at {@code n_past} of {@code seq_id}; writes the next position to {@code new_n_past}. 0 on success, else the failing call's code. Not thread-safe. */
    public static int mtmd_helper_eval_chunk_single(MemorySegment ctx, MemorySegment lctx, MemorySegment chunk, int n_past, int seq_id, int n_batch, boolean logits_last, MemorySegment new_n_past) {
        try {
            return (int) MTMD_HELPER_EVAL_CHUNK_SINGLE.invokeExact(ctx, lctx, chunk, n_past, seq_id, n_batch, logits_last, new_n_past);
        } catch (Throwable e) {
            throw Native.rethrow(e);
        }
    }
}
