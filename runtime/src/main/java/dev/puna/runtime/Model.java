package dev.puna.runtime;

import static dev.puna.bindings.LlamaLayouts.LLAMA_MODEL_PARAMS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.puna.bindings.Llama;
import dev.puna.bindings.LlamaLayouts;
import dev.puna.bindings.Native;
import dev.puna.gguf.GgufFile;
import dev.puna.gguf.GgufFormatException;
import dev.puna.runtime.chat.BosHandling;
import dev.puna.runtime.chat.ChatFormatter;
import dev.puna.runtime.chat.ChatPrompt;
import dev.puna.runtime.chat.ChatRequest;
import dev.puna.runtime.internal.Backend;
import dev.puna.runtime.internal.ExpertOverrides;
import dev.puna.runtime.internal.Futures;
import dev.puna.runtime.internal.ModelHandles;
import dev.puna.runtime.internal.NativeChatTemplates;
import dev.puna.runtime.internal.NativeStats;
import dev.puna.runtime.internal.ResourceGuard;
import dev.puna.runtime.internal.RpcLink;
import dev.puna.runtime.internal.RpcWorkers;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A loaded GGUF model (weights and vocabulary): the owner of one {@code llama_model}.
 *
 * <p><b>Ownership.</b> The model is reference-counted. {@link #load} returns the owner's reference; each
 * {@link Session} borrows one more for its lifetime. {@link #close()} drops the owner's reference: the native
 * model is freed when the last session using it closes, never under a running session. After {@code close()},
 * every method throws {@link ResourceClosedException}.
 *
 * <p><b>Threads.</b> All methods are thread-safe (llama.cpp's model and vocabulary are read-only after
 * loading); sessions created from one model can run concurrently on different threads.
 */
public final class Model implements AutoCloseable {
    static {
        ModelHandles.install(new ModelHandles.Accessor() {
            @Override
            public MemorySegment handle(Model model) {
                return model.handle();
            }

            @Override
            public void acquire(Model model) {
                model.acquire();
            }

            @Override
            public void release(Model model) {
                model.release();
            }

            @Override
            public boolean vocabOnly(Model model) {
                return model.vocabOnly();
            }
        });
    }

    private static final Logger LOG = LogManager.getLogger(Model.class);

    private final Path path;
    private final MemorySegment model;
    private final MemorySegment vocab;
    private final ResourceGuard guard;
    private final ModelInfo info;
    private final SpecialTokens specials;
    private final GgufFile gguf;
    private final int vocabSize;
    private final long loadNanos;

    private final boolean vocabOnly;
    /** The RPC workers holding its layers; null for a local model. */
    private final RpcLink rpc;
    private volatile ChatFormatter chatFormatter;
    /** Cached {@link #pieceUnchecked} results; arrays in it are never modified. */
    private final AtomicReferenceArray<byte[]> pieces;

    private Model(Path path, MemorySegment model, GgufFile gguf, long loadNanos, boolean vocabOnly, RpcLink rpc) {
        this.path = path;
        this.rpc = rpc;
        this.vocabOnly = vocabOnly;
        this.model = model;
        this.gguf = gguf;
        this.loadNanos = loadNanos;
        this.vocab = Llama.llama_model_get_vocab(model);
        this.vocabSize = Llama.llama_vocab_n_tokens(vocab);
        this.pieces = new AtomicReferenceArray<>(vocabSize);
        this.guard = new ResourceGuard("model " + path, () -> {
            if (rpc != null && rpc.lost() != null) {
                // Its buffers are on a lost worker: freeing them would wait on the broken connection for ever.
                LOG.warn("model {} left allocated: {}", path, rpc.lost().getMessage());
            } else {
                Llama.llama_model_free(model);
            }
            if (rpc != null) {
                rpc.close();
            }
            NativeStats.MODELS.decrementAndGet();
        });
        this.specials = new SpecialTokens(Llama.llama_vocab_bos(vocab), Llama.llama_vocab_eos(vocab),
                Llama.llama_vocab_eot(vocab), Llama.llama_vocab_nl(vocab), Llama.llama_vocab_pad(vocab),
                Llama.llama_vocab_fim_pre(vocab), Llama.llama_vocab_fim_suf(vocab), Llama.llama_vocab_fim_mid(vocab),
                Llama.llama_vocab_fim_pad(vocab), Llama.llama_vocab_fim_rep(vocab), Llama.llama_vocab_fim_sep(vocab),
                Llama.llama_vocab_get_add_bos(vocab), Llama.llama_vocab_get_add_eos(vocab));
        this.info = readInfo();
    }

    /** Loads {@code path} with default {@link ModelParams}. */
    public static Model load(Path path) {
        return load(path, ModelParams.defaults());
    }

    /**
     * Loads a GGUF model. The file is validated in Java first (exists, is a regular file, parses as GGUF with
     * every tensor inside the file), so a bad file never reaches llama.cpp.
     *
     * @throws ModelLoadException naming the file: missing, a directory, unreadable, not GGUF, truncated, corrupt
     * @throws UnsupportedModelException when the architecture is unknown to this llama.cpp build
     */
    public static Model load(Path path, ModelParams params) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(params, "params");
        long start = System.nanoTime();
        GgufFile gguf = readHeader(path);
        String arch = gguf.architecture().orElseThrow(
                () -> new ModelLoadException(path, "GGUF file has no general.architecture; not a model file"));

        Backend.ensureInitialised();
        if (params.mainGpu() > 0 && !Backend.hasLocalGpu()) {
            throw new InvalidParameterException("main_gpu", "there is no GPU " + params.mainGpu() + ": this "
                    + "llama.cpp build has no GPU backend, so only 0 (the CPU) is valid");
        }
        long maxDevices = Llama.llama_max_devices();
        if (params.tensorSplit().size() > maxDevices) {
            throw new InvalidParameterException("tensor_split", params.tensorSplit().size()
                    + " proportions, but this llama.cpp build supports at most " + maxDevices + " devices");
        }
        RpcLink rpc = params.rpcServers().isEmpty() ? null : RpcLink.open(params.rpcServers());
        NativeLoad loaded;
        try {
            int layers = (int) gguf.getLong(arch + ".block_count").orElse(0);
            loaded = rpc == null ? loadNative(path, params, maxDevices, layers, null)
                    : loadOverRpc(path, params, maxDevices, layers, rpc);
        } catch (RuntimeException | Error e) {
            if (rpc != null) {
                rpc.close();
            }
            throw e;
        }
        MemorySegment handle = loaded.handle();
        String why = loaded.why();
        if (handle.equals(MemorySegment.NULL)) {
            if (rpc != null) {
                rpc.close();
            }
            if (why.contains("invalid value for main_gpu")) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("available devices: (\\d+)").matcher(why);
                throw new InvalidParameterException("main_gpu", "there is no GPU " + params.mainGpu() + " ("
                        + (m.find() ? m.group(1) : "?") + " GPU devices)");
            }
            if (why.contains("unknown model architecture")) {
                throw new UnsupportedModelException(path, "unknown model architecture '" + arch
                        + "': this llama.cpp build cannot run it");
            }
            throw new ModelLoadException(path, "llama.cpp could not load the model"
                    + (why.isEmpty() ? "" : ": " + why.replaceAll("\\s+", " ")));
        }
        NativeStats.MODELS.incrementAndGet();
        return new Model(path, handle, gguf, System.nanoTime() - start, params.vocabOnly(), rpc);
    }

    /** What llama_model_load_from_file returned, and the error text llama.cpp logged on its thread. */
    private record NativeLoad(MemorySegment handle, String why) {
    }

    private static NativeLoad loadNative(Path path, ModelParams params, long maxDevices, int layers, RpcLink rpc) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mp = nativeParams(arena, params, maxDevices, layers);
            if (rpc != null) {
                LlamaLayouts.field(LLAMA_MODEL_PARAMS, "devices").set(mp, RpcWorkers.devices(rpc.endpoints(), arena));
            }
            Backend.clearLastError();
            MemorySegment handle = Llama.llama_model_load_from_file(arena.allocateFrom(path.toString()), mp);
            return new NativeLoad(handle, handle.equals(MemorySegment.NULL) ? Backend.lastError() : "");
        }
    }

    /**
     * Loads on a thread of its own: if a worker is lost while the weights go to it, ggml-rpc parks the threads
     * involved for good (see RpcWorkers), and the caller gets the worker's error instead of waiting with them.
     */
    private static NativeLoad loadOverRpc(Path path, ModelParams params, long maxDevices, int layers,
                                          RpcLink rpc) {
        CompletableFuture<NativeLoad> result = new CompletableFuture<>();
        rpc.onLost(result::completeExceptionally);
        Thread.ofPlatform().daemon().name("puna-rpc-load").start(() -> {
            try {
                NativeLoad loaded = loadNative(path, params, maxDevices, layers, rpc);
                if (!result.complete(loaded) && !loaded.handle().equals(MemorySegment.NULL)) {
                    LOG.warn("model {} finished loading after its RPC worker was lost; left allocated", path);
                }
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return Futures.joinUnwrapped(result);
    }

    /**
     * {@code params} as a {@code llama_model_params} in {@code arena}. The tensor split is an array of
     * {@code maxDevices} floats, because llama.cpp copies exactly {@code llama_max_devices()} of them
     * (llama_model's constructor) and keeps its own copy, so the arena may close once the model is loaded; the
     * expert overrides for a model of {@code layers} layers are read only while it loads.
     */
    static MemorySegment nativeParams(Arena arena, ModelParams params, long maxDevices, int layers) {
        MemorySegment mp = Llama.llama_model_default_params(arena);
        LlamaLayouts.field(LLAMA_MODEL_PARAMS, "n_gpu_layers").set(mp, params.gpuLayers());
        if (params.mainGpu() >= 0) {
            // llama.cpp reads main_gpu only in split mode NONE (0): the whole model on that one GPU.
            LlamaLayouts.field(LLAMA_MODEL_PARAMS, "split_mode").set(mp, 0);
            LlamaLayouts.field(LLAMA_MODEL_PARAMS, "main_gpu").set(mp, params.mainGpu());
        }
        if (!params.tensorSplit().isEmpty()) {
            MemorySegment split = arena.allocate(java.lang.foreign.ValueLayout.JAVA_FLOAT, maxDevices);
            for (int i = 0; i < params.tensorSplit().size(); i++) {
                split.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, params.tensorSplit().get(i));
            }
            LlamaLayouts.field(LLAMA_MODEL_PARAMS, "tensor_split").set(mp, split);
        }
        if (params.cpuMoeLayers() > 0) {
            LlamaLayouts.field(LLAMA_MODEL_PARAMS, "tensor_buft_overrides").set(mp,
                    ExpertOverrides.toNative(arena, ExpertOverrides.patterns(params.cpuMoeLayers(), layers)));
        }
        // llama_load_mode: NONE 0, MMAP 1, MLOCK 2, MMAP_MLOCK 3
        int loadMode = (params.useMmap() ? 1 : 0) | (params.useMlock() ? 2 : 0);
        LlamaLayouts.field(LLAMA_MODEL_PARAMS, "load_mode").set(mp, loadMode);
        LlamaLayouts.field(LLAMA_MODEL_PARAMS, "vocab_only").set(mp, params.vocabOnly());
        return mp;
    }

    static GgufFile readHeader(Path path) {
        if (!Files.exists(path)) {
            throw new ModelLoadException(path, "no such file");
        }
        if (Files.isDirectory(path)) {
            throw new ModelLoadException(path, "is a directory, not a GGUF model file");
        }
        if (!Files.isReadable(path)) {
            throw new ModelLoadException(path, "is not readable");
        }
        try {
            return GgufFile.read(path);
        } catch (GgufFormatException e) {
            throw new InvalidModelFileException(path, e.problem(), e);
        } catch (IOException e) {
            throw new ModelLoadException(path, "cannot read: " + e.getMessage(), e);
        }
    }

    private ModelInfo readInfo() {
        String arch = gguf.architecture().orElse("");
        String name = gguf.getString("general.name").orElse(path.getFileName().toString());
        String desc;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256);
            int n = Llama.llama_model_desc(model, buf, 256);
            desc = n > 0 ? buf.getString(0) : arch;
        }
        String quant = Native.cString(Llama.llama_ftype_name(Llama.llama_model_ftype(model)));
        Optional<String> template = Optional.ofNullable(Native.cString(
                Llama.llama_model_chat_template(model, MemorySegment.NULL)));
        if (vocabOnly) {
            // llama.cpp loads no hyperparameters for a vocab-only model and aborts the process in
            // llama_model_n_head(); the GGUF header has the same facts.
            return new ModelInfo(path, arch, name, desc, 0, 0, quant, metaInt(arch + ".context_length"),
                    metaInt(arch + ".embedding_length"), metaInt(arch + ".block_count"),
                    metaInt(arch + ".attention.head_count"), metaInt(arch + ".attention.head_count_kv"),
                    vocabSize, template, gguf.metadata());
        }
        return new ModelInfo(path, arch, name, desc, Llama.llama_model_n_params(model), Llama.llama_model_size(model),
                quant, Llama.llama_model_n_ctx_train(model), Llama.llama_model_n_embd(model),
                Llama.llama_model_n_layer(model), Llama.llama_model_n_head(model), Llama.llama_model_n_head_kv(model),
                vocabSize, template, gguf.metadata());
    }

    private int metaInt(String key) {
        return (int) gguf.getLong(key).orElse(0);
    }

    /** The model's facts and GGUF metadata. */
    public ModelInfo info() {
        return info;
    }

    /** The model's special tokens. */
    public SpecialTokens specialTokens() {
        return specials;
    }

    /** Number of tokens in the vocabulary. */
    public int vocabSize() {
        return vocabSize;
    }

    /** The tie to the RPC workers holding the layers; null for a local model. */
    RpcLink rpcLink() {
        return rpc;
    }

    /** How long {@link #load} took, in nanoseconds. */
    public long loadNanos() {
        return loadNanos;
    }

    /**
     * Opens a session (llama.cpp context) on this model. The session holds a reference to the model until it
     * is closed.
     *
     * @throws ResourceClosedException if this model is closed
     */
    public Session newSession(SessionParams params) {
        if (vocabOnly) {
            throw new IllegalStateException("model " + path + " was loaded with vocabOnly: it can tokenize but not run");
        }
        return new Session(this, params);
    }

    /** Opens a session with default {@link SessionParams}. */
    public Session newSession() {
        return newSession(SessionParams.defaults());
    }

    /**
     * Converts text to token ids.
     *
     * @param addSpecial add BOS/EOS as the model's tokenizer config says
     * @param parseSpecial turn special-token text such as {@code <|im_start|>} into its token instead of
     *     tokenizing it as plain text
     */
    public int[] tokenize(String text, boolean addSpecial, boolean parseSpecial) {
        Objects.requireNonNull(text, "text");
        acquire();
        try {
            return tokenizeUnchecked(text, addSpecial, parseSpecial);
        } finally {
            release();
        }
    }

    /** Tokenizes for a caller that already holds a reference (a session). */
    int[] tokenizeUnchecked(String text, boolean addSpecial, boolean parseSpecial) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(utf8.length + 1L);
            MemorySegment.copy(utf8, 0, in, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, utf8.length);
            int capacity = utf8.length + 8;
            MemorySegment out = arena.allocate(JAVA_INT, capacity);
            int n = Llama.llama_tokenize(vocab, in, utf8.length, out, capacity, addSpecial, parseSpecial);
            if (n == Integer.MIN_VALUE) {
                throw new InvalidParameterException("prompt", "text too long to tokenize");
            }
            if (n < 0) {
                capacity = -n;
                out = arena.allocate(JAVA_INT, capacity);
                n = Llama.llama_tokenize(vocab, in, utf8.length, out, capacity, addSpecial, parseSpecial);
            }
            return out.asSlice(0, 4L * n).toArray(JAVA_INT);
        }
    }

    /**
     * The bytes of one token as the detokenizer renders it (a token can be part of a multi-byte UTF-8
     * character, hence bytes and not a String).
     *
     * @param special render control tokens such as EOS as their text instead of nothing
     */
    public byte[] tokenBytes(int token, boolean special) {
        checkToken(token, "token");
        acquire();
        try {
            return pieceUnchecked(token, special).clone();
        } finally {
            release();
        }
    }

    /** Converts token ids back to text ({@code removeSpecial} drops BOS/EOS; {@code unparseSpecial} renders them). */
    public String detokenize(int[] tokens, boolean removeSpecial, boolean unparseSpecial) {
        for (int t : tokens) {
            checkToken(t, "tokens");
        }
        acquire();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocateFrom(JAVA_INT, tokens);
            int capacity = tokens.length * 8 + 16;
            MemorySegment out = arena.allocate(capacity);
            int n = Llama.llama_detokenize(vocab, in, tokens.length, out, capacity, removeSpecial, unparseSpecial);
            if (n < 0) {
                capacity = -n;
                out = arena.allocate(capacity);
                n = Llama.llama_detokenize(vocab, in, tokens.length, out, capacity, removeSpecial, unparseSpecial);
            }
            return new String(out.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        } finally {
            release();
        }
    }

    /**
     * Renders a conversation with the model's chat template: its Jinja {@code tokenizer.chat_template} when it
     * renders, else llama.cpp's built-in format matching it (ChatML for a model without a template). The
     * request's BOS/EOS texts default to the model's. Generate from the result with
     * {@code GenerateRequest.builder().prompt(p.text()).addSpecial(p.addBos())}.
     *
     * @throws dev.puna.runtime.chat.ChatTemplateException if neither the template nor a built-in format works
     */
    public ChatPrompt renderChat(ChatRequest request) {
        Objects.requireNonNull(request, "request");
        String bos = specials.bos() == SpecialTokens.NONE ? null : tokenText(specials.bos());
        String eos = specials.eos() == SpecialTokens.NONE ? null : tokenText(specials.eos());
        ChatRequest filled = new ChatRequest(request.messages(), request.tools(), request.addGenerationPrompt(),
                request.bosToken() != null ? request.bosToken() : bos,
                request.eosToken() != null ? request.eosToken() : eos,
                request.variables(), request.now());
        String text = chatFormatter().format(filled);
        return new ChatPrompt(text, BosHandling.shouldAddBos(text, bos, specials.addBos()));
    }

    private ChatFormatter chatFormatter() {
        ChatFormatter f = chatFormatter;
        if (f == null) {
            f = ChatFormatter.create(info.chatTemplate().orElse(null), NativeChatTemplates.INSTANCE);
            chatFormatter = f;
        }
        return f;
    }

    private String tokenText(int token) {
        return new String(tokenBytes(token, true), StandardCharsets.UTF_8);
    }

    /** Whether {@code token} ends generation (EOS, EOT and the model's other end-of-generation tokens). */
    public boolean isEndOfGeneration(int token) {
        checkToken(token, "token");
        acquire();
        try {
            return Llama.llama_vocab_is_eog(vocab, token);
        } finally {
            release();
        }
    }

    /**
     * Throws {@link InvalidParameterException} unless {@code token} is a valid id: llama.cpp does not check ids
     * and an out-of-range one would abort the process.
     */
    void checkToken(int token, String parameter) {
        if (token < 0 || token >= vocabSize) {
            throw new InvalidParameterException(parameter,
                    "token id " + token + " is outside the vocabulary (0.." + (vocabSize - 1) + ")");
        }
    }

    /**
     * Token bytes without validation or guarding; the caller holds a reference and has checked the id. Pieces
     * without special rendering are cached: generation asks for one per token, and the vocabulary never changes.
     */
    byte[] pieceUnchecked(int token, boolean special) {
        if (special) {
            return renderPiece(token, true);
        }
        byte[] piece = pieces.get(token);
        if (piece == null) {
            piece = renderPiece(token, false);
            pieces.set(token, piece);
        }
        return piece;
    }

    private byte[] renderPiece(int token, boolean special) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(64);
            int n = Llama.llama_token_to_piece(vocab, token, buf, 64, 0, special);
            if (n < 0) {
                buf = arena.allocate(-n);
                n = Llama.llama_token_to_piece(vocab, token, buf, -n, 0, special);
            }
            return buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        }
    }

    /** Registers a use of the native model; pair with {@link #release()}. */
    void acquire() {
        guard.acquire();
    }

    void release() {
        guard.release();
    }

    boolean vocabOnly() {
        return vocabOnly;
    }

    MemorySegment handle() {
        return model;
    }

    MemorySegment vocab() {
        return vocab;
    }

    GgufFile gguf() {
        return gguf;
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return guard.isClosed();
    }

    /**
     * Drops the owner's reference. The native model is freed now if no session uses it, else when the last
     * session closes. Idempotent.
     */
    @Override
    public void close() {
        guard.close();
    }

    @Override
    public String toString() {
        return "Model[" + path + "]";
    }
}
