package dev.puna.runtime;

/**
 * Settings of a {@link Session} (a llama.cpp context). Immutable; build with {@link #builder()}. Parameter
 * names in exceptions follow Ollama's option names.
 *
 * <ul>
 *   <li>{@code contextSize} ({@code num_ctx}, default 4096 like Ollama, capped at the model's training context
 *       when 0 is given): tokens the KV cache holds.</li>
 *   <li>{@code batchSize} ({@code num_batch}, default 512): most tokens submitted to one decode call.</li>
 *   <li>{@code ubatchSize} (default 512, at most {@code batchSize}): physical batch size.</li>
 *   <li>{@code threads} ({@code num_thread}, default: available processors) and {@code batchThreads} (default:
 *       same) for generation and prompt evaluation.</li>
 *   <li>{@code kvCacheType} (default f16) and {@code flashAttention} (default auto); a quantized cache needs
 *       flash attention, so {@code q8_0}/{@code q4_0} with flash attention disabled is rejected, and with auto
 *       it is turned on ({@link #effectiveFlashAttention()}).</li>
 *   <li>{@code embeddings} (default false): the session computes pooled embeddings instead of generating;
 *       {@code pooling} chooses how.</li>
 *   <li>{@code swaFull} (default false, as llama-server's {@code --swa-full}): for a model with sliding-window
 *       attention (Gemma 2 and 3, gpt-oss, Cohere 2, ...), whether its sliding-window layers keep a KV cell for
 *       every position of the context instead of the last window's (plus one micro-batch). The window-sized cache
 *       takes a fraction of the memory; the price is that a cached prefix can only be continued from a position whose
 *       window is still in the cache, so a prompt that leaves a cached conversation more than a window before its
 *       end is evaluated again from the start (see {@link dev.puna.runtime.internal.SlidingWindow}). No effect on
 *       other models.</li>
 *   <li>{@code checkpointBytes} (default 1 GiB, as the engine's {@code promptCacheBytes}; 0 turns them off): the
 *       most host RAM a session's checkpoints take, for a model whose memory cannot be cut back to a prefix
 *       (window-sized sliding-window caches, recurrent layers: Mamba, Jamba, Granite 4, ...). A prompt of at least
 *       64 tokens pauses 4 before its end for a copy of that part of the memory, so that a later prompt leaving the
 *       cached tokens before their end (the same question again, a changed last message) continues from it instead
 *       of from the start, as llama-server's context checkpoints do. Unused by other models; an {@link Engine}
 *       keeps its checkpoints in its prompt cache instead.</li>
 * </ul>
 */
public final class SessionParams {
    private static final SessionParams DEFAULTS = builder().build();

    private final int contextSize;
    private final int batchSize;
    private final int ubatchSize;
    private final int threads;
    private final int batchThreads;
    private final KvCacheType kvCacheType;
    private final FlashAttention flashAttention;
    private final boolean embeddings;
    private final Pooling pooling;
    private final boolean swaFull;
    private final long checkpointBytes;

    private SessionParams(Builder b) {
        this.contextSize = b.contextSize;
        this.batchSize = b.batchSize;
        this.ubatchSize = Math.min(b.ubatchSize, b.batchSize);
        this.threads = b.threads;
        this.batchThreads = b.batchThreads > 0 ? b.batchThreads : b.threads;
        this.kvCacheType = b.kvCacheType;
        this.flashAttention = b.flashAttention;
        this.embeddings = b.embeddings;
        this.pooling = b.pooling;
        this.swaFull = b.swaFull;
        this.checkpointBytes = b.checkpointBytes;
    }

