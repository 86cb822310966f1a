package dev.puna.runtime.vision;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.puna.bindings.Callbacks;
import dev.puna.bindings.Llama;
import dev.puna.bindings.LlamaLayouts;
import dev.puna.bindings.Mtmd;
import dev.puna.bindings.MtmdLayouts;
import dev.puna.bindings.Native;
import dev.puna.gguf.GgufFile;
import dev.puna.gguf.GgufFormatException;
import dev.puna.runtime.InvalidModelFileException;
import dev.puna.runtime.Model;
import dev.puna.runtime.ModelLoadException;
import dev.puna.runtime.NativeException;
import dev.puna.runtime.UnsupportedModelException;
import dev.puna.runtime.internal.Backend;
import dev.puna.runtime.internal.ModelHandles;
import dev.puna.runtime.internal.NativeStats;
import dev.puna.runtime.internal.ResourceGuard;
import dev.puna.runtime.vision.internal.VisionInternals;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An image projector ("mmproj" GGUF, {@code general.architecture = clip}) loaded for one text {@link Model}: the
 * owner of one llama.cpp {@code mtmd_context}. It turns a prompt with images into a {@link VisionPrompt} of text
 * tokens and image chunks ({@link #tokenize}), and an image chunk into the embeddings the text model decodes
 * ({@link #encode}; the engine decodes them straight into its context through {@link VisionInternals}).
 *
 * <p><b>Ownership.</b> One owner, which {@link #close()}s it; the native context is freed once, when it is closed
 * and no call is using it. The projector borrows its model for its whole life (as a session does: closing the model
 * first is safe, it is freed after the projector). After {@code close()} every method throws
 * {@link dev.puna.runtime.ResourceClosedException}.
 *
 * <p><b>Images in the prompt.</b> Each image goes where {@link #marker()} appears in the text, in order. The marker
 * is random per projector, so text a user typed can never be taken for an image slot.
 *
 * <p><b>Threads.</b> {@link #tokenize} may run on many threads at once (mtmd's tokenizer is thread-safe); encoding
 * is one image at a time per projector (mtmd keeps the last output in the context), so {@link #encode} and the
 * engine's evaluation take a lock.
 */
public final class Projector implements AutoCloseable {
    static {
        VisionInternals.install(Projector::evaluate);
    }

    private static volatile boolean mtmdLogRouted;

    private final Model model;
    private final Path path;
    private final MemorySegment context;
    private final ResourceGuard guard;
    private final String marker;
    private final int embeddingLength;
    private final ReentrantLock encodeLock = new ReentrantLock();

    private Projector(Model model, Path path, MemorySegment context, String marker, int embeddingLength) {
        this.model = model;
        this.path = path;
        this.context = context;
        this.marker = marker;
        this.embeddingLength = embeddingLength;
        this.guard = new ResourceGuard("projector " + path, () -> {
            Mtmd.mtmd_free(context);
            NativeStats.PROJECTORS.decrementAndGet();
            ModelHandles.get().release(model);
        });
    }

    /** Loads {@code path} for {@code model} with default {@link ProjectorParams}. */
    public static Projector load(Model model, Path path) {
        return load(model, path, ProjectorParams.defaults());
    }

    /**
     * Loads an image projector for {@code model}. The file is checked in Java first (a GGUF whose architecture is
     * {@code clip} and which has a vision encoder); llama.cpp then checks that its output width is the model's
     * embedding length.
     *
     * @throws ModelLoadException naming the file: missing, not GGUF, not a projector, or refused by llama.cpp (its
     *     reason included, e.g. a projector made for a model of another embedding length)
     * @throws UnsupportedModelException for a projector without a vision encoder (audio only)
     * @throws dev.puna.runtime.ResourceClosedException if {@code model} is closed
     */
    public static Projector load(Model model, Path path, ProjectorParams params) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(params, "params");
        ModelHandles.Accessor models = ModelHandles.get();
        if (models.vocabOnly(model)) {
            // llama.cpp aborts the process reading a vocab-only model's hyperparameters, which mtmd does.
            throw new IllegalStateException("model " + model.info().path() + " was loaded with vocabOnly: it cannot "
                    + "take a projector");
        }
        checkHeader(path);
        Backend.ensureInitialised();
        routeMtmdLog();
        models.acquire(model);
        boolean loaded = false;
        try {
            MemorySegment textModel = models.handle(model);
            String marker = "<__puna_image_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(8)) + "__>";
            MemorySegment ctx;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment cp = Mtmd.mtmd_context_params_default(arena);
                LlamaLayouts.field(MtmdLayouts.MTMD_CONTEXT_PARAMS, "use_gpu").set(cp, params.gpu());
                LlamaLayouts.field(MtmdLayouts.MTMD_CONTEXT_PARAMS, "n_threads").set(cp, params.threads());
                LlamaLayouts.field(MtmdLayouts.MTMD_CONTEXT_PARAMS, "warmup").set(cp, params.warmup());
                LlamaLayouts.field(MtmdLayouts.MTMD_CONTEXT_PARAMS, "print_timings").set(cp, false);
                // mtmd copies the marker into the context, so the arena may go after the call.
                LlamaLayouts.field(MtmdLayouts.MTMD_CONTEXT_PARAMS, "media_marker").set(cp, arena.allocateFrom(marker));
                Backend.clearLastError();
                ctx = Mtmd.mtmd_init_from_file(arena.allocateFrom(path.toString()), textModel, cp);
            }
            if (ctx.equals(MemorySegment.NULL)) {
                String why = Backend.lastError();
                throw new ModelLoadException(path, "llama.cpp could not load the projector"
                        + (why.isEmpty() ? "" : ": " + why.replaceAll("\\s+", " ")));
            }
            NativeStats.PROJECTORS.incrementAndGet();
            if (!Mtmd.mtmd_support_vision(ctx)) {
                Mtmd.mtmd_free(ctx);
                NativeStats.PROJECTORS.decrementAndGet();
                throw new UnsupportedModelException(path, "the projector has no vision encoder");
            }
            Projector projector = new Projector(model, path, ctx, marker, Llama.llama_model_n_embd_inp(textModel));
            loaded = true;
            return projector;
        } finally {
            if (!loaded) {
                models.release(model);
            }
        }
    }

    private static void checkHeader(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new ModelLoadException(path, Files.exists(path) ? "is not a regular file" : "no such file");
        }
        GgufFile gguf;
        try {
            gguf = GgufFile.read(path);
        } catch (GgufFormatException e) {
            throw new InvalidModelFileException(path, e.problem(), e);
        } catch (IOException e) {
            throw new ModelLoadException(path, "cannot read: " + e.getMessage(), e);
        }
        String arch = gguf.architecture().orElse("");
        if (!arch.equals("clip")) {
            throw new ModelLoadException(path, "not an image projector: general.architecture is '" + arch
                    + "', a projector's is 'clip'");
        }
        if (!gguf.getBoolean("clip.has_vision_encoder").orElse(false)) {
            throw new UnsupportedModelException(path, "the projector has no vision encoder (clip.has_vision_encoder)");
        }
    }

    private static void routeMtmdLog() {
        if (!mtmdLogRouted) {
            synchronized (Projector.class) {
                if (!mtmdLogRouted) {
                    Callbacks.installMtmdLogSink();
                    mtmdLogRouted = true;
                }
            }
        }
    }

    /** The projector file. */
    public Path path() {
        return path;
    }

    /** The text model this projector feeds. */
    public Model model() {
        return model;
    }

    /** The text that marks where each image goes in a prompt given to {@link #tokenize}. */
    public String marker() {
        return marker;
    }

    /** The width of one image embedding: the text model's input embedding length. */
    public int embeddingLength() {
        return embeddingLength;
    }

    /**
     * Tokenizes {@code text}, with {@code images[i]} in place of the i-th {@link #marker()}: text runs become the
     * text model's tokens, each image is decoded (PNG, JPEG, GIF by llama.cpp's stb_image; WebP in Java) and
     * preprocessed for the projector (resized to its input size). The caller owns and closes the result.
     *
     * @param addSpecial add BOS/EOS as the model's tokenizer config says (to the prompt, not to each text run)
     * @param parseSpecial turn special-token text into its token
     * @throws InvalidImageException naming the image (0-based) whose data cannot be decoded
     * @throws IllegalArgumentException if the text does not have exactly one marker per image
     */
    public VisionPrompt tokenize(String text, List<Image> images, boolean addSpecial, boolean parseSpecial) {
        Objects.requireNonNull(text, "text");
        List<Image> imgs = List.copyOf(images);
        int markers = countMarkers(text);
        if (markers != imgs.size()) {
            throw new IllegalArgumentException("the prompt has " + markers + " image markers for " + imgs.size()
                    + " images");
        }
        guard.acquire();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bitmaps = arena.allocate(ADDRESS, Math.max(1, imgs.size()));
            try {
                for (int i = 0; i < imgs.size(); i++) {
                    bitmaps.setAtIndex(ADDRESS, i, bitmap(imgs.get(i), i, arena));
                }
                byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
                MemorySegment input = arena.allocate(MtmdLayouts.MTMD_INPUT_TEXT);
                LlamaLayouts.field(MtmdLayouts.MTMD_INPUT_TEXT, "text").set(input, arena.allocateFrom(text));
                LlamaLayouts.field(MtmdLayouts.MTMD_INPUT_TEXT, "text_len").set(input, (long) utf8.length);
                LlamaLayouts.field(MtmdLayouts.MTMD_INPUT_TEXT, "add_special").set(input, addSpecial);
                LlamaLayouts.field(MtmdLayouts.MTMD_INPUT_TEXT, "parse_special").set(input, parseSpecial);
                MemorySegment chunks = Mtmd.mtmd_input_chunks_init();
                NativeStats.CHUNKS.incrementAndGet();
                VisionPrompt prompt = new VisionPrompt(this, chunks);
                boolean ok = false;
                try {
                    Backend.clearLastError();
                    int rc = Mtmd.mtmd_tokenize(context, chunks, input, bitmaps, imgs.size());
                    if (rc == 1) {
                        throw new IllegalArgumentException("llama.cpp found another number of image markers than "
                                + imgs.size());
                    }
                    if (rc != 0) {
                        String why = Backend.lastError();
                        throw new InvalidImageException("an image could not be prepared for the projector"
                                + (why.isEmpty() ? "" : ": " + why.replaceAll("\\s+", " ")));
                    }
                    prompt.setChunks(readChunks(prompt, chunks, imgs));
                    ok = true;
                    return prompt;
                } finally {
                    if (!ok) {
                        prompt.close();
                    }
                }
            } finally {
                for (int i = 0; i < imgs.size(); i++) {
                    MemorySegment b = bitmaps.getAtIndex(ADDRESS, i);
                    if (!b.equals(MemorySegment.NULL)) {
                        // The chunks keep their own preprocessed copy of every image.
                        Mtmd.mtmd_bitmap_free(b);
                    }
                }
            }
        } finally {
            guard.release();
        }
    }

    private int countMarkers(String text) {
        int n = 0;
        for (int at = text.indexOf(marker); at >= 0; at = text.indexOf(marker, at + marker.length())) {
            n++;
        }
        return n;
    }

    /** A new {@code mtmd_bitmap} with the image's pixels and its SHA-256 as id; the caller frees it. */
    private MemorySegment bitmap(Image image, int index, Arena arena) {
        byte[] bytes = image.rawBytes();
        MemorySegment bitmap;
        if (image.format() == ImageFormat.WEBP) {
            JavaImageCodec.Rgb rgb;
            try {
                rgb = JavaImageCodec.decodeRgb(bytes, image.format());
            } catch (InvalidImageException e) {
                throw new InvalidImageException("image " + index + ": " + e.problem());
            }
            bitmap = Mtmd.mtmd_bitmap_init(rgb.width(), rgb.height(), arena.allocateFrom(JAVA_BYTE, rgb.pixels()));
            Mtmd.mtmd_bitmap_set_id(bitmap, arena.allocateFrom(image.id()));
        } else {
            MemorySegment buf = arena.allocateFrom(JAVA_BYTE, bytes);
            MemorySegment wrapper = Mtmd.mtmd_helper_bitmap_init_from_buf(arena, context, buf, bytes.length, false,
                    Mtmd.mtmd_helper_init_opt_default(arena));
            bitmap = (MemorySegment) LlamaLayouts.field(MtmdLayouts.MTMD_HELPER_BITMAP_WRAPPER, "bitmap").get(wrapper);
            if (bitmap.equals(MemorySegment.NULL)) {
                throw new InvalidImageException("image " + index + ": corrupt or truncated " + image.format()
                        + " image (" + image.width() + "x" + image.height() + " in its header, but its data does not "
                        + "decode)");
            }
            // mtmd's helper already set the id to the SHA-256 of the same bytes, which is Image.id().
        }
        return bitmap;
    }

    private static List<PromptChunk> readChunks(VisionPrompt prompt, MemorySegment chunks, List<Image> images) {
        long n = Mtmd.mtmd_input_chunks_size(chunks);
        List<PromptChunk> parts = new ArrayList<>();
        int image = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(JAVA_LONG);
            for (int i = 0; i < n; i++) {
                MemorySegment chunk = Mtmd.mtmd_input_chunks_get(chunks, i);
                int type = Mtmd.mtmd_input_chunk_get_type(chunk);
                if (type == Mtmd.CHUNK_TYPE_TEXT) {
                    MemorySegment tokens = Mtmd.mtmd_input_chunk_get_tokens_text(chunk, count);
                    long len = count.get(JAVA_LONG, 0);
                    int[] ids = len == 0 ? new int[0] : Native.view(tokens, len * Integer.BYTES).toArray(JAVA_INT);
                    parts.add(new TextChunk(ids));
                } else if (type == Mtmd.CHUNK_TYPE_IMAGE) {
                    String id = Native.cString(Mtmd.mtmd_input_chunk_get_id(chunk));
                    parts.add(new ImageChunk(prompt, i, image, id == null ? images.get(image).id() : id,
                            Math.toIntExact(Mtmd.mtmd_input_chunk_get_n_tokens(chunk)),
                            Mtmd.mtmd_input_chunk_get_n_pos(chunk)));
                    image++;
                } else {
                    throw new IllegalStateException("llama.cpp returned a chunk of type " + type + " for an image prompt");
                }
            }
        }
        return parts;
    }

    /**
     * The embeddings of {@code chunk}'s image: {@code chunk.tokenCount()} rows of {@link #embeddingLength()}
     * floats, row-major. Deterministic for a given projector and image.
     *
     * @throws dev.puna.runtime.ResourceClosedException if this projector or the chunk's prompt is closed
     * @throws IllegalArgumentException if the chunk was tokenized by another projector
     * @throws NativeException if the projector fails to encode
     */
    public float[] encode(ImageChunk chunk) {
        VisionPrompt prompt = checkOwn(chunk);
        guard.acquire();
        try {
            prompt.guard().acquire();
            try {
                MemorySegment nativeChunk = Mtmd.mtmd_input_chunks_get(prompt.handle(), chunk.chunkIndex());
                encodeLock.lock();
                try {
                    Backend.clearLastError();
                    int rc = Mtmd.mtmd_encode_chunk(context, nativeChunk);
                    if (rc != 0) {
                        throw new NativeException("the projector " + path + " could not encode image "
                                + chunk.imageIndex() + " (mtmd_encode_chunk returned " + rc + ")" + logged());
                    }
                    long floats = (long) chunk.tokenCount() * embeddingLength;
                    return Native.view(Mtmd.mtmd_get_output_embd(context), floats * Float.BYTES).toArray(JAVA_FLOAT);
                } finally {
                    encodeLock.unlock();
                }
            } finally {
                prompt.guard().release();
            }
        } finally {
            guard.release();
        }
    }

    private static int evaluate(Projector projector, ImageChunk chunk, MemorySegment llamaContext, int seqId,
                                int nPast, int nBatch) {
        Objects.requireNonNull(llamaContext, "llamaContext");
        if (nBatch <= 0 || nPast < 0 || seqId < 0) {
            throw new IllegalArgumentException("nBatch " + nBatch + ", nPast " + nPast + ", seqId " + seqId
                    + ": nBatch must be positive, the others non-negative");
        }
        VisionPrompt prompt = projector.checkOwn(chunk);
        projector.guard.acquire();
        try {
            prompt.guard().acquire();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment nativeChunk = Mtmd.mtmd_input_chunks_get(prompt.handle(), chunk.chunkIndex());
                MemorySegment newPast = arena.allocate(JAVA_INT);
                projector.encodeLock.lock();
                try {
                    Backend.clearLastError();
                    int rc = Mtmd.mtmd_helper_eval_chunk_single(projector.context, llamaContext, nativeChunk, nPast,
                            seqId, nBatch, false, newPast);
                    if (rc != 0) {
                        // Some of the image's embeddings may be in the KV cache now; drop them so the caller's
                        // bookkeeping (n_past) and the cache agree.
                        Llama.llama_memory_seq_rm(Llama.llama_get_memory(llamaContext), seqId, nPast, -1);
                        if (rc == 2) {
                            return VisionInternals.ABORTED;
                        }
                        throw new NativeException("could not evaluate image " + chunk.imageIndex() + " into sequence "
                                + seqId + " at position " + nPast + " (code " + rc + (rc == 1
                                ? ": the projector failed, or no KV cache slot for the image" : "") + ")"
                                + projector.logged());
                    }
                } finally {
                    projector.encodeLock.unlock();
                }
                return newPast.get(JAVA_INT, 0);
            } finally {
                prompt.guard().release();
            }
        } finally {
            projector.guard.release();
        }
    }

    private VisionPrompt checkOwn(ImageChunk chunk) {
        Objects.requireNonNull(chunk, "chunk");
        VisionPrompt prompt = chunk.prompt();
        if (prompt.projector() != this) {
            throw new IllegalArgumentException("the image chunk was tokenized by another projector");
        }
        return prompt;
    }

    private String logged() {
        String why = Backend.lastError();
        return why.isEmpty() ? "" : ": " + why.replaceAll("\\s+", " ");
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return guard.isClosed();
    }

    /**
     * Frees the native projector (now, or when the call using it returns) and returns the borrowed model
     * reference. Idempotent.
     */
    @Override
    public void close() {
        guard.close();
    }

    @Override
    public String toString() {
        return "Projector[" + path + "]";
    }
}
