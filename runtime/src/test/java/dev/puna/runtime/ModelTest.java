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
}