    public static SessionParams defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.contextSize = contextSize;
        b.batchSize = batchSize;
        b.ubatchSize = ubatchSize;
        b.threads = threads;
        b.batchThreads = batchThreads;
        b.kvCacheType = kvCacheType;
        b.flashAttention = flashAttention;
        b.embeddings = embeddings;
        b.pooling = pooling;
        b.swaFull = swaFull;
        b.checkpointBytes = checkpointBytes;
        return b;
    }

    public int contextSize() {
        return contextSize;
    }

    public int batchSize() {
        return batchSize;
    }

    public int ubatchSize() {
        return ubatchSize;
    }

    public int threads() {
        return threads;
    }

    public int batchThreads() {
        return batchThreads;
    }

    public KvCacheType kvCacheType() {
        return kvCacheType;
    }

    public FlashAttention flashAttention() {
        return flashAttention;
    }

    /**
     * The flash-attention setting the context is created with: {@link #flashAttention()}, except that a
     * quantized KV cache with {@code AUTO} gets {@code ENABLED}. llama.cpp resolves {@code AUTO} per device when it
     * creates the context and fails there if it turns flash attention off under a quantized V cache; enabled,
     * an operation a device cannot run goes to the CPU instead. So a quantized cache either works or is refused
     * by {@link Builder#build()} (with flash attention disabled), never at context creation.
     */
    public FlashAttention effectiveFlashAttention() {
        return kvCacheType != KvCacheType.F16 && flashAttention == FlashAttention.AUTO ? FlashAttention.ENABLED
                : flashAttention;
    }

    public boolean embeddings() {
        return embeddings;
    }

    public Pooling pooling() {
        return pooling;
    }

    public boolean swaFull() {
        return swaFull;
    }

    public long checkpointBytes() {
        return checkpointBytes;
    }

    /** Builder for {@link SessionParams}; each setter validates its argument. */
    public static final class Builder {
        private int contextSize = 4096;
        private int batchSize = 512;
        private int ubatchSize = 512;
        private int threads = Runtime.getRuntime().availableProcessors();
        private int batchThreads;
        private KvCacheType kvCacheType = KvCacheType.F16;
        private FlashAttention flashAttention = FlashAttention.AUTO;
        private boolean embeddings;
        private Pooling pooling = Pooling.MODEL_DEFAULT;
        private boolean swaFull;
        private long checkpointBytes = 1L << 30;

        private Builder() {
        }

        /** Context window in tokens; 0 means the model's training context length. */
        public Builder contextSize(int n) {
            InvalidParameterException.require(n >= 0 && n <= 1 << 24, "num_ctx",
                    "must be between 0 (model default) and 16777216, got " + n);
            this.contextSize = n;
            return this;
        }

        public Builder batchSize(int n) {
            InvalidParameterException.require(n >= 1 && n <= 1 << 20, "num_batch",
                    "must be between 1 and 1048576, got " + n);
            this.batchSize = n;
            return this;
        }

        public Builder ubatchSize(int n) {
            InvalidParameterException.require(n >= 1 && n <= 1 << 20, "num_ubatch",
                    "must be between 1 and 1048576, got " + n);
            this.ubatchSize = n;
            return this;
        }

        public Builder threads(int n) {
            InvalidParameterException.require(n >= 1 && n <= 1024, "num_thread",
                    "must be between 1 and 1024, got " + n);
            this.threads = n;
            return this;
        }

        public Builder batchThreads(int n) {
            InvalidParameterException.require(n >= 1 && n <= 1024, "num_thread_batch",
                    "must be between 1 and 1024, got " + n);
            this.batchThreads = n;
            return this;
        }

        public Builder kvCacheType(KvCacheType t) {
            this.kvCacheType = java.util.Objects.requireNonNull(t, "kvCacheType");
            return this;
        }

        public Builder flashAttention(FlashAttention f) {
            this.flashAttention = java.util.Objects.requireNonNull(f, "flashAttention");
            return this;
        }

        public Builder embeddings(boolean v) {
            this.embeddings = v;
            return this;
        }

        public Builder pooling(Pooling p) {
            this.pooling = java.util.Objects.requireNonNull(p, "pooling");
            return this;
        }

        /** Full-size caches for sliding-window layers instead of window-sized ones. */
        public Builder swaFull(boolean v) {
            this.swaFull = v;
            return this;
        }

        /** Host RAM a session's checkpoints may take, at most; 0 takes none. */
        public Builder checkpointBytes(long bytes) {
            InvalidParameterException.require(bytes >= 0, "checkpoint_bytes", "must be 0 or more, got " + bytes);
            this.checkpointBytes = bytes;
            return this;
        }

        public SessionParams build() {
            InvalidParameterException.require(
                    kvCacheType == KvCacheType.F16 || flashAttention != FlashAttention.DISABLED,
                    "kv_cache_type", "a quantized KV cache (" + kvCacheType + ") requires flash attention");
            return new SessionParams(this);
        }
    }
}
