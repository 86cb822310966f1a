package dev.puna.http;

import dev.puna.http.internal.Durations;
import dev.puna.http.internal.ModelNames;
import dev.puna.runtime.FlashAttention;
import dev.puna.runtime.InvalidParameterException;
import dev.puna.runtime.KvCacheType;
import dev.puna.runtime.completion.CompletionTemplate;
import dev.puna.runtime.completion.CompletionTemplateException;
import dev.puna.runtime.rpc.RpcEndpoint;
import dev.puna.state.DatabaseUrl;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of a {@link PunaServer}. Immutable; build with {@link #builder()}, read the {@code PUNA_*} environment
 * variables with {@link #fromEnvironment(Map)}, or resolve flags, environment and config file together with
 * {@link EffectiveConfig}. Every setting (its variable, default, parser and help text) is defined once, in
 * {@link Settings}; README's table lists them.
 *
 * <p>Every value is checked when it is read; an invalid one is a {@link ServerConfigException} naming the
 * variable, so a typo stops the server at startup instead of being ignored. {@link #toString()} never shows API
 * keys.
 */
public final class ServerConfig {
    /** Ollama's port, so that existing clients find the server without configuration. */
    public static final int DEFAULT_PORT = 11434;

    private final String host;
    private final int port;
    private final List<String> origins;
    private final Duration keepAlive;
    private final int numParallel;
    private final int maxLoadedModels;
    private final int maxQueue;
    private final int contextLength;
    private final FlashAttention flashAttention;
    private final KvCacheType kvCacheType;
    private final boolean swaFull;
    private final Path modelsDir;
    private final Path ollamaModelsDir;
    private final java.net.URI huggingFaceEndpoint;
    private final long maxBodyBytes;
    private final long maxMemoryBytes;
    private final long promptCacheBytes;
    private final long gpuOverheadBytes;
    private final List<Float> tensorSplit;
    private final long diskCacheBytes;
    private final Path diskCacheDir;
    private final int numThread;
    private final int cpuMoeLayers;
    private final Map<String, String> completionTemplates;
    private final List<String> apiKeys;
    private final Path apiKeyFile;
    private final boolean metricsPublic;
    private final String defaultModel;
    private final java.util.Set<String> imageUrlHosts;
    private final List<RpcEndpoint> rpcServers;
    private final boolean allowUnauthenticated;
    private final List<String> allowedHosts;
    private final Path tlsCert;
    private final Path tlsKey;
    private final int maxHeaderBytes;
    private final int maxUrlLength;
    private final int maxConnections;
    private final Duration idleTimeout;
    private final Duration headerTimeout;
    private final int maxNumCtx;
    private final int maxNumPredict;
    private final int maxChoices;
    private final int maxStop;
    private final int maxTools;
    private final int maxImages;
    private final Path dataDir;
    private final DatabaseUrl databaseUrl;
    private final Duration runExpiry;
    private final Map<String, String> draftModels;
    private final Duration shutdownTimeout;
    private final LogFormat logFormat;

    private ServerConfig(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.origins = List.copyOf(b.origins);
        this.keepAlive = b.keepAlive;
        this.numParallel = b.numParallel;
        this.maxLoadedModels = b.maxLoadedModels;
        this.maxQueue = b.maxQueue;
        this.contextLength = b.contextLength;
        this.flashAttention = b.flashAttention;
        this.swaFull = b.swaFull;
        this.kvCacheType = b.kvCacheType;
        this.modelsDir = b.modelsDir;
        this.ollamaModelsDir = b.ollamaModelsDir;
        this.huggingFaceEndpoint = b.huggingFaceEndpoint;
        this.maxBodyBytes = b.maxBodyBytes;
        this.maxMemoryBytes = b.maxMemoryBytes;
        this.promptCacheBytes = b.promptCacheBytes;
        this.gpuOverheadBytes = b.gpuOverheadBytes;
        this.tensorSplit = List.copyOf(b.tensorSplit);
        this.diskCacheBytes = b.diskCacheBytes;
        this.diskCacheDir = b.diskCacheDir;
        this.numThread = b.numThread;
        this.cpuMoeLayers = b.cpuMoeLayers;
        this.completionTemplates = Map.copyOf(b.completionTemplates);
        this.apiKeys = List.copyOf(b.apiKeys);
        this.apiKeyFile = b.apiKeyFile;
        this.metricsPublic = b.metricsPublic;
        this.defaultModel = b.defaultModel;
        this.imageUrlHosts = java.util.Set.copyOf(b.imageUrlHosts);
        this.rpcServers = b.rpcServers;
        this.allowUnauthenticated = b.allowUnauthenticated;
        this.allowedHosts = List.copyOf(b.allowedHosts);
        this.tlsCert = b.tlsCert;
        this.tlsKey = b.tlsKey;
        this.maxHeaderBytes = b.maxHeaderBytes;
        this.maxUrlLength = b.maxUrlLength;
        this.maxConnections = b.maxConnections;
        this.idleTimeout = b.idleTimeout;
        this.headerTimeout = b.headerTimeout;
        this.maxNumCtx = b.maxNumCtx;
        this.maxNumPredict = b.maxNumPredict;
        this.maxChoices = b.maxChoices;
        this.maxStop = b.maxStop;
        this.maxTools = b.maxTools;
        this.maxImages = b.maxImages;
        this.dataDir = b.dataDir;
        this.databaseUrl = b.databaseUrl;
        this.runExpiry = b.runExpiry;
        this.draftModels = Map.copyOf(b.draftModels);
        this.shutdownTimeout = b.shutdownTimeout;
        this.logFormat = b.logFormat;
    }

    /** How long in-flight requests may run once a shutdown began ({@link PunaServer#drain}); default 30 s. */
    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    /** How the server's logs are written ({@code PUNA_LOG_FORMAT}); applied by the CLI's log configuration. */
    public LogFormat logFormat() {
        return logFormat;
    }

    /** Puna's data directory ({@code PUNA_DATA_DIR}). */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * The database of the stateful APIs: {@code PUNA_DATABASE_URL}, else SQLite's {@code puna.db} in the
     * {@linkplain #dataDir() data directory}.
     */
    public DatabaseUrl databaseUrl() {
        return databaseUrl != null ? databaseUrl : DatabaseUrl.sqlite(dataDir.resolve("puna.db"));
    }

    /** Whether {@code PUNA_DATABASE_URL} names the database (else it is the default SQLite file). */
    public boolean databaseConfigured() {
        return databaseUrl != null;
    }

    /** How long a run waits in {@code requires_action} for its tool outputs ({@code PUNA_RUN_EXPIRY}). */
    public Duration runExpiry() {
        return runExpiry;
    }

    /**
     * {@code PUNA_DRAFT_MODEL}: draft models for speculative decoding by target model name (canonical), and under
     * {@link #ANY_MODEL} the draft for every other model (used only where its vocabulary matches).
     */
    public Map<String, String> draftModels() {
        return draftModels;
    }

    /** The {@link #draftModels()} key of the default draft. */
    public static final String ANY_MODEL = "*";

    /** A builder holding the defaults of the table above. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults, as with an empty environment. */
    public static ServerConfig defaults() {
        return builder().build();
    }

    /**
     * Reads the {@code PUNA_*} variables of {@code env} (pass {@code System.getenv()}); unset or blank
     * variables keep their defaults. The same as {@link EffectiveConfig#resolve} with no flags and no config file.
     *
     * @throws ServerConfigException naming the first invalid variable
     */
    public static ServerConfig fromEnvironment(Map<String, String> env) {
        return EffectiveConfig.resolve(Map.of(), env, ConfigFile.NONE).toServerConfig();
    }

    /** Host name or address to bind (default 127.0.0.1: reachable from this machine only). */
    public String host() {
        return host;
    }

    /** TCP port (default 11434; 0 picks a free port, see {@link PunaServer#port()}). */
    public int port() {
        return port;
    }

    /** CORS origins allowed in addition to Ollama's defaults (exact, or with {@code *} wildcards). */
    public List<String> origins() {
        return origins;
    }

    /** How long an idle model stays loaded when a request does not say; negative means forever. */
    public Duration keepAlive() {
        return keepAlive;
    }

    /** Slots per loaded model. */
    public int numParallel() {
        return numParallel;
    }

    /** Models loaded at once. */
    public int maxLoadedModels() {
        return maxLoadedModels;
    }

    /** Requests that may wait for a slot, per model. */
    public int maxQueue() {
        return maxQueue;
    }

    /** Default {@code num_ctx}: the context of each slot. */
    public int contextLength() {
        return contextLength;
    }

    /** Flash attention setting for every loaded model. */
    public FlashAttention flashAttention() {
        return flashAttention;
    }

    /**
     * Whether the sliding-window layers of models that have them keep a full-size KV cache ({@code PUNA_SWA_FULL},
     * llama-server's {@code --swa-full}) instead of a window-sized one.
     */
    public boolean swaFull() {
        return swaFull;
    }

    /** KV cache type for every loaded model. */
    public KvCacheType kvCacheType() {
        return kvCacheType;
    }

    /** Where models are stored. */
    public Path modelsDir() {
        return modelsDir;
    }

    /** The Ollama store whose models are also served, read-only ({@code PUNA_OLLAMA_MODELS}), or null for none. */
    public Path ollamaModelsDir() {
        return ollamaModelsDir;
    }

    /** Where {@code hf.co/...} models are pulled from ({@code PUNA_HF_ENDPOINT}), or null for {@code https://hf.co}. */
    public java.net.URI huggingFaceEndpoint() {
        return huggingFaceEndpoint;
    }

    /** Largest accepted request body in bytes. */
    public long maxBodyBytes() {
        return maxBodyBytes;
    }

    /** Memory the loaded models may take together, in bytes (estimated before each load). */
    public long maxMemoryBytes() {
        return maxMemoryBytes;
    }

    /** Host RAM each loaded model may use to keep KV-cache sequences pushed out of its slots (0: none). */
    public long promptCacheBytes() {
        return promptCacheBytes;
    }

    /** GPU memory the offload planner leaves free on every GPU, in bytes ({@code PUNA_GPU_OVERHEAD}). */
    public long gpuOverheadBytes() {
        return gpuOverheadBytes;
    }

    /** Proportions of the offloaded layers per GPU ({@code PUNA_TENSOR_SPLIT}); empty: by free memory. */
    public List<Float> tensorSplit() {
        return tensorSplit;
    }

    /**
     * The most bytes of KV-cache files on disk ({@code PUNA_CACHE_DISK}), over all models: conversations pushed out of
     * host RAM and held by slots at shutdown, so they resume after a restart. 0: the prompt cache stays in RAM.
     */
    public long diskCacheBytes() {
        return diskCacheBytes;
    }

    /** Where the KV-cache files are ({@code PUNA_KV_CACHE_DIR}): by default {@code kv-cache} in the data directory. */
    public Path diskCacheDir() {
        return diskCacheDir != null ? diskCacheDir : dataDir.resolve("kv-cache");
    }

    /** CPU threads per model when a request does not set {@code num_thread}; 0 means all cores. */
    public int numThread() {
        return numThread;
    }

    /**
     * {@code n_cpu_moe} when neither a request nor the Modelfile sets it ({@code PUNA_N_CPU_MOE}, llama-server's
     * {@code --n-cpu-moe}): how many of a mixture-of-experts model's first layers keep their experts in host memory;
     * -1 (the default) leaves it to the offload planner.
     */
    public int cpuMoeLayers() {
        return cpuMoeLayers;
    }

    /**
     * The code-completion templates by model: names as {@link ModelNames#canonical} writes them (lower case, with a
     * tag), each mapped to the template's text.
     */
    public Map<String, String> completionTemplates() {
        return completionTemplates;
    }

    /**
     * The code-completion template configured for the model called {@code name} (any spelling of it: {@code x},
     * {@code x:latest}, {@code library/x}, ...), if any.
     */
    public Optional<String> completionTemplate(String name) {
        return Optional.ofNullable(completionTemplates.get(ModelNames.canonical(name)));
    }

    /** The API keys of {@code PUNA_API_KEYS} (secrets: never log them). */
    public List<String> apiKeys() {
        return apiKeys;
    }

    /** The file of API keys ({@code PUNA_API_KEY_FILE}, one a line, re-read on SIGHUP and on change), or null. */
    public Path apiKeyFile() {
        return apiKeyFile;
    }

    /** Whether any API key is configured: then every route but the public ones needs one. */
    public boolean requiresApiKey() {
        return !apiKeys.isEmpty() || apiKeyFile != null;
    }

    /** Whether {@code GET /metrics} is served without a key when keys are configured. */
    public boolean metricsPublic() {
        return metricsPublic;
    }

    /**
     * The model a generation or embedding request without {@code model} uses ({@code PUNA_DEFAULT_MODEL}), or
     * null: then such a request is a 400.
     */
    public String defaultModel() {
        return defaultModel;
    }

    /**
     * {@code PUNA_IMAGE_URL_HOSTS}: the hosts ({@code host} or {@code host:port}) whose {@code http(s)} image URLs
     * the server may fetch; empty (the default) refuses every remote image URL.
     */
    public java.util.Set<String> imageUrlHosts() {
        return imageUrlHosts;
    }

    /**
     * {@code PUNA_RPC_SERVERS}: the llama.cpp rpc-server workers models are split over (every model, unless a
     * request's {@code rpc_servers} option picks some of them or none); empty (the default) keeps models local.
     */
    public List<RpcEndpoint> rpcServers() {
        return rpcServers;
    }

    /** Whether the server may listen on a non-loopback address without any API key (then it warns). */
    public boolean allowUnauthenticated() {
        return allowUnauthenticated;
    }

    /**
     * Host names requests may name in their Host header besides localhost, loopback addresses and the listen
     * address ({@code PUNA_ALLOWED_HOSTS}; {@code *.domain} for subdomains, {@code *} alone: any).
     */
    public List<String> allowedHosts() {
        return allowedHosts;
    }

    /** The PEM certificate chain served over HTTPS ({@code PUNA_TLS_CERT}), or null for plain HTTP. */
    public Path tlsCert() {
        return tlsCert;
    }

    /** The PEM private key of {@link #tlsCert()} ({@code PUNA_TLS_KEY}), or null. */
    public Path tlsKey() {
        return tlsKey;
    }

    /** Whether the server speaks HTTPS. */
    public boolean tls() {
        return tlsCert != null;
    }

    /** Largest total size of a request's headers in bytes ({@code PUNA_MAX_HEADER_SIZE}; 431 beyond). */
    public int maxHeaderBytes() {
        return maxHeaderBytes;
    }

    /** Longest request line (method, URL, version) in bytes ({@code PUNA_MAX_URL_LENGTH}; 414 beyond). */
    public int maxUrlLength() {
        return maxUrlLength;
    }

    /** Open connections the server accepts at once ({@code PUNA_MAX_CONNECTIONS}); more are closed at once. */
    public int maxConnections() {
        return maxConnections;
    }

    /** How long a connection may wait idle for its next request ({@code PUNA_IDLE_TIMEOUT}; zero: forever). */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** How long a new connection may take to send its first request's headers ({@code PUNA_HEADER_TIMEOUT}). */
    public Duration headerTimeout() {
        return headerTimeout;
    }

    /** Largest {@code num_ctx} a request may ask for ({@code PUNA_MAX_NUM_CTX}). */
    public int maxNumCtx() {
        return maxNumCtx;
    }

    /** Largest {@code num_predict}/{@code max_tokens} a request may ask for ({@code PUNA_MAX_NUM_PREDICT}). */
    public int maxNumPredict() {
        return maxNumPredict;
    }

    /** Most choices ({@code n}) per prompt ({@code PUNA_MAX_CHOICES}). */
    public int maxChoices() {
        return maxChoices;
    }

    /** Most stop sequences per request ({@code PUNA_MAX_STOP}). */
    public int maxStop() {
        return maxStop;
    }

    /** Most tools per request ({@code PUNA_MAX_TOOLS}). */
    public int maxTools() {
        return maxTools;
    }

    /** Most images per request ({@code PUNA_MAX_IMAGES}). */
    public int maxImages() {
        return maxImages;
    }

    /** The {@code host:port} this configuration binds, IPv6 addresses in brackets. */
    public String address() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return "ServerConfig[" + address() + ", keep_alive=" + Durations.format(keepAlive) + ", parallel="
                + numParallel + ", max_loaded_models=" + maxLoadedModels + ", max_queue=" + maxQueue + ", num_ctx="
                + contextLength + ", flash_attention=" + flashAttention.name().toLowerCase(Locale.ROOT)
                + ", kv_cache_type=" + kvCacheType + (swaFull ? ", swa_full=true" : "") + ", models=" + modelsDir
                + (ollamaModelsDir == null ? "" : ", ollama_models=" + ollamaModelsDir) + ", max_body=" + maxBodyBytes
                + ", max_memory=" + maxMemoryBytes + ", cache_ram=" + promptCacheBytes + ", cache_disk=" + diskCacheBytes
                + (diskCacheBytes == 0 ? "" : ", kv_cache_dir=" + diskCacheDir())
                + (gpuOverheadBytes == 0 ? "" : ", gpu_overhead=" + gpuOverheadBytes)
                + (tensorSplit.isEmpty() ? "" : ", tensor_split=" + tensorSplit) + ", num_thread=" + numThread
                + (cpuMoeLayers < 0 ? "" : ", n_cpu_moe=" + cpuMoeLayers)
                + ", api_keys=" + apiKeys.size() + (apiKeyFile == null ? "" : ", api_key_file=" + apiKeyFile)
                + (tlsCert == null ? "" : ", tls=" + tlsCert) + (metricsPublic ? ", metrics_public" : "")
                + (defaultModel == null ? "" : ", default_model=" + defaultModel)
                + (imageUrlHosts.isEmpty() ? "" : ", image_url_hosts=" + new java.util.TreeSet<>(imageUrlHosts))
                + (rpcServers.isEmpty() ? "" : ", rpc_servers=" + rpcServers) + (allowUnauthenticated ? ", allow_unauthenticated" : "")
                + ", max_header=" + maxHeaderBytes + ", max_url=" + maxUrlLength + ", max_connections=" + maxConnections
                + ", idle_timeout=" + Durations.format(idleTimeout) + ", header_timeout="
                + Durations.format(headerTimeout) + ", max_num_ctx=" + maxNumCtx + ", max_num_predict=" + maxNumPredict
                + ", max_choices=" + maxChoices + ", max_stop=" + maxStop + ", max_tools=" + maxTools + ", max_images="
                + maxImages + ", database=" + databaseUrl() + ", run_expiry=" + Durations.format(runExpiry)
                + ", shutdown_timeout=" + Durations.format(shutdownTimeout) + ", log_format=" + logFormat
                + (draftModels.isEmpty() ? "" : ", draft_models=" + draftModels) + "]";
    }

    /** Builder for {@link ServerConfig}; each setter validates its argument. Not thread-safe. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = DEFAULT_PORT;
        private List<String> origins = List.of();
        private Duration keepAlive = Duration.ofMinutes(5);
        private int numParallel = 4;
        private int maxLoadedModels = 3;
        private int maxQueue = 512;
        private int contextLength = 4096;
        private FlashAttention flashAttention = FlashAttention.AUTO;
        private KvCacheType kvCacheType = KvCacheType.F16;
        private boolean swaFull;
        private Path modelsDir = Path.of(System.getProperty("user.home"), ".puna", "models");
        private Path ollamaModelsDir;
        private java.net.URI huggingFaceEndpoint;
        private long maxBodyBytes = 32L << 20;
        private long maxMemoryBytes = physicalMemory();
        private long promptCacheBytes = 1L << 30;
        private long gpuOverheadBytes;
        private List<Float> tensorSplit = List.of();
        private long diskCacheBytes = 8L << 30;
        private Path diskCacheDir;
        private int numThread;
        private int cpuMoeLayers = -1;
        private final Map<String, String> completionTemplates = new LinkedHashMap<>();
        private List<String> apiKeys = List.of();
        private Path apiKeyFile;
        private boolean metricsPublic;
        private String defaultModel;
        private java.util.Set<String> imageUrlHosts = java.util.Set.of();
        private List<RpcEndpoint> rpcServers = List.of();
        private boolean allowUnauthenticated;
        private List<String> allowedHosts = List.of();
        private Path tlsCert;
        private Path tlsKey;
        private int maxHeaderBytes = 8 << 10;
        private int maxUrlLength = 8 << 10;
        private int maxConnections = 1024;
        private Duration idleTimeout = Duration.ofMinutes(2);
        private Duration headerTimeout = Duration.ofSeconds(20);
        private int maxNumCtx = 1 << 18;
        private int maxNumPredict = 1 << 20;
        private Path dataDir = Path.of(System.getProperty("user.home"), ".puna");
        private DatabaseUrl databaseUrl;
        private Duration runExpiry = Duration.ofMinutes(10);
        private Map<String, String> draftModels = Map.of();
        private Duration shutdownTimeout = Duration.ofSeconds(30);
        private LogFormat logFormat = LogFormat.TEXT;
        private int maxChoices = 128;
        private int maxStop = 16;
        private int maxTools = 128;
        private int maxImages = 16;

        private Builder() {
        }

        private static long physicalMemory() {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                long total = os.getTotalMemorySize();
                if (total > 0) {
                    return total;
                }
            }
            return Long.MAX_VALUE;
        }

        /**
         * Sets host and port from Ollama's {@code OLLAMA_HOST} syntax: {@code host}, {@code host:port},
         * {@code :port}, {@code [v6]:port}, optionally prefixed with {@code http://}.
         *
         * @throws ServerConfigException naming {@code PUNA_HOST} for anything else
         */
        public Builder listen(String spec) {
            ListenAddress a = ListenAddress.parse(spec);
            this.host = a.host();
            return port(a.port());
        }

        /** Sets the host to bind. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** Sets the port; 0 picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new ServerConfigException("PUNA_HOST", "port must be between 0 and 65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** Sets the extra CORS origins. */
        public Builder origins(List<String> origins) {
            for (String o : origins) {
                if (o.isBlank() || o.chars().anyMatch(Character::isWhitespace)) {
                    throw new ServerConfigException("PUNA_ORIGINS", "invalid origin '" + o + "'");
                }
            }
            this.origins = List.copyOf(origins);
            return this;
        }

        /** Sets the default keep-alive; negative means forever, zero unloads after each request. */
        public Builder keepAlive(Duration keepAlive) {
            this.keepAlive = keepAlive.isNegative() ? Durations.FOREVER : keepAlive;
            return this;
        }

        /** Sets the slots per model (1..256). */
        public Builder numParallel(int n) {
            requireRange("PUNA_NUM_PARALLEL", n, 1, 256);
            this.numParallel = n;
            return this;
        }

        /** Sets how many models may be loaded at once (at least 1). */
        public Builder maxLoadedModels(int n) {
            requireRange("PUNA_MAX_LOADED_MODELS", n, 1, 1024);
            this.maxLoadedModels = n;
            return this;
        }

        /** Sets the queue length per model (at least 1). */
        public Builder maxQueue(int n) {
            requireRange("PUNA_MAX_QUEUE", n, 1, 1 << 20);
            this.maxQueue = n;
            return this;
        }

        /** Sets the default {@code num_ctx}. */
        public Builder contextLength(int n) {
            requireRange("PUNA_CONTEXT_LENGTH", n, 1, 1 << 24);
            this.contextLength = n;
            return this;
        }

        /** Sets flash attention for every loaded model. */
        public Builder flashAttention(FlashAttention f) {
            this.flashAttention = Objects.requireNonNull(f, "flashAttention");
            return this;
        }

        /** Full-size KV caches for sliding-window layers ({@code PUNA_SWA_FULL}). */
        public Builder swaFull(boolean v) {
            this.swaFull = v;
            return this;
        }

        /** Sets the KV cache type for every loaded model (quantized types need flash attention). */
        public Builder kvCacheType(KvCacheType t) {
            this.kvCacheType = Objects.requireNonNull(t, "kvCacheType");
            return this;
        }

        /** Sets where models are stored. */
        public Builder modelsDir(Path dir) {
            this.modelsDir = Objects.requireNonNull(dir, "modelsDir");
            return this;
        }

        /** Also serves this Ollama store's models, read-only (null: none). */
        public Builder ollamaModelsDir(Path dir) {
            this.ollamaModelsDir = dir;
            return this;
        }

        /** Sets where {@code hf.co/...} models are pulled from (an http:// or https:// URL); null for hf.co. */
        public Builder huggingFaceEndpoint(java.net.URI endpoint) {
            if (endpoint != null && (endpoint.getHost() == null || !("http".equals(endpoint.getScheme())
                    || "https".equals(endpoint.getScheme())))) {
                throw new IllegalArgumentException("the Hugging Face endpoint must be an http:// or https:// URL, "
                        + "not " + endpoint);
            }
            this.huggingFaceEndpoint = endpoint;
            return this;
        }

        /** Sets the largest accepted request body (at least 1 KiB). */
        public Builder maxBodyBytes(long n) {
            if (n < 1024) {
                throw new ServerConfigException("PUNA_MAX_BODY_SIZE", "must be at least 1KiB, got " + n + " bytes");
            }
            this.maxBodyBytes = n;
            return this;
        }

        /** Sets the memory budget of loaded models in bytes. */
        public Builder maxMemoryBytes(long n) {
            if (n < 1) {
                throw new ServerConfigException("PUNA_MAX_MEMORY", "must be positive, got " + n);
            }
            this.maxMemoryBytes = n;
            return this;
        }

        /** Sets the host RAM per model for KV-cache sequences pushed out of their slots; 0 turns it off. */
        public Builder promptCacheBytes(long n) {
            if (n < 0) {
                throw new ServerConfigException("PUNA_CACHE_RAM", "must be >= 0, got " + n);
            }
            this.promptCacheBytes = n;
            return this;
        }

        /** Sets the GPU memory left free on every GPU when planning offload; 0 (default) leaves none. */
        public Builder gpuOverheadBytes(long n) {
            if (n < 0) {
                throw new ServerConfigException("PUNA_GPU_OVERHEAD", "must be >= 0, got " + n);
            }
            this.gpuOverheadBytes = n;
            return this;
        }

        /**
         * Sets the proportions of the offloaded layers per GPU, in llama.cpp's device order; empty (default) splits
         * in proportion to each GPU's free memory.
         */
        public Builder tensorSplit(List<Float> proportions) {
            boolean positive = proportions.isEmpty();
            for (float f : proportions) {
                if (!Float.isFinite(f) || f < 0) {
                    throw new ServerConfigException("PUNA_TENSOR_SPLIT", "proportions must be finite and >= 0, got "
                            + proportions);
                }
                positive |= f > 0;
            }
            if (!positive) {
                throw new ServerConfigException("PUNA_TENSOR_SPLIT", "at least one proportion must be > 0, got "
                        + proportions);
            }
            this.tensorSplit = List.copyOf(proportions);
            return this;
        }

        /** Sets the most bytes of KV-cache files on disk, over all models; 0 keeps the prompt cache in RAM. */
        public Builder diskCacheBytes(long n) {
            if (n < 0) {
                throw new ServerConfigException("PUNA_CACHE_DISK", "must be >= 0, got " + n);
            }
            this.diskCacheBytes = n;
            return this;
        }

        /** Sets the directory of the KV-cache files; {@code null}: {@code kv-cache} in the data directory. */
        public Builder diskCacheDir(Path dir) {
            this.diskCacheDir = dir;
            return this;
        }

        /** Sets the default {@code n_cpu_moe} (-1: the offload planner decides). */
        public Builder cpuMoeLayers(int n) {
            if (n < -1) {
                throw new ServerConfigException("PUNA_N_CPU_MOE", "must be >= -1 (-1: the offload planner decides), got "
                        + n);
            }
            this.cpuMoeLayers = n;
            return this;
        }

        /** Sets the default CPU threads per model (0: all cores). */
        public Builder numThread(int n) {
            if (n < 0 || n > 1024) {
                throw new ServerConfigException("PUNA_NUM_THREAD", "must be between 0 and 1024, got " + n);
            }
            this.numThread = n;
            return this;
        }

        /**
         * Sets the code-completion template of the model called {@code model}, replacing any earlier one for the same
         * model.
         *
         * @throws ServerConfigException naming {@code PUNA_COMPLETION_TEMPLATES} for an invalid model name or a
         *     template that does not parse (an unknown placeholder, an unclosed brace)
         */
        public Builder completionTemplate(String model, String template) {
            if (!ModelNames.isValid(model)) {
                throw new ServerConfigException("PUNA_COMPLETION_TEMPLATES", "invalid model name '" + model + "'");
            }
            try {
                CompletionTemplate.parse(Objects.requireNonNull(template, "template"));
            } catch (CompletionTemplateException e) {
                throw new ServerConfigException("PUNA_COMPLETION_TEMPLATES", "the template for '" + model + "': "
                        + e.getMessage().substring(e.parameter().length() + 2));
            }
            completionTemplates.put(ModelNames.canonical(model), template);
            return this;
        }

        /** Sets several code-completion templates (see {@link #completionTemplate}). */
        public Builder completionTemplates(Map<String, String> templates) {
            templates.forEach(this::completionTemplate);
            return this;
        }

        /** Sets the accepted API keys (none: no key needed, unless a key file is set). */
        public Builder apiKeys(List<String> keys) {
            for (String k : keys) {
                if (k.isEmpty() || !k.strip().equals(k) || k.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                    throw new ServerConfigException("PUNA_API_KEYS", "an API key must be printable ASCII without "
                            + "spaces");
                }
            }
            this.apiKeys = List.copyOf(keys);
            return this;
        }

        /** Sets the file of API keys, one a line (null: none). */
        public Builder apiKeyFile(Path file) {
            this.apiKeyFile = file;
            return this;
        }

        /** Sets the RPC workers ({@code host:port,...}; blank for none). */
        public Builder rpcServers(String endpoints) {
            try {
                this.rpcServers = List.copyOf(RpcEndpoint.parseList(endpoints));
            } catch (InvalidParameterException e) {
                throw new ServerConfigException("PUNA_RPC_SERVERS", e.getMessage().substring("rpc_servers: ".length()));
            }
            return this;
        }

        /** Sets the hosts whose image URLs may be fetched ({@code host} or {@code host:port}, lower case). */
        public Builder imageUrlHosts(java.util.Set<String> hosts) {
            for (String h : hosts) {
                if (h.isBlank() || h.contains("/") || h.contains("@") || !h.equals(h.strip())) {
                    throw new ServerConfigException("PUNA_IMAGE_URL_HOSTS", "expected host or host:port, got '"
                            + h + "'");
                }
            }
            this.imageUrlHosts = java.util.Set.copyOf(hosts.stream()
                    .map(h -> h.toLowerCase(java.util.Locale.ROOT)).toList());
            return this;
        }

        /**
         * The model requests without {@code model} use (code-completion clients send none); null or empty: none.
         *
         * @throws IllegalArgumentException for a malformed model name
         */
        public Builder defaultModel(String name) {
            if (name == null || name.isBlank()) {
                this.defaultModel = null;
                return this;
            }
            if (!ModelNames.isValid(name.strip())) {
                throw new IllegalArgumentException("not a valid model name: '" + name + "'");
            }
            this.defaultModel = name.strip();
            return this;
        }

        /** Serves {@code GET /metrics} without a key even when keys are configured. */
        public Builder metricsPublic(boolean b) {
            this.metricsPublic = b;
            return this;
        }

        /** Sets Puna's data directory (the default SQLite database is {@code puna.db} there). */
        public Builder dataDir(Path dir) {
            this.dataDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** Sets the database of the stateful APIs; {@code null}: SQLite in the data directory. */
        public Builder databaseUrl(DatabaseUrl url) {
            this.databaseUrl = url;
            return this;
        }

        /** Sets how long in-flight requests may run once a shutdown began (zero: cancel them at once). */
        public Builder shutdownTimeout(Duration timeout) {
            if (timeout.isNegative()) {
                throw new ServerConfigException("PUNA_SHUTDOWN_TIMEOUT", "must not be negative, got "
                        + Durations.format(timeout));
            }
            this.shutdownTimeout = timeout;
            return this;
        }

        /** Sets the log format. */
        public Builder logFormat(LogFormat format) {
            this.logFormat = Objects.requireNonNull(format, "logFormat");
            return this;
        }

        /**
         * Sets the draft models: target model name to draft model name; {@link #ANY_MODEL} for the default draft.
         * Names are canonicalised by the server when it looks them up.
         */
        public Builder draftModels(Map<String, String> drafts) {
            this.draftModels = Map.copyOf(drafts);
            return this;
        }

        /** Sets how long a run waits for tool outputs (at least one second). */
        public Builder runExpiry(Duration expiry) {
            if (expiry.isNegative() || expiry.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new ServerConfigException("PUNA_RUN_EXPIRY", "must be at least 1s, got "
                        + Durations.format(expiry));
            }
            this.runExpiry = expiry;
            return this;
        }

        /** Lets the server listen on a non-loopback address without any API key. */
        public Builder allowUnauthenticated(boolean b) {
            this.allowUnauthenticated = b;
            return this;
        }

        /** Sets the extra host names the Host check lets through ({@code *} turns it off). */
        public Builder allowedHosts(List<String> hosts) {
            for (String h : hosts) {
                if (!h.equals("*") && !h.matches("(\\*\\.)?[A-Za-z0-9._:\\[\\]-]+")) {
                    throw new ServerConfigException("PUNA_ALLOWED_HOSTS", "invalid host name '" + h + "' (a name, "
                            + "an address, *.domain, or * alone)");
                }
            }
            this.allowedHosts = List.copyOf(hosts);
            return this;
        }

        /** Serves HTTPS with this PEM certificate chain (null: plain HTTP); needs {@link #tlsKey}. */
        public Builder tlsCert(Path cert) {
            this.tlsCert = cert;
            return this;
        }

        /** The PEM private key of {@link #tlsCert}. */
        public Builder tlsKey(Path key) {
            this.tlsKey = key;
            return this;
        }

        /** Sets the largest total header size in bytes (1 KiB .. 1 MiB). */
        public Builder maxHeaderBytes(long n) {
            requireRange("PUNA_MAX_HEADER_SIZE", n, 1 << 10, 1 << 20);
            this.maxHeaderBytes = (int) n;
            return this;
        }

        /** Sets the longest request line in bytes (256 .. 1 MiB). */
        public Builder maxUrlLength(long n) {
            requireRange("PUNA_MAX_URL_LENGTH", n, 256, 1 << 20);
            this.maxUrlLength = (int) n;
            return this;
        }

        /** Sets how many connections may be open at once (1 .. 1048576). */
        public Builder maxConnections(int n) {
            requireRange("PUNA_MAX_CONNECTIONS", n, 1, 1 << 20);
            this.maxConnections = n;
            return this;
        }

        /** Sets how long an idle connection stays open between requests; zero or negative: forever. */
        public Builder idleTimeout(Duration d) {
            this.idleTimeout = d.isNegative() ? Duration.ZERO : d;
            return this;
        }

        /** Sets how long a new connection may take to send complete request headers; zero or negative: forever. */
        public Builder headerTimeout(Duration d) {
            this.headerTimeout = d.isNegative() ? Duration.ZERO : d;
            return this;
        }

        /** Sets the largest {@code num_ctx} a request may ask for. */
        public Builder maxNumCtx(int n) {
            requireRange("PUNA_MAX_NUM_CTX", n, 1, 1 << 24);
            this.maxNumCtx = n;
            return this;
        }

        /** Sets the largest {@code num_predict} / {@code max_tokens} a request may ask for. */
        public Builder maxNumPredict(int n) {
            requireRange("PUNA_MAX_NUM_PREDICT", n, 1, Integer.MAX_VALUE);
            this.maxNumPredict = n;
            return this;
        }

        /** Sets the most choices ({@code n}) per prompt. */
        public Builder maxChoices(int n) {
            requireRange("PUNA_MAX_CHOICES", n, 1, 1024);
            this.maxChoices = n;
            return this;
        }

        /** Sets the most stop sequences per request. */
        public Builder maxStop(int n) {
            requireRange("PUNA_MAX_STOP", n, 0, 1024);
            this.maxStop = n;
            return this;
        }

        /** Sets the most tools per request. */
        public Builder maxTools(int n) {
            requireRange("PUNA_MAX_TOOLS", n, 0, 4096);
            this.maxTools = n;
            return this;
        }

        /** Sets the most images per request. */
        public Builder maxImages(int n) {
            requireRange("PUNA_MAX_IMAGES", n, 0, 1024);
            this.maxImages = n;
            return this;
        }

        private static void requireRange(String name, long n, long min, long max) {
            if (n < min || n > max) {
                throw new ServerConfigException(name, "must be between " + min + " and " + max + ", got " + n);
            }
        }

        private static void requireRange(String name, int n, int min, int max) {
            if (n < min || n > max) {
                throw new ServerConfigException(name, "must be between " + min + " and " + max + ", got " + n);
            }
        }

        /**
         * Builds the configuration.
         *
         * @throws ServerConfigException when the KV cache type needs flash attention that is disabled
         */
        public ServerConfig build() {
            if (contextLength > maxNumCtx) {
                throw new ServerConfigException("PUNA_CONTEXT_LENGTH", "the default num_ctx " + contextLength
                        + " is larger than PUNA_MAX_NUM_CTX (" + maxNumCtx + ")");
            }
            if ((tlsCert == null) != (tlsKey == null)) {
                String missing = tlsCert == null ? "PUNA_TLS_CERT" : "PUNA_TLS_KEY";
                throw new ServerConfigException(missing, "HTTPS needs both PUNA_TLS_CERT and PUNA_TLS_KEY; "
                        + missing + " is not set");
            }
            if (kvCacheType != KvCacheType.F16 && flashAttention == FlashAttention.DISABLED) {
                throw new ServerConfigException("PUNA_KV_CACHE_TYPE",
                        "a quantized KV cache (" + kvCacheType + ") requires flash attention (PUNA_FLASH_ATTENTION)");
            }
            return new ServerConfig(this);
        }
    }
}
