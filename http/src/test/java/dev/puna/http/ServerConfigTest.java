package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.runtime.FlashAttention;
import dev.puna.runtime.KvCacheType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PUNA_* variables: defaults, every variable, and a clear error for each kind of bad value. */
class ServerConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaults() {
        ServerConfig c = ServerConfig.fromEnvironment(Map.of());
        assertEquals("127.0.0.1", c.host());
        assertEquals(11434, c.port());
        assertEquals(Duration.ofMinutes(5), c.keepAlive());
        assertEquals(4, c.numParallel());
        assertEquals(3, c.maxLoadedModels());
        assertEquals(512, c.maxQueue());
        assertEquals(4096, c.contextLength());
        assertEquals(FlashAttention.AUTO, c.flashAttention());
        assertEquals(KvCacheType.F16, c.kvCacheType());
        assertEquals(32L << 20, c.maxBodyBytes());
        assertEquals(List.of(), c.origins());
        assertTrue(c.maxMemoryBytes() > 0);
        assertEquals(Map.of(), c.completionTemplates());
        assertEquals(8L << 30, c.diskCacheBytes());
        assertEquals(c.dataDir().resolve("kv-cache"), c.diskCacheDir());
    }

    @Test
    void theDiskCacheFollowsTheDataDirectoryUnlessItsOwnIsSet() {
        assertEquals(Path.of("/srv/puna/kv-cache"), ServerConfig.fromEnvironment(Map.of("PUNA_DATA_DIR", "/srv/puna"))
                .diskCacheDir());
        ServerConfig c = ServerConfig.fromEnvironment(Map.of("PUNA_DATA_DIR", "/srv/puna", "PUNA_KV_CACHE_DIR",
                "/fast/kv", "PUNA_CACHE_DISK", "20GiB"));
        assertEquals(Path.of("/fast/kv"), c.diskCacheDir());
        assertEquals(20L << 30, c.diskCacheBytes());
        assertEquals(0, ServerConfig.fromEnvironment(Map.of("PUNA_CACHE_DISK", "0")).diskCacheBytes());
        assertInvalid("PUNA_CACHE_DISK: invalid value 'lots': unknown size unit 'lots' (use B, KiB, MiB, GiB)",
                "PUNA_CACHE_DISK", "lots");
    }

    @Test
    void everyVariable() {
        ServerConfig c = ServerConfig.fromEnvironment(Map.ofEntries(
                Map.entry("PUNA_HOST", "0.0.0.0:8080"),
                Map.entry("PUNA_ORIGINS", "https://example.com, http://*.internal"),
                Map.entry("PUNA_KEEP_ALIVE", "1h"),
                Map.entry("PUNA_NUM_PARALLEL", "8"),
                Map.entry("PUNA_MAX_LOADED_MODELS", "2"),
                Map.entry("PUNA_MAX_QUEUE", "16"),
                Map.entry("PUNA_CONTEXT_LENGTH", "8192"),
                Map.entry("PUNA_FLASH_ATTENTION", "true"),
                Map.entry("PUNA_KV_CACHE_TYPE", "q8_0"),
                Map.entry("PUNA_MODELS", "/srv/models"),
                Map.entry("PUNA_MAX_BODY_SIZE", "1MiB"),
                Map.entry("PUNA_MAX_MEMORY", "8GiB")));
        assertEquals("0.0.0.0", c.host());
        assertEquals(8080, c.port());
        assertEquals(List.of("https://example.com", "http://*.internal"), c.origins());
        assertEquals(Duration.ofHours(1), c.keepAlive());
        assertEquals(8, c.numParallel());
        assertEquals(2, c.maxLoadedModels());
        assertEquals(16, c.maxQueue());
        assertEquals(8192, c.contextLength());
        assertEquals(FlashAttention.ENABLED, c.flashAttention());
        assertEquals(KvCacheType.Q8_0, c.kvCacheType());
        assertEquals(Path.of("/srv/models"), c.modelsDir());
        assertEquals(1L << 20, c.maxBodyBytes());
        assertEquals(8L << 30, c.maxMemoryBytes());
    }

    @Test
    void hostForms() {
        assertEquals("127.0.0.1:9000", host(":9000"));
        assertEquals("example:11434", host("example"));
        assertEquals("10.0.0.1:80", host("http://10.0.0.1:80/"));
        assertEquals("[::1]:1234", host("[::1]:1234"));
        assertEquals("[::]:11434", host("::"));
    }

    private static String host(String spec) {
        return ServerConfig.fromEnvironment(Map.of("PUNA_HOST", spec)).address();
    }

    @Test
    void keepAliveForms() {
        assertEquals(Duration.ofSeconds(30), ServerConfig.fromEnvironment(Map.of("PUNA_KEEP_ALIVE", "30")).keepAlive());
        assertTrue(ServerConfig.fromEnvironment(Map.of("PUNA_KEEP_ALIVE", "-1")).keepAlive().isNegative());
        assertEquals(Duration.ZERO, ServerConfig.fromEnvironment(Map.of("PUNA_KEEP_ALIVE", "0")).keepAlive());
    }

    @Test
    void shutdownTimeoutAndLogFormat() {
        ServerConfig defaults = ServerConfig.fromEnvironment(Map.of());
        assertEquals(Duration.ofSeconds(30), defaults.shutdownTimeout());
        assertEquals(LogFormat.TEXT, defaults.logFormat());
        assertEquals(Duration.ofSeconds(90), ServerConfig.fromEnvironment(Map.of("PUNA_SHUTDOWN_TIMEOUT", "1m30s"))
                .shutdownTimeout());
        assertEquals(Duration.ofSeconds(5), ServerConfig.fromEnvironment(Map.of("PUNA_SHUTDOWN_TIMEOUT", "5"))
                .shutdownTimeout());
        assertEquals(Duration.ZERO, ServerConfig.fromEnvironment(Map.of("PUNA_SHUTDOWN_TIMEOUT", "0"))
                .shutdownTimeout());
        assertEquals(LogFormat.JSON, ServerConfig.fromEnvironment(Map.of("PUNA_LOG_FORMAT", "JSON")).logFormat());
        assertInvalid("PUNA_SHUTDOWN_TIMEOUT: invalid value '-1s': must not be negative", "PUNA_SHUTDOWN_TIMEOUT",
                "-1s");
        assertInvalid("PUNA_SHUTDOWN_TIMEOUT: invalid value 'later': invalid duration 'later' (expected seconds or a "
                + "Go duration such as 5m, 1h30m, 300ms)", "PUNA_SHUTDOWN_TIMEOUT", "later");
        assertInvalid("PUNA_LOG_FORMAT: invalid value 'xml': expected text or json", "PUNA_LOG_FORMAT", "xml");
    }

    @Test
    void theDefaultModelIsAModelName() {
        assertEquals(null, ServerConfig.fromEnvironment(Map.of()).defaultModel());
        assertEquals(null, ServerConfig.fromEnvironment(Map.of("PUNA_DEFAULT_MODEL", "")).defaultModel());
        assertEquals("qwen2.5-coder:1.5b", ServerConfig.fromEnvironment(Map.of("PUNA_DEFAULT_MODEL",
                "qwen2.5-coder:1.5b")).defaultModel());
        assertInvalid("PUNA_DEFAULT_MODEL: invalid value '../x': not a valid model name: '../x'", "PUNA_DEFAULT_MODEL",
                "../x");
    }

    @Test
    void invalidValuesNameTheVariable() {
        assertInvalid("PUNA_NUM_PARALLEL: invalid value 'many': expected a whole number", "PUNA_NUM_PARALLEL", "many");
        assertInvalid("PUNA_NUM_PARALLEL: must be between 1 and 256, got 0", "PUNA_NUM_PARALLEL", "0");
        assertInvalid("PUNA_MAX_QUEUE: must be between 1 and 1048576, got -1", "PUNA_MAX_QUEUE", "-1");
        assertInvalid("PUNA_HOST: invalid port 'http' in 'localhost:http'", "PUNA_HOST", "localhost:http");
        assertInvalid("PUNA_HOST: port must be between 0 and 65535, got 70000", "PUNA_HOST", ":70000");
        assertInvalid("PUNA_HOST: only http:// is supported, got 'https://x:1'", "PUNA_HOST", "https://x:1");
        assertInvalid("PUNA_KEEP_ALIVE: invalid value 'soon': invalid duration 'soon' (expected seconds or a Go "
                + "duration such as 5m, 1h30m, 300ms)", "PUNA_KEEP_ALIVE", "soon");
        assertInvalid("PUNA_KV_CACHE_TYPE: invalid value 'q5': unknown KV cache type 'q5' (expected f16, q8_0 or q4_0)",
                "PUNA_KV_CACHE_TYPE", "q5");
        assertInvalid("PUNA_FLASH_ATTENTION: invalid value 'maybe': expected true, false or auto",
                "PUNA_FLASH_ATTENTION", "maybe");
        assertInvalid("PUNA_MAX_BODY_SIZE: invalid value '10 parsecs': unknown size unit 'parsecs' (use B, KiB, MiB, GiB)",
                "PUNA_MAX_BODY_SIZE", "10 parsecs");
        assertInvalid("PUNA_CONTEXT_LENGTH: invalid value '4k': expected a whole number", "PUNA_CONTEXT_LENGTH", "4k");
        ServerConfigException e = assertThrows(ServerConfigException.class, () -> ServerConfig.fromEnvironment(
                Map.of("PUNA_KV_CACHE_TYPE", "q4_0", "PUNA_FLASH_ATTENTION", "false")));
        assertEquals("PUNA_KV_CACHE_TYPE", e.setting());
        assertEquals("PUNA_KV_CACHE_TYPE: a quantized KV cache (q4_0) requires flash attention (PUNA_FLASH_ATTENTION)",
                e.getMessage());
    }

    @Test
    void completionTemplatesComeFromAJsonFileAndMatchEverySpellingOfTheName() throws IOException {
        Path file = dir.resolve("templates.json");
        Files.writeString(file, """
                {"qwen2.5-coder:1.5b": "{<|fim_prefix|>}{code_prefix}{<|fim_suffix|>}{code_suffix}{<|fim_middle|>}",
                 "Library/CodeLlama": "{bos}{#32007}{code_prefix}{#32008}{code_suffix}{#32009}"}""");
        ServerConfig c = ServerConfig.fromEnvironment(Map.of("PUNA_COMPLETION_TEMPLATES", file.toString()));
        assertEquals(Map.of("qwen2.5-coder:1.5b", "{<|fim_prefix|>}{code_prefix}{<|fim_suffix|>}{code_suffix}"
                + "{<|fim_middle|>}", "codellama:latest", "{bos}{#32007}{code_prefix}{#32008}{code_suffix}{#32009}"),
                c.completionTemplates());
        for (String name : List.of("codellama", "CodeLlama:latest", "library/codellama",
                "registry.ollama.ai/library/codellama:latest")) {
            assertEquals("{bos}{#32007}{code_prefix}{#32008}{code_suffix}{#32009}",
                    c.completionTemplate(name).orElseThrow(), name);
        }
        assertTrue(c.completionTemplate("qwen2.5-coder").isEmpty(), "another tag is another model");
        assertTrue(c.completionTemplate("someone/codellama").isEmpty(), "another namespace is another model");
    }

    @Test
    void badCompletionTemplatesNameTheVariableTheModelAndThePlaceholder() throws IOException {
        Path file = dir.resolve("templates.json");
        Files.writeString(file, "{\"coder\": \"{code_prefix}{cursor}\"}");
        assertInvalid("PUNA_COMPLETION_TEMPLATES: the template for 'coder': unknown placeholder {cursor}: use one of "
                + "{code_language}, {code_file_path}, {code_prefix}, {code_suffix}, {query}, {bos}, {eos}, {\\n}, "
                + "{\\t}, {#<token id>} or {<special token text>}", "PUNA_COMPLETION_TEMPLATES", file.toString());
        Files.writeString(file, "{\"../coder\": \"{code_prefix}\"}");
        assertInvalid("PUNA_COMPLETION_TEMPLATES: invalid model name '../coder'", "PUNA_COMPLETION_TEMPLATES",
                file.toString());
        Files.writeString(file, "{\"coder\": [\"{code_prefix}\"]}");
        assertInvalid("PUNA_COMPLETION_TEMPLATES: the template for 'coder' in '" + file + "' must be a string, got an "
                + "array", "PUNA_COMPLETION_TEMPLATES", file.toString());
        Files.writeString(file, "[]");
        assertInvalid("PUNA_COMPLETION_TEMPLATES: '" + file + "' must hold a JSON object mapping model names to "
                + "templates", "PUNA_COMPLETION_TEMPLATES", file.toString());
        Files.writeString(file, "{\"coder\": ");
        ServerConfigException notJson = assertThrows(ServerConfigException.class, () -> ServerConfig.fromEnvironment(
                Map.of("PUNA_COMPLETION_TEMPLATES", file.toString())));
        assertTrue(notJson.getMessage().startsWith("PUNA_COMPLETION_TEMPLATES: '" + file + "' is not valid JSON: "),
                notJson.getMessage());
        Path missing = dir.resolve("missing.json");
        ServerConfigException unreadable = assertThrows(ServerConfigException.class, () -> ServerConfig.fromEnvironment(
                Map.of("PUNA_COMPLETION_TEMPLATES", missing.toString())));
        assertEquals("PUNA_COMPLETION_TEMPLATES: cannot read '" + missing + "': java.nio.file.NoSuchFileException: "
                + missing, unreadable.getMessage());
    }

    @Test
    void gpuOverheadAndTensorSplit() {
        ServerConfig defaults = ServerConfig.fromEnvironment(Map.of());
        assertEquals(0, defaults.gpuOverheadBytes());
        assertEquals(List.of(), defaults.tensorSplit());
        ServerConfig c = ServerConfig.fromEnvironment(Map.of("PUNA_GPU_OVERHEAD", "1GiB",
                "PUNA_TENSOR_SPLIT", "3, 1"));
        assertEquals(1L << 30, c.gpuOverheadBytes());
        assertEquals(List.of(3f, 1f), c.tensorSplit());
        assertEquals(536_870_912L, ServerConfig.fromEnvironment(Map.of("PUNA_GPU_OVERHEAD", "536870912"))
                .gpuOverheadBytes());
        assertEquals(0, ServerConfig.fromEnvironment(Map.of("PUNA_GPU_OVERHEAD", "0")).gpuOverheadBytes());
        assertEquals(List.of(0.6f, 0.4f), ServerConfig.fromEnvironment(Map.of("PUNA_TENSOR_SPLIT", "0.6,0.4"))
                .tensorSplit());
        assertInvalid("PUNA_TENSOR_SPLIT: invalid value 'a,b': expected comma-separated numbers such as 3,1",
                "PUNA_TENSOR_SPLIT", "a,b");
        assertInvalid("PUNA_TENSOR_SPLIT: at least one proportion must be > 0, got [0.0, 0.0]",
                "PUNA_TENSOR_SPLIT", "0,0");
        assertInvalid("PUNA_TENSOR_SPLIT: proportions must be finite and >= 0, got [1.0, -1.0]",
                "PUNA_TENSOR_SPLIT", "1,-1");
        assertInvalid("PUNA_GPU_OVERHEAD: invalid value 'lots': unknown size unit 'lots' (use B, KiB, MiB, GiB)",
                "PUNA_GPU_OVERHEAD", "lots");
    }

    @Test
    void nCpuMoeDefault() {
        assertEquals(-1, ServerConfig.fromEnvironment(Map.of()).cpuMoeLayers());
        assertEquals(0, ServerConfig.fromEnvironment(Map.of("PUNA_N_CPU_MOE", "0")).cpuMoeLayers());
        assertEquals(30, ServerConfig.fromEnvironment(Map.of("PUNA_N_CPU_MOE", "30")).cpuMoeLayers());
        assertInvalid("PUNA_N_CPU_MOE: must be >= -1 (-1: the offload planner decides), got -2", "PUNA_N_CPU_MOE",
                "-2");
        assertInvalid("PUNA_N_CPU_MOE: invalid value 'all': expected a whole number", "PUNA_N_CPU_MOE", "all");
    }

    @Test
    void swaFull() {
        assertFalse(ServerConfig.fromEnvironment(Map.of()).swaFull());
        ServerConfig full = ServerConfig.fromEnvironment(Map.of("PUNA_SWA_FULL", "true"));
        assertTrue(full.swaFull());
        assertTrue(full.toString().contains(", swa_full=true"), full.toString());
        assertFalse(ServerConfig.fromEnvironment(Map.of("PUNA_SWA_FULL", "false")).swaFull());
        assertInvalid("PUNA_SWA_FULL: invalid value 'sometimes': expected true or false", "PUNA_SWA_FULL",
                "sometimes");
    }

    private static void assertInvalid(String message, String variable, String value) {
        ServerConfigException e = assertThrows(ServerConfigException.class,
                () -> ServerConfig.fromEnvironment(Map.of(variable, value)));
        assertEquals(message, e.getMessage());
        assertEquals(variable, e.setting());
    }

    @Test
    void huggingFaceEndpoint() {
        assertEquals(java.net.URI.create("http://mirror.local:8080"), ServerConfig.fromEnvironment(
                Map.of("PUNA_HF_ENDPOINT", "http://mirror.local:8080")).huggingFaceEndpoint());
        assertEquals(null, ServerConfig.fromEnvironment(Map.of()).huggingFaceEndpoint());
        ServerConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ServerConfigException.class,
                () -> ServerConfig.fromEnvironment(Map.of("PUNA_HF_ENDPOINT", "mirror.local")));
        assertTrue(e.getMessage().contains("PUNA_HF_ENDPOINT"), e.getMessage());
    }
}
