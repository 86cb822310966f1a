package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.gguf.GgmlType;
import dev.puna.testkit.ScriptedModel;
import dev.puna.testkit.TestModels;
import dev.puna.testkit.Vocabulary;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Metadata, special tokens and tokenizer round trips on the scripted model. */
class ModelTest {
    private static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(Models.scripted(GgmlType.Q8_0));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void metadata() {
        ModelInfo info = model.info();
        assertEquals("llama", info.architecture());
        assertEquals("Q8_0", info.quantization());
        assertEquals(ScriptedModel.CONTEXT_LENGTH, info.contextLength());
        assertEquals(ScriptedModel.EMBEDDING_LENGTH, info.embeddingLength());
        assertEquals(ScriptedModel.LAYERS, info.layerCount());
        assertEquals(ScriptedModel.HEADS, info.headCount());
        assertEquals(TestModels.vocabulary().size(), info.vocabSize());
        assertEquals(Vocabulary.CHAT_TEMPLATE, info.chatTemplate().orElseThrow());
        assertEquals("llama", info.metadata().get("general.architecture"));
        assertEquals((long) ScriptedModel.LAYERS, info.metadata().get("llama.block_count"));
        assertTrue(info.parameterCount() > 0);
        assertTrue(info.sizeBytes() > 0);
    }

    @Test
    void specialTokens() {
        SpecialTokens s = model.specialTokens();
        assertEquals(Vocabulary.BOS, s.bos());
        assertEquals(Vocabulary.EOS, s.eos());
        assertEquals(Vocabulary.FIM_PREFIX, s.fimPrefix());
        assertEquals(Vocabulary.FIM_SUFFIX, s.fimSuffix());
        assertEquals(Vocabulary.FIM_MIDDLE, s.fimMiddle());
        assertTrue(s.supportsFim());
        assertTrue(s.addBos());
        assertFalse(s.addEos());
        assertTrue(model.isEndOfGeneration(Vocabulary.EOS));
        assertTrue(model.isEndOfGeneration(Vocabulary.IM_END));
        assertFalse(model.isEndOfGeneration(Models.id("▁Hello")));
    }

    @Test
    void tokenizeAndDetokenize() {
        int[] tokens = model.tokenize("Hello world", true, false);
        assertArrayEquals(new int[] {Vocabulary.BOS, Models.id("▁Hello"), Models.id("▁world")}, tokens);
        // llama.cpp keeps the space SPM put before the first word; removeSpecial drops BOS.
        assertEquals(" Hello world", model.detokenize(tokens, true, false));
        assertEquals("<s> Hello world", model.detokenize(tokens, false, true));
        assertArrayEquals(new int[] {Models.id("▁Hello")}, model.tokenize("Hello", false, false));
    }

    @Test
    void specialTokenTextIsParsedOnlyWhenAsked() {
        assertArrayEquals(new int[] {Vocabulary.IM_START}, model.tokenize("<|im_start|>", false, true));
        assertTrue(model.tokenize("<|im_start|>", false, false).length > 1);
    }

    @Test
    void tokenBytesOfByteTokensArePartialUtf8() {
        Vocabulary v = TestModels.vocabulary();
        assertArrayEquals(new byte[] {(byte) 0xF0}, model.tokenBytes(v.byteToken(0xF0), false));
        assertArrayEquals(" world".getBytes(StandardCharsets.UTF_8), model.tokenBytes(Models.id("▁world"), false));
        assertArrayEquals(new byte[0], model.tokenBytes(Vocabulary.EOS, false));
        assertArrayEquals("</s>".getBytes(StandardCharsets.UTF_8), model.tokenBytes(Vocabulary.EOS, true));
    }

    @Test
    void vocabOnlyModelTokenizes() {
        try (Model v = Model.load(Models.scripted(), ModelParams.builder().vocabOnly(true).build())) {
            assertArrayEquals(model.tokenize("Hello", true, true), v.tokenize("Hello", true, true));
        }
    }

    /**
     * {@code main_gpu} reaches llama.cpp (split mode none on that GPU) or is refused: on a CPU-only build only 0
     * is valid, and on a GPU build a GPU past the last device fails the load with llama.cpp's own check.
     */
    @Test
    void mainGpuIsAppliedOrRefused() {
        try (Model onFirst = Model.load(Models.scripted(GgmlType.Q8_0), ModelParams.builder().mainGpu(0).build());
             Session s = onFirst.newSession(Models.session())) {
            assertEquals(TestModels.HELLO_COMPLETION, s.generate(Models.greedy(TestModels.HELLO_PROMPT)).text());
        }
        InvalidParameterException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidParameterException.class,
                () -> Model.load(Models.scripted(GgmlType.Q8_0), ModelParams.builder().mainGpu(64).build()));
        assertEquals("main_gpu", e.parameter());
        if (LlamaCpp.supportsGpuOffload()) {
            assertTrue(e.getMessage().startsWith("main_gpu: there is no GPU 64 ("), e.getMessage());
        } else {
            assertEquals("main_gpu: there is no GPU 64: this llama.cpp build has no GPU backend, so only 0 (the CPU) "
                    + "is valid", e.getMessage());
        }
        org.junit.jupiter.api.Assertions.assertThrows(InvalidParameterException.class,
                () -> ModelParams.builder().mainGpu(-2));
    }
}
