package dev.puna.http;

import dev.puna.http.internal.CompletionTemplateFile;
import dev.puna.http.internal.Durations;
import dev.puna.http.internal.ModelNames;
import dev.puna.runtime.FlashAttention;
import dev.puna.runtime.InvalidParameterException;
import dev.puna.runtime.KvCacheType;
import dev.puna.runtime.completion.CompletionTemplate;
import dev.puna.runtime.completion.CompletionTemplateException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of a {@link PunaServer}. Immutable; build with {@link #builder()} or read the {@code PUNA_*}
 * environment variables with {@link #fromEnvironment(Map)}.
 *
 * <table>
 *   <caption>Environment variables (Ollama's {@code OLLAMA_*} knobs under Puna's prefix)</caption>
 *   <tr><th>Variable</th><th>Default</th><th>Meaning</th></tr>
 *   <tr><td>{@code PUNA_HOST}</td><td>{@code 127.0.0.1:11434}</td>
 *       <td>address to listen on: {@code host}, {@code host:port}, {@code :port}, {@code [::1]:port}, with an
 *       optional {@code http://} prefix</td></tr>
 *   <tr><td>{@code PUNA_ORIGINS}</td><td>none</td><td>comma-separated extra CORS origins, {@code *} wildcards
 *       allowed, added to Ollama's defaults (localhost, 127.0.0.1, 0.0.0.0 on any port; app://, file://,
 *       tauri://, vscode-webview://)</td></tr>
 *   <tr><td>{@code PUNA_KEEP_ALIVE}</td><td>{@code 5m}</td><td>how long an idle model stays loaded: a Go
 *       duration or seconds; negative = forever, 0 = unload after each request</td></tr>
 *   <tr><td>{@code PUNA_NUM_PARALLEL}</td><td>4</td><td>slots per loaded model (requests decoded together)</td></tr>
 *   <tr><td>{@code PUNA_MAX_LOADED_MODELS}</td><td>3</td><td>models loaded at once; idle ones are evicted first</td></tr>
 *   <tr><td>{@code PUNA_MAX_QUEUE}</td><td>512</td><td>requests waiting per model; beyond it 503 with
 *       Retry-After</td></tr>
 *   <tr><td>{@code PUNA_CONTEXT_LENGTH}</td><td>4096</td><td>default {@code num_ctx} (per slot)</td></tr>
 *   <tr><td>{@code PUNA_FLASH_ATTENTION}</td><td>auto</td><td>{@code true}/{@code 1}, {@code false}/{@code 0}
 *       or {@code auto}</td></tr>
 *   <tr><td>{@code PUNA_KV_CACHE_TYPE}</td><td>{@code f16}</td><td>{@code f16}, {@code q8_0} or {@code q4_0}
 *       (quantized types need flash attention)</td></tr>
 *   <tr><td>{@code PUNA_MODELS}</td><td>{@code ~/.puna/models}</td><td>the model store's directory</td></tr>
 *   <tr><td>{@code PUNA_OLLAMA_MODELS}</td><td>off</td><td>also serve the models of an Ollama store, read-only:
 *       {@code true}/{@code 1} for {@code ~/.ollama/models}, or its directory; {@code false}/{@code 0} for off</td></tr>
 *   <tr><td>{@code PUNA_HF_ENDPOINT}</td><td>{@code https://hf.co}</td><td>where {@code hf.co/<user>/<repo>:<quant>}
 *       models are pulled from: a Hugging Face mirror speaking the same registry protocol (as {@code HF_ENDPOINT}
 *       is for Hugging Face's own tools)</td></tr>
 *   <tr><td>{@code PUNA_MAX_BODY_SIZE}</td><td>{@code 32MiB}</td><td>largest request body; larger ones get 413
 *       (bytes, or with a {@code KiB}/{@code MiB}/{@code GiB} suffix)</td></tr>
 *   <tr><td>{@code PUNA_MAX_MEMORY}</td><td>physical RAM</td><td>memory that loaded models (weights plus KV
 *       cache, estimated before loading) may take together; same syntax as the body size</td></tr>
 *   <tr><td>{@code PUNA_COMPLETION_TEMPLATES}</td><td>none</td><td>a JSON file mapping model names to
 *       code-completion templates ({@code {"qwen2.5-coder:1.5b": "{<|fim_prefix|>}{code_prefix}..."}}, see
 *       {@link dev.puna.runtime.completion.CompletionTemplate}); models without one use a template built from their
 *       fill-in-the-middle tokens</td></tr>
 * </table>
 *
 * <p>Every value is checked when it is read; an invalid one is a {@link ServerConfigException} naming the
 * variable, so a typo stops the server at startup instead of being ignored.
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
    private final Path modelsDir;
    private final Path ollamaModelsDir;
    private final java.net.URI huggingFaceEndpoint;
    private final long maxBodyBytes;
    private final long maxMemoryBytes;
    private final long promptCacheBytes;
    private final int numThread;
    private final Map<String, String> completionTemplates;

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
        this.kvCacheType = b.kvCacheType;
        this.modelsDir = b.modelsDir;
        this.ollamaModelsDir = b.ollamaModelsDir;
        this.huggingFaceEndpoint = b.huggingFaceEndpoint;
        this.maxBodyBytes = b.maxBodyBytes;
        this.maxMemoryBytes = b.maxMemoryBytes;
        this.promptCacheBytes = b.promptCacheBytes;
        this.numThread = b.numThread;
        this.completionTemplates = Map.copyOf(b.completionTemplates);
    }

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
     * variables keep their defaults.
     *
     * @throws ServerConfigException naming the first invalid variable
     */
    public static ServerConfig fromEnvironment(Map<String, String> env) {
        Builder b = builder();
        read(env, "PUNA_HOST", v -> b.listen(v));
        read(env, "PUNA_ORIGINS", v -> b.origins(splitList(v)));
        read(env, "PUNA_KEEP_ALIVE", v -> b.keepAlive(Durations.parse(v)));
        read(env, "PUNA_NUM_PARALLEL", v -> b.numParallel(parseInt(v)));
        read(env, "PUNA_MAX_LOADED_MODELS", v -> b.maxLoadedModels(parseInt(v)));
        read(env, "PUNA_MAX_QUEUE", v -> b.maxQueue(parseInt(v)));
        read(env, "PUNA_CONTEXT_LENGTH", v -> b.contextLength(parseInt(v)));
        read(env, "PUNA_FLASH_ATTENTION", v -> b.flashAttention(parseFlashAttention(v)));
        read(env, "PUNA_KV_CACHE_TYPE", v -> b.kvCacheType(KvCacheType.parse(v)));
        read(env, "PUNA_MODELS", v -> b.modelsDir(Path.of(v)));
        read(env, "PUNA_OLLAMA_MODELS", v -> b.ollamaModelsDir(parseOllamaModels(v)));
        read(env, "PUNA_HF_ENDPOINT", v -> b.huggingFaceEndpoint(parseEndpoint(v)));
        read(env, "PUNA_MAX_BODY_SIZE", v -> b.maxBodyBytes(parseBytes(v)));
        read(env, "PUNA_MAX_MEMORY", v -> b.maxMemoryBytes(parseBytes(v)));
        read(env, "PUNA_CACHE_RAM", v -> b.promptCacheBytes(v.strip().equals("0") ? 0 : parseBytes(v)));
        read(env, "PUNA_NUM_THREAD", v -> b.numThread(parseInt(v)));
        read(env, "PUNA_COMPLETION_TEMPLATES", v -> b.completionTemplates(CompletionTemplateFile.read(Path.of(v))));
        try {
            return b.build();
        } catch (InvalidParameterException e) {
            throw new ServerConfigException(e.parameter().equals("kv_cache_type") ? "PUNA_KV_CACHE_TYPE"
                    : e.parameter(), e.getMessage());
        }
    }

    private interface Setter {
        void set(String value);
    }

    private static void read(Map<String, String> env, String name, Setter setter) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return;
        }
        try {
            setter.set(value.strip());
        } catch (ServerConfigException e) {
            throw e; // setters name their variable themselves
        } catch (IllegalArgumentException | InvalidParameterException e) {
            String why = e instanceof InvalidParameterException ipe
                    ? e.getMessage().substring(ipe.parameter().length() + 2) : e.getMessage();
            throw new ServerConfigException(name, "invalid value '" + value.strip() + "': " + why);
        }
    }

    private static int parseInt(String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number");
        }
    }

    private static List<String> splitList(String v) {
        List<String> out = new ArrayList<>();
        for (String part : v.split(",")) {
            if (!part.isBlank()) {
                out.add(part.strip());
            }
        }
        return out;
    }

    /** {@code true}/{@code 1}: Ollama's default directory; {@code false}/{@code 0}: none; else a directory. */
    private static Path parseOllamaModels(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "1", "true", "on", "yes" -> Path.of(System.getProperty("user.home"), ".ollama", "models");
            case "0", "false", "off", "no" -> null;
            default -> Path.of(v);
        };
    }

    private static java.net.URI parseEndpoint(String v) {
        try {
            return new java.net.URI(v);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + e.getMessage());
        }
    }

    private static FlashAttention parseFlashAttention(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "1", "true", "on", "enabled" -> FlashAttention.ENABLED;
            case "0", "false", "off", "disabled" -> FlashAttention.DISABLED;
            case "auto" -> FlashAttention.AUTO;
            default -> throw new IllegalArgumentException("expected true, false or auto");
        };
    }

    /** Bytes, or a number with a B/KB/KiB/MB/MiB/GB/GiB/TB/TiB suffix (case-insensitive). */
    static long parseBytes(String v) {
        String s = v.strip().toLowerCase(Locale.ROOT).replace(" ", "");
        int split = 0;
        while (split < s.length() && (Character.isDigit(s.charAt(split)) || s.charAt(split) == '.')) {
            split++;
        }
        String unit = s.substring(split);
        long multiplier = switch (unit) {
            case "", "b" -> 1L;
            case "kb" -> 1_000L;
            case "kib", "k" -> 1L << 10;
            case "mb" -> 1_000_000L;
            case "mib", "m" -> 1L << 20;
            case "gb" -> 1_000_000_000L;
            case "gib", "g" -> 1L << 30;
            case "tb" -> 1_000_000_000_000L;
            case "tib", "t" -> 1L << 40;
            default -> throw new IllegalArgumentException("unknown size unit '" + unit + "' (use B, KiB, MiB, GiB)");
        };
        double number;
        try {
            number = Double.parseDouble(s.substring(0, split));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a size such as 512MiB or 8GiB");
        }
        double bytes = number * multiplier;
        if (!(bytes >= 1) || bytes > Long.MAX_VALUE) {
            throw new IllegalArgumentException("expected a positive size");
        }
        return (long) bytes;
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

    /** CPU threads per model when a request does not set {@code num_thread}; 0 means all cores. */
    public int numThread() {
        return numThread;
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

    /** The {@code host:port} this configuration binds, IPv6 addresses in brackets. */
    public String address() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return "ServerConfig[" + address() + ", keep_alive=" + Durations.format(keepAlive) + ", parallel="
                + numParallel + ", max_loaded_models=" + maxLoadedModels + ", max_queue=" + maxQueue + ", num_ctx="
                + contextLength + ", flash_attention=" + flashAttention.name().toLowerCase(Locale.ROOT)
                + ", kv_cache_type=" + kvCacheType + ", models=" + modelsDir
                + (ollamaModelsDir == null ? "" : ", ollama_models=" + ollamaModelsDir) + ", max_body=" + maxBodyBytes
                + ", max_memory=" + maxMemoryBytes + ", cache_ram=" + promptCacheBytes + ", num_thread=" + numThread + "]";
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
        private Path modelsDir = Path.of(System.getProperty("user.home"), ".puna", "models");
        private Path ollamaModelsDir;
        private java.net.URI huggingFaceEndpoint;
        private long maxBodyBytes = 32L << 20;
        private long maxMemoryBytes = physicalMemory();
        private long promptCacheBytes = 1L << 30;
        private int numThread;
        private final Map<String, String> completionTemplates = new LinkedHashMap<>();

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
            String s = spec.strip();
            int scheme = s.indexOf("://");
            if (scheme >= 0) {
                if (!s.substring(0, scheme).equalsIgnoreCase("http")) {
                    throw new ServerConfigException("PUNA_HOST", "only http:// is supported, got '" + spec + "'");
                }
                s = s.substring(scheme + 3);
            }
            int slash = s.indexOf('/');
            if (slash >= 0) {
                s = s.substring(0, slash);
            }
            String h;
            String p = null;
            if (s.startsWith("[")) {
                int close = s.indexOf(']');
                if (close < 0) {
                    throw new ServerConfigException("PUNA_HOST", "unclosed '[' in '" + spec + "'");
                }
                h = s.substring(1, close);
                String rest = s.substring(close + 1);
                if (rest.startsWith(":")) {
                    p = rest.substring(1);
                } else if (!rest.isEmpty()) {
                    throw new ServerConfigException("PUNA_HOST", "unexpected '" + rest + "' in '" + spec + "'");
                }
            } else if (s.indexOf(':') != s.lastIndexOf(':')) {
                h = s; // a bare IPv6 address
            } else {
                int colon = s.indexOf(':');
                h = colon < 0 ? s : s.substring(0, colon);
                p = colon < 0 ? null : s.substring(colon + 1);
            }
            if (h.isEmpty()) {
                h = "127.0.0.1";
            }
            if (!h.matches("[A-Za-z0-9._:%-]+")) {
                throw new ServerConfigException("PUNA_HOST", "invalid host '" + h + "' in '" + spec + "'");
            }
            int portNumber = DEFAULT_PORT;
            if (p != null) {
                try {
                    portNumber = Integer.parseInt(p);
                } catch (NumberFormatException e) {
                    throw new ServerConfigException("PUNA_HOST", "invalid port '" + p + "' in '" + spec + "'");
                }
            }
            this.host = h;
            return port(portNumber);
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
            if (kvCacheType != KvCacheType.F16 && flashAttention == FlashAttention.DISABLED) {
                throw new ServerConfigException("PUNA_KV_CACHE_TYPE",
                        "a quantized KV cache (" + kvCacheType + ") requires flash attention (PUNA_FLASH_ATTENTION)");
            }
            return new ServerConfig(this);
        }
    }
}
