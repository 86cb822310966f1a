package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.gguf.GgmlType;
import dev.puna.testkit.RandomModel;
import dev.puna.testkit.TestModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The KV cache types ({@code f16}, {@code q8_0}, {@code q4_0}) and flash-attention settings ({@code enabled},
 * {@code auto}, {@code disabled}) on a model whose attention does real work (random weights in every layer): greedy
 * output is exactly what llama.cpp's own {@code llama-simple}, built from the same source with the same settings
 * (see CMakeLists.txt), prints for the same prompt. A quantized cache with {@code auto} works (Puna turns flash
 * attention on for it) rather than failing when llama.cpp creates the context.
 */
class KvCacheAndFlashAttentionTest {
    private static final String PROMPT = "b c d e f g h i j k";
    private static final int TOKENS = 24;
    private static Path file;
    private static Model model;

    @BeforeAll
    static void load() throws IOException {
        file = TestModels.randomModel(Models.DIR, "puna-attention-f16.gguf",
                new RandomModel(2048, 4, 256, 512, 4, 2, GgmlType.F16, 11));
        model = Model.load(file);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @ParameterizedTest(name = "cache {0}, flash attention {1}")
    @CsvSource(textBlock = """
            F16,  DISABLED
            F16,  ENABLED
            F16,  AUTO
            Q8_0, ENABLED
            Q8_0, AUTO
            Q4_0, ENABLED
            Q4_0, AUTO
            """)
    void greedyOutputMatchesLlamaSimple(KvCacheType cache, FlashAttention flash) throws Exception {
        SessionParams params = SessionParams.builder().contextSize(256).threads(2).kvCacheType(cache)
                .flashAttention(flash).build();
        assertEquals(cache != KvCacheType.F16 && flash == FlashAttention.AUTO ? FlashAttention.ENABLED : flash,
                params.effectiveFlashAttention());
        GenerationResult puna;
        try (Session s = model.newSession(params)) {
            puna = s.generate(GenerateRequest.builder().prompt(PROMPT).sampling(SamplingParams.greedy())
                    .maxTokens(TOKENS).build());
        }
        assertEquals(TOKENS, puna.completionTokens());
        assertTrue(Arrays.stream(puna.tokens()).distinct().count() > 3,
                "the random model's output should vary: " + Arrays.toString(puna.tokens()));
        String reference = llamaSimple(cache, flash);
        assertTrue(reference.endsWith(puna.text() + "\n"),
                "llama-simple printed:\n" + reference + "\nPuna generated:\n" + puna.text());
        // What llama-simple printed before the completion is the prompt it evaluated, BOS included.
        assertEquals("<s> " + PROMPT, reference.substring(0, reference.length() - puna.text().length() - 1));
    }

    /**
     * The comparisons above are not vacuous: on this model each cache type changes the greedy completion, so a
     * setting that did not reach llama.cpp (on either side) would fail them.
     */
    @Test
    void eachCacheTypeChangesTheCompletion() {
        java.util.Set<String> completions = new java.util.HashSet<>();
        for (KvCacheType cache : KvCacheType.values()) {
            try (Session s = model.newSession(SessionParams.builder().contextSize(256).threads(2).kvCacheType(cache)
                    .flashAttention(FlashAttention.ENABLED).build())) {
                completions.add(s.generate(GenerateRequest.builder().prompt(PROMPT).sampling(SamplingParams.greedy())
                        .maxTokens(TOKENS).build()).text());
            }
        }
        assertEquals(KvCacheType.values().length, completions.size(), completions.toString());
    }

    /** llama.cpp's llama-simple with the same cache types and flash attention (its output: prompt, completion). */
    private static String llamaSimple(KvCacheType cache, FlashAttention flash) throws Exception {
        String exe = System.getProperty("puna.llama.simple");
        assertTrue(exe != null && Files.isExecutable(Path.of(exe)), "llama-simple not built: " + exe);
        ProcessBuilder pb = new ProcessBuilder(List.of(exe, "-m", file.toString(), "-n", Integer.toString(TOKENS),
                PROMPT)).redirectError(ProcessBuilder.Redirect.DISCARD);
        Map<String, String> env = pb.environment();
        env.put("PUNA_CACHE_TYPE_K", Integer.toString(cache.ggmlType()));
        env.put("PUNA_CACHE_TYPE_V", Integer.toString(cache.ggmlType()));
        env.put("PUNA_FLASH_ATTN", Integer.toString(flash.llamaValue()));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "llama-simple did not finish");
        assertEquals(0, p.exitValue(), "llama-simple failed; its output: " + out);
        return out;
    }
}
