package dev.puna.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of an {@link Engine}. Immutable; build with {@link #builder()}.
 *
 * <ul>
 *   <li>{@code session}: the llama.cpp context settings; its {@code contextSize} is the context of <em>each</em>
 *       slot (Ollama's {@code num_ctx}), so the KV cache holds {@code contextSize × parallel} tokens.</li>
 *   <li>{@code parallel} ({@code PUNA_NUM_PARALLEL}, default 4): slots, i.e. sequences decoded together in one
 *       batch. Requests beyond that wait in the queue.</li>
 *   <li>{@code maxQueue} ({@code PUNA_MAX_QUEUE}, default 512): requests that may wait for a slot; one more is
 *       refused with {@link QueueFullException}.</li>
 *   <li>{@code promptCacheBytes} ({@code PUNA_CACHE_RAM}, default 1 GiB; 0 disables): host RAM for KV-cache
 *       sequences pushed out of a slot, so a conversation's next turn can resume without evaluating its history
 *       again.</li>
 *   <li>{@code diskCache} (default off): a directory where KV-cache sequences pushed out of host RAM, and each
 *       slot's conversation when the engine closes, are kept in files of at most {@code diskCacheBytes} in all, so
 *       that a conversation resumes after a restart (see {@link dev.puna.runtime.cache.DiskCache}). The model key
 *       names the model's weights (say, their digest); state is only ever loaded by an engine of the same key,
 *       llama.cpp build and context settings. Sequences computed with images stay in RAM, and so do those computed with
 *       LoRA adapters other than the disk cache's own set (say, a Modelfile's adapters at the scales its requests
 *       run with by default), whose files the model key must name as well.</li>
 *   <li>{@code unifiedKv} (default false): one KV buffer shared by all slots instead of one stream per slot.
 *       Split streams attend only over their own tokens, which is faster when prompts share little.</li>
 *   <li>{@code draftModel} (default none) and {@code draft} ({@link DraftParams#DEFAULTS}): speculative decoding
 *       with a small model of the same vocabulary (see {@link Speculator}); the caller keeps ownership of the draft
 *       model, which the engine holds a reference to until it closes.</li>
 *   <li>{@code warmupTokens} (default 8; the system property {@code puna.warmupTokens} changes the default, 0
 *       turns the warm-up off): tokens the engine generates in slot 0 when it starts, before it serves anything,
 *       and then forgets (see {@link Engine#start}); not done with a draft model, nor for embedding and rerank
 *       models.</li>
 *   <li>{@code idleSaveDelay} (default 250 ms): how long the engine must have had nothing to do before it copies an
 *       idle slot's conversation to host RAM. The copy cannot be interrupted (20 MB, several ms, for a 1,500-token
 *       conversation of a small model), so a conversation's next turn, or an agent's next step, that arrives right
 *       away would wait for it; a newcomer that displaces a conversation not saved yet saves it itself.</li>
 *   <li>{@code batchWindow} (default 5 ms; 0 turns it off): when requests reach an engine with nothing to decode,
 *       it waits until none has arrived for this long (at most {@value #BATCH_WINDOW_CAP} times as long in all)
 *       before its first step, so that requests sent together are evaluated together. Without it the first one's
 *       prompt is evaluated alone, a step of tens to hundreds of milliseconds that every other request of the burst
 *       waits for (and whose threads slow down the others' way in). It never delays a request while other
 *       sequences are being decoded, nor once every slot is taken. When the engine's last busy spell (since it last
 *       had no generation) served its requests one at a time, or it has served none, a lone request waits a fifth of
 *       the window instead (a conversation's next turn, an agent's next call: the whole window is what such a request
 *       would add to its first token), and a second request arriving meanwhile brings back the whole window. A burst
 *       that follows such a spell with its requests more than that apart is evaluated in two or more first steps, as
 *       an engine without the window would; requests announced with {@link Engine#expectArrival} are waited for in
 *       any case.</li>
 *   <li>{@code stepTarget} (default 300 ms; 0 turns it off): while two or more prompts wait to be evaluated, how long
 *       one step should last ({@link StepBudget}). A step's prompts get their first token only when it ends, so on
 *       a machine where a full batch takes a second, a burst's prompts in one full step all wait that second, where
 *       steps of this length give them their first tokens a few at a time, the first ones much sooner, for the same
 *       work in all. A lone prompt, and steps that are faster than this anyway, fill the batch as before.</li>
 *   <li>{@code threadKeepAlive} (default 1 s; 0 keeps it for good): how long the decode thread stays once the engine
 *       has nothing left to do (no request, no task, no conversation to save), unless another engine of the process
 *       computes first, which sends it away at once (0 keeps it then too); the next request starts a new one.
 *       The thread that computes in llama.cpp keeps a team of OpenMP worker threads, and while the process holds
 *       more of them than there are cores, libgomp has every team sleep between two graphs instead of spinning, so
 *       an idle engine's team slowed another engine's decode by 15-35% (see {@link Engine}'s Threads). The price is
 *       a thread start, and a new team at its first graph, for a request that comes after a longer pause.</li>
 *   <li>{@code firstTokenPause} (default 0, off; at most 1 s): after a step that gave a request its first token,
 *       the decode thread sleeps this long before the next one. For a caller whose listener hands tokens to another
 *       thread (a server's event loop) on a machine where the engine's threads take every core: the decode thread
 *       and its OpenMP team go straight on to the next step, and the thread that would send the first token waits
 *       for the scheduler to give it a core, a few milliseconds of every request's time to first token. Once per
 *       such step, not per token.</li>
 * </ul>
 */
public final class EngineParams {
    /** How many times {@code batchWindow} the engine waits at most for a burst's requests. */
    public static final int BATCH_WINDOW_CAP = 5;

    private final SessionParams session;
    private final int parallel;
    private final int maxQueue;
    private final boolean unifiedKv;
    private final long promptCacheBytes;
    private final Model draftModel;
    private final DraftParams draft;
    private final int warmupTokens;
    private final Path diskCacheDir;
    private final long diskCacheBytes;
    private final String diskCacheModelKey;
    private final List<LoraScale> diskCacheAdapters;
    private final Duration idleSaveDelay;
    private final Duration batchWindow;
    private final Duration stepTarget;
    private final Duration threadKeepAlive;
    private final Duration firstTokenPause;

    private EngineParams(Builder b) {
        this.firstTokenPause = b.firstTokenPause;
        this.idleSaveDelay = b.idleSaveDelay;
        this.threadKeepAlive = b.threadKeepAlive;
        this.batchWindow = b.batchWindow;
        this.stepTarget = b.stepTarget;
        this.diskCacheDir = b.diskCacheDir;
        this.diskCacheBytes = b.diskCacheBytes;
        this.diskCacheModelKey = b.diskCacheModelKey;
        this.diskCacheAdapters = b.diskCacheAdapters;
        this.session = b.session;
        this.parallel = b.parallel;
        this.maxQueue = b.maxQueue;
        this.unifiedKv = b.unifiedKv;
        this.promptCacheBytes = b.promptCacheBytes;
        this.draftModel = b.draftModel;
        this.draft = b.draft;
        this.warmupTokens = b.warmupTokens;
    }

    /** Tokens generated, then forgotten, when the engine starts; 0 for no warm-up. */
    public int warmupTokens() {
        return warmupTokens;
    }

    /** How long the engine idles before it saves an idle slot's conversation to host RAM. */
    public Duration idleSaveDelay() {
        return idleSaveDelay;
    }

    /** How long the decode thread outlives the engine's last work; zero: it stays until the engine closes. */
    public Duration threadKeepAlive() {
        return threadKeepAlive;
    }

    /** How long an idle engine waits for more of a burst's requests before its first step; zero: not at all. */
    public Duration batchWindow() {
        return batchWindow;
    }

    public Duration stepTarget() {
        return stepTarget;
    }

    /** How long the decode thread sleeps after a step that gave a request its first token; zero: not at all. */
    public Duration firstTokenPause() {
        return firstTokenPause;
    }

    /** The draft model for speculative decoding, or null. */
    public Model draftModel() {
        return draftModel;
    }

    /** How the engine speculates when it has a draft model. */
    public DraftParams draft() {
        return draft;
    }

    public static Builder builder() {
        return new Builder();
    }

    public SessionParams session() {
        return session;
    }

    public int parallel() {
        return parallel;
    }

    public int maxQueue() {
        return maxQueue;
    }

    public boolean unifiedKv() {
        return unifiedKv;
    }

    public long promptCacheBytes() {
        return promptCacheBytes;
    }

    /** The prompt cache's directory on disk, or null when it stays in RAM. */
    public Path diskCacheDir() {
        return diskCacheDir;
    }

    /** The most bytes of files in {@link #diskCacheDir()}; 0 when off. */
    public long diskCacheBytes() {
        return diskCacheBytes;
    }

    /** What the disk cache knows the model by, or null when off. */
    public String diskCacheModelKey() {
        return diskCacheModelKey;
    }

    /** The LoRA adapters, at their scales, under which sequences may go to disk; empty: none. */
    public List<LoraScale> diskCacheAdapters() {
        return diskCacheAdapters;
    }

    /** Builder for {@link EngineParams}; each setter validates its argument. */
    public static final class Builder {
        private SessionParams session = SessionParams.defaults();
        private int parallel = 4;
        private int maxQueue = 512;
        private boolean unifiedKv;
        private long promptCacheBytes = 1L << 30;
        private Model draftModel;
        private DraftParams draft = DraftParams.DEFAULTS;
        private int warmupTokens = Math.max(0, Integer.getInteger("puna.warmupTokens", 8));
        private Path diskCacheDir;
        private long diskCacheBytes;
        private String diskCacheModelKey;
        private List<LoraScale> diskCacheAdapters = List.of();
        private Duration idleSaveDelay = Duration.ofMillis(250);
        private Duration threadKeepAlive = Duration.ofSeconds(1);
        private Duration batchWindow = Duration.ofMillis(5);
        private Duration stepTarget = Duration.ofMillis(300);
        private Duration firstTokenPause = Duration.ZERO;

        private Builder() {
        }

        public Builder session(SessionParams params) {
            Objects.requireNonNull(params, "session");
            InvalidParameterException.require(!params.embeddings(), "embeddings",
                    "an engine generates; it opens its own embedding context when asked to embed");
            this.session = params;
            return this;
        }

        public Builder parallel(int n) {
            InvalidParameterException.require(n >= 1 && n <= 256, "num_parallel", "must be between 1 and 256, got " + n);
            this.parallel = n;
            return this;
        }

        public Builder maxQueue(int n) {
            InvalidParameterException.require(n >= 0, "max_queue", "must be >= 0, got " + n);
            this.maxQueue = n;
            return this;
        }

        public Builder unifiedKv(boolean v) {
            this.unifiedKv = v;
            return this;
        }

        public Builder promptCacheBytes(long bytes) {
            InvalidParameterException.require(bytes >= 0, "cache_ram", "must be >= 0, got " + bytes);
            this.promptCacheBytes = bytes;
            return this;
        }

        /**
         * Keeps the prompt cache on disk too: in {@code dir}, within {@code maxBytes}, for the model known as
         * {@code modelKey} (it must change whenever the weights do). {@code dir} null or {@code maxBytes} 0: off.
         * Only sequences computed without LoRA adapters go to disk.
         */
        public Builder diskCache(Path dir, long maxBytes, String modelKey) {
            return diskCache(dir, maxBytes, modelKey, List.of());
        }

        /**
         * As {@link #diskCache(Path, long, String)}, for sequences computed under {@code adapters} (exactly that set,
         * at those scales; empty: without adapters) instead. A KV state computed under adapters is only right under
         * the same ones, so {@code modelKey} must change whenever their files do, as it does for the weights; the
         * scales are part of the cache's identity.
         */
        public Builder diskCache(Path dir, long maxBytes, String modelKey, List<LoraScale> adapters) {
            InvalidParameterException.require(maxBytes >= 0, "cache_disk", "must be >= 0, got " + maxBytes);
            Objects.requireNonNull(adapters, "adapters");
            if (dir == null || maxBytes == 0) {
                this.diskCacheDir = null;
                this.diskCacheBytes = 0;
                this.diskCacheModelKey = null;
                this.diskCacheAdapters = List.of();
                return this;
            }
            InvalidParameterException.require(modelKey != null && !modelKey.isBlank(), "cache_disk",
                    "a disk cache needs a model key, to never load another model's state");
            this.diskCacheDir = dir;
            this.diskCacheBytes = maxBytes;
            this.diskCacheModelKey = modelKey;
            this.diskCacheAdapters = List.copyOf(adapters);
            return this;
        }

        /** Speculative decoding with {@code model} as the draft (null: none), speculating as {@code params} say. */
        public Builder draft(Model model, DraftParams params) {
            this.draftModel = model;
            this.draft = Objects.requireNonNull(params, "params");
            return this;
        }

        /** Tokens to generate and forget when the engine starts (0: no warm-up). */
        public Builder warmupTokens(int n) {
            InvalidParameterException.require(n >= 0 && n <= 1024, "warmup_tokens",
                    "must be between 0 and 1024, got " + n);
            this.warmupTokens = n;
            return this;
        }

        /** How long the engine must idle before it saves an idle slot's conversation (0 to 1 hour). */
        public Builder idleSaveDelay(Duration delay) {
            this.idleSaveDelay = requireUpTo(delay, Duration.ofHours(1), "idle_save_delay", "1 hour");
            return this;
        }

        /** How long the decode thread stays once the engine has nothing to do (0 to 1 hour; 0: until closed). */
        public Builder threadKeepAlive(Duration keepAlive) {
            this.threadKeepAlive = requireUpTo(keepAlive, Duration.ofHours(1), "thread_keep_alive", "1 hour");
            return this;
        }

        /** How long an idle engine waits for a burst's next request before its first step (0 to 1 second). */
        public Builder batchWindow(Duration window) {
            this.batchWindow = requireUpTo(window, Duration.ofSeconds(1), "batch_window", "1 second");
            return this;
        }

        /** How long one step should last while several prompts wait (0 to 1 minute; 0: fill every batch). */
        public Builder stepTarget(Duration target) {
            this.stepTarget = requireUpTo(target, Duration.ofMinutes(1), "step_target", "1 minute");
            return this;
        }

        /** How long the decode thread sleeps after a step that gave a request its first token (0 to 1 second). */
        public Builder firstTokenPause(Duration pause) {
            this.firstTokenPause = requireUpTo(pause, Duration.ofSeconds(1), "first_token_pause", "1 second");
            return this;
        }

        /** {@code value}, checked to lie between 0 and {@code max}; null is a NullPointerException. */
        private static Duration requireUpTo(Duration value, Duration max, String parameter, String maxText) {
            Objects.requireNonNull(value, parameter);
            InvalidParameterException.require(!value.isNegative() && value.compareTo(max) <= 0, parameter,
                    "must be between 0 and " + maxText + ", got " + value);
            return value;
        }

        public EngineParams build() {
            return new EngineParams(this);
        }
    }
}
