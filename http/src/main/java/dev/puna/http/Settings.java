package dev.puna.http;

import dev.puna.http.internal.CompletionTemplateFile;
import dev.puna.http.internal.Durations;
import dev.puna.runtime.FlashAttention;
import dev.puna.runtime.KvCacheType;
import dev.puna.state.DatabaseUrl;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The registry of every server setting: the one place that defines each setting's name, default, parser and
 * help text. The environment, the config file ({@link ConfigFile}), the flags of {@code puna serve} and
 * {@code --print-config} all go through it.
 *
 * <p>To add a setting: a field with its default and a validating setter on {@link ServerConfig.Builder}, an
 * accessor on {@link ServerConfig}, and one {@link Setting#of} entry below; the variable, the config-file key, the
 * flag and the {@code --print-config} line follow from it. Document it in README's table.
 */
public final class Settings {
    private static final List<Setting> ALL = List.of(
            Setting.of("PUNA_HOST", "127.0.0.1:11434", "listen address: host, host:port, :port or [v6]:port",
                    ServerConfig.Builder::listen),
            Setting.of("PUNA_ORIGINS", "", "extra CORS origins (comma-separated, * wildcards)",
                    (b, v) -> b.origins(list(v))),
            Setting.of("PUNA_KEEP_ALIVE", "5m", "how long an idle model stays loaded (negative: forever)",
                    (b, v) -> b.keepAlive(Durations.parse(v))),
            Setting.of("PUNA_NUM_PARALLEL", "4", "slots per loaded model", (b, v) -> b.numParallel(integer(v))),
            Setting.of("PUNA_MAX_LOADED_MODELS", "3", "models loaded at once", (b, v) -> b.maxLoadedModels(integer(v))),
            Setting.of("PUNA_MAX_QUEUE", "512", "requests waiting per model, then 503",
                    (b, v) -> b.maxQueue(integer(v))),
            Setting.of("PUNA_CONTEXT_LENGTH", "4096", "default num_ctx (per slot)",
                    (b, v) -> b.contextLength(integer(v))),
            Setting.of("PUNA_FLASH_ATTENTION", "auto", "true, false or auto",
                    (b, v) -> b.flashAttention(flashAttention(v))),
            Setting.of("PUNA_KV_CACHE_TYPE", "f16", "f16, q8_0 or q4_0 (quantized types need flash attention)",
                    (b, v) -> b.kvCacheType(KvCacheType.parse(v))),
            Setting.of("PUNA_SWA_FULL", "false", "true: sliding-window layers (Gemma 2/3, gpt-oss, ...) keep a full-size "
                    + "KV cache, so any cached prefix can be reused, at several times the memory",
                    (b, v) -> b.swaFull(bool(v))),
            Setting.of("PUNA_MODELS", "~/.puna/models", "the model store's directory",
                    (b, v) -> b.modelsDir(Path.of(v))),
            Setting.of("PUNA_OLLAMA_MODELS", "false", "also serve an Ollama store read-only: true for "
                    + "~/.ollama/models, or its directory", (b, v) -> b.ollamaModelsDir(ollamaModels(v))),
            Setting.of("PUNA_HF_ENDPOINT", "https://hf.co", "where hf.co/<user>/<repo>:<quant> models are pulled "
                    + "from: a Hugging Face mirror speaking the same registry protocol", (b, v) -> b.huggingFaceEndpoint(
                    endpoint(v))),
            Setting.of("PUNA_MAX_BODY_SIZE", "32MiB", "largest request body (413 beyond)",
                    (b, v) -> b.maxBodyBytes(bytes(v))),
            Setting.of("PUNA_MAX_MEMORY", "(physical RAM)", "memory budget of the loaded models",
                    (b, v) -> b.maxMemoryBytes(bytes(v))),
            Setting.of("PUNA_CACHE_RAM", "1GiB", "host RAM per model for KV-cache sequences pushed out of their slots "
                    + "(0: off)", (b, v) -> b.promptCacheBytes(v.equals("0") ? 0 : bytes(v))),
            Setting.of("PUNA_GPU_OVERHEAD", "0", "GPU memory (bytes or a size) the offload planner leaves free on "
                    + "every GPU", (b, v) -> b.gpuOverheadBytes(v.equals("0") ? 0 : bytes(v))),
            Setting.of("PUNA_TENSOR_SPLIT", "(by free memory)", "proportions of the offloaded layers per GPU, "
                    + "comma-separated (llama.cpp's tensor_split, e.g. 3,1)", (b, v) -> b.tensorSplit(proportions(v))),
            Setting.of("PUNA_CACHE_DISK", "8GiB", "disk space for KV-cache sequences pushed out of host RAM and held "
                    + "by slots at shutdown, so conversations resume after a restart (0: off)",
                    (b, v) -> b.diskCacheBytes(v.equals("0") ? 0 : bytes(v))),
            Setting.of("PUNA_KV_CACHE_DIR", "(PUNA_DATA_DIR/kv-cache)", "the directory of PUNA_CACHE_DISK's files",
                    (b, v) -> b.diskCacheDir(Path.of(v))),
            Setting.of("PUNA_NUM_THREAD", "0", "CPU threads per model when a request sets no num_thread (0: all "
                    + "cores)", (b, v) -> b.numThread(integer(v))),
            Setting.of("PUNA_N_CPU_MOE", "-1", "default n_cpu_moe: how many of a mixture-of-experts model's first "
                    + "layers keep their experts in host memory when a request or Modelfile sets none (-1: the offload "
                    + "planner decides)", (b, v) -> b.cpuMoeLayers(integer(v))),
            Setting.of("PUNA_DEFAULT_MODEL", "", "the model a request without \"model\" uses (none: such a request "
                    + "is a 400)", ServerConfig.Builder::defaultModel),
            Setting.of("PUNA_COMPLETION_TEMPLATES", "", "JSON file: model name to code-completion template",
                    (b, v) -> b.completionTemplates(CompletionTemplateFile.read(Path.of(v)))),
            Setting.secret("PUNA_API_KEYS", "API keys clients must send (comma-separated); none: no key needed",
                    (b, v) -> b.apiKeys(list(v))),
            Setting.of("PUNA_API_KEY_FILE", "", "file of API keys, one a line (# comments), re-read on SIGHUP and "
                    + "when it changes", (b, v) -> b.apiKeyFile(Path.of(v))),
            Setting.of("PUNA_METRICS_PUBLIC", "false", "serve GET /metrics without a key when keys are set",
                    (b, v) -> b.metricsPublic(bool(v))),
            Setting.of("PUNA_ALLOWED_HOSTS", "", "host names the Host check accepts besides localhost, loopback "
                    + "addresses and the listen address (comma-separated, *.domain; * turns the check off)",
                    (b, v) -> b.allowedHosts(list(v))),
            Setting.of("PUNA_TLS_CERT", "", "PEM certificate chain: serve HTTPS (HTTP/1.1 and HTTP/2 via ALPN)",
                    (b, v) -> b.tlsCert(Path.of(v))),
            Setting.of("PUNA_TLS_KEY", "", "PEM private key of PUNA_TLS_CERT", (b, v) -> b.tlsKey(Path.of(v))),
            Setting.of("PUNA_MAX_HEADER_SIZE", "8KiB", "largest total size of a request's headers (431 beyond)",
                    (b, v) -> b.maxHeaderBytes(bytes(v))),
            Setting.of("PUNA_MAX_URL_LENGTH", "8KiB", "longest request line: method, URL and version (414 beyond)",
                    (b, v) -> b.maxUrlLength(bytes(v))),
            Setting.of("PUNA_MAX_CONNECTIONS", "1024", "open connections at once; more are closed on arrival",
                    (b, v) -> b.maxConnections(integer(v))),
            Setting.of("PUNA_IDLE_TIMEOUT", "2m", "how long a connection may wait idle for its next request (0: "
                    + "forever)", (b, v) -> b.idleTimeout(Durations.parse(v))),
            Setting.of("PUNA_HEADER_TIMEOUT", "20s", "how long a new connection may take to send its request "
                    + "headers (0: forever)", (b, v) -> b.headerTimeout(Durations.parse(v))),
            Setting.of("PUNA_MAX_NUM_CTX", "262144", "largest num_ctx a request may ask for",
                    (b, v) -> b.maxNumCtx(integer(v))),
            Setting.of("PUNA_MAX_NUM_PREDICT", "1048576", "largest num_predict / max_tokens a request may ask for",
                    (b, v) -> b.maxNumPredict(integer(v))),
            Setting.of("PUNA_MAX_CHOICES", "128", "most choices (n) per prompt", (b, v) -> b.maxChoices(integer(v))),
            Setting.of("PUNA_MAX_STOP", "16", "most stop sequences per request (OpenAI's stop: at most 4)",
                    (b, v) -> b.maxStop(integer(v))),
            Setting.of("PUNA_MAX_TOOLS", "128", "most tools per request", (b, v) -> b.maxTools(integer(v))),
            Setting.of("PUNA_MAX_IMAGES", "16", "most images per request", (b, v) -> b.maxImages(integer(v))),
            Setting.of("PUNA_ALLOW_UNAUTHENTICATED", "false", "allow listening on a non-loopback address without "
                    + "any API key", (b, v) -> b.allowUnauthenticated(bool(v))),
            Setting.of("PUNA_DATA_DIR", "~/.puna", "Puna's data directory (the stateful APIs' SQLite database "
                    + "puna.db)", (b, v) -> b.dataDir(Path.of(v))),
            Setting.secret("PUNA_DATABASE_URL", "the stateful APIs' database: postgresql://user:password@host:port/db "
                    + "(a fleet shares one) or sqlite:/path/file.db; default: SQLite in PUNA_DATA_DIR",
                    (b, v) -> b.databaseUrl(DatabaseUrl.parse(v))),
            Setting.of("PUNA_IMAGE_URL_HOSTS", "(none)", "hosts (host or host:port, comma-separated) whose http(s) "
                    + "image URLs the server may fetch; by default no remote image is fetched",
                    (b, v) -> b.imageUrlHosts(new java.util.LinkedHashSet<>(java.util.Arrays.stream(v.split(","))
                            .map(String::strip).filter(h -> !h.isEmpty()).toList()))),
            Setting.of("PUNA_RPC_SERVERS", "(none)", "llama.cpp rpc-server workers (host:port, comma-separated) that "
                    + "models' layers are split over, as llama-server's --rpc; a request's rpc_servers option picks "
                    + "some of them, or none with \"\". Workers have no authentication: loopback or a private network "
                    + "only", (b, v) -> b.rpcServers(v)),
            Setting.of("PUNA_DRAFT_MODEL", "(none)", "draft models for speculative decoding: a model name (for every "
                    + "model of the same vocabulary) and/or target=draft pairs, comma-separated",
                    (b, v) -> b.draftModels(draftModels(v))),
            Setting.of("PUNA_RUN_EXPIRY", "10m", "how long a run waits in requires_action for its tool outputs",
                    (b, v) -> b.runExpiry(Durations.parse(v))),
            Setting.of("PUNA_SHUTDOWN_TIMEOUT", "30s", "on SIGTERM, how long requests in flight may run before the "
                    + "rest are cancelled (0: at once)", (b, v) -> b.shutdownTimeout(nonNegative(v))),
            Setting.of("PUNA_LOG_FORMAT", "text", "text (human-readable) or json (one JSON object a line)",
                    (b, v) -> b.logFormat(LogFormat.parse(v))));

    private static final Map<String, Setting> BY_NAME = index();

    private Settings() {
    }

    private static Map<String, Setting> index() {
        Map<String, Setting> out = new LinkedHashMap<>();
        for (Setting s : ALL) {
            if (out.put(s.name(), s) != null) {
                throw new IllegalStateException("setting defined twice: " + s.name());
            }
        }
        return out;
    }

    /** Every setting, in the order {@code --print-config} and {@code --help} list them. */
    public static List<Setting> all() {
        return ALL;
    }

    /** The setting called {@code name} ({@code PUNA_...}), if there is one. */
    public static Optional<Setting> find(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** A Go duration or seconds that is not negative (negative would mean "forever" to {@link Durations}). */
    private static java.time.Duration nonNegative(String v) {
        if (v.startsWith("-")) {
            throw new IllegalArgumentException("must not be negative");
        }
        return Durations.parse(v);
    }

    /** {@code draft} and/or {@code target=draft} entries, comma-separated; empty for none. */
    static Map<String, String> draftModels(String v) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String entry : v.split(",")) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            int eq = e.indexOf('=');
            String target = eq < 0 ? ServerConfig.ANY_MODEL : e.substring(0, eq).strip();
            String draft = eq < 0 ? e : e.substring(eq + 1).strip();
            if (target.isEmpty() || draft.isEmpty()) {
                throw new IllegalArgumentException("expected a model name or target=draft, got '" + e + "'");
            }
            for (String name : eq < 0 ? List.of(draft) : List.of(target, draft)) {
                if (!dev.puna.http.internal.ModelNames.isValid(name)) {
                    throw new IllegalArgumentException("invalid model name '" + name + "'");
                }
            }
            if (out.put(target, draft) != null) {
                throw new IllegalArgumentException((eq < 0 ? "more than one default draft" : "two drafts for '"
                        + target + "'"));
            }
        }
        return out;
    }

    private static java.net.URI endpoint(String v) {
        try {
            return new java.net.URI(v);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + e.getMessage());
        }
    }

    /** A whole number. */
    static int integer(String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number");
        }
    }

    /** {@code true} or {@code false} (any case); anything else is an error, never a silent default. */
    static boolean bool(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("expected true or false");
        };
    }

    /** Comma-separated non-negative numbers, e.g. {@code 3,1} or {@code 0.6, 0.4}. */
    static List<Float> proportions(String v) {
        List<Float> out = new ArrayList<>();
        for (String part : list(v)) {
            float f;
            try {
                f = Float.parseFloat(part);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected comma-separated numbers such as 3,1");
            }
            out.add(f);
        }
        return out;
    }

    /** A comma-separated list; blank items are dropped. */
    static List<String> list(String v) {
        List<String> out = new ArrayList<>();
        for (String part : v.split(",")) {
            if (!part.isBlank()) {
                out.add(part.strip());
            }
        }
        return out;
    }

    /** {@code true}/{@code 1}: Ollama's default directory; {@code false}/{@code 0}: none; else a directory. */
    private static Path ollamaModels(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "1", "true", "on", "yes" -> Path.of(System.getProperty("user.home"), ".ollama", "models");
            case "0", "false", "off", "no" -> null;
            default -> Path.of(v);
        };
    }

    private static FlashAttention flashAttention(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "1", "true", "on", "enabled" -> FlashAttention.ENABLED;
            case "0", "false", "off", "disabled" -> FlashAttention.DISABLED;
            case "auto" -> FlashAttention.AUTO;
            default -> throw new IllegalArgumentException("expected true, false or auto");
        };
    }

    /** Bytes, or a number with a B/KB/KiB/MB/MiB/GB/GiB/TB/TiB suffix (case-insensitive). */
    static long bytes(String v) {
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
}
