package dev.puna.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.gguf.GgufFile;
import dev.puna.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocabularyTest {
    @TempDir
    Path dir;

    @Test
    void startsWithTheFixedTokens() {
        Vocabulary vocabulary = TestModels.vocabulary();
        assertEquals(List.of("<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>", "<|fim_prefix|>",
                "<|fim_suffix|>", "<|fim_middle|>", "<|fim_pad|>", "<|file_sep|>", "<0x00>"),
                vocabulary.pieces().subList(0, 11));
        assertEquals(TokenType.UNKNOWN, vocabulary.type(Vocabulary.UNK));
        assertEquals(TokenType.CONTROL, vocabulary.type(Vocabulary.BOS));
        assertEquals(TokenType.CONTROL, vocabulary.type(Vocabulary.FILE_SEP));
        assertEquals(Vocabulary.IM_END, vocabulary.id("<|im_end|>"));
        assertEquals(20, vocabulary.byteToken('\n'));
        assertEquals("<0x0A>", vocabulary.piece(vocabulary.byteToken('\n')));
        assertEquals("<0xFF>", vocabulary.piece(vocabulary.byteToken(0xFF)));
        assertEquals(TokenType.BYTE, vocabulary.type(vocabulary.byteToken(0xFF)));
        assertEquals(266, vocabulary.id(Vocabulary.SPACE));
        assertEquals(360, vocabulary.id("~"));
        assertFalse(vocabulary.contains(" "), "SentencePiece text has no plain spaces");
    }

    @Test
    void everyPieceCanBeMergedFromItsPrefixes() {
        assertPrefixClosed(TestModels.vocabulary());
        assertPrefixClosed(RandomModel.bench().vocabulary());
    }

    @Test
    void addsEachPrefixOnce() {
        Vocabulary vocabulary = Vocabulary.builder().words("▁Hel", "▁Hello", "▁Help", "😀!").build();
        int base = Vocabulary.builder().size();
        assertEquals(List.of("▁H", "▁He", "▁Hel", "▁Hell", "▁Hello", "▁Help", "😀", "😀!"),
                vocabulary.pieces().subList(base, vocabulary.size()));
        assertEquals(6, vocabulary.score(vocabulary.id("▁Hello")));
        assertThrows(IllegalArgumentException.class, () -> vocabulary.id("▁Goodbye"));
    }

    @Test
    void writesTheTokenizerMetadataLlamaCppReads() throws IOException {
        Vocabulary vocabulary = TestModels.vocabulary();
        GgufWriter writer = GgufWriter.create();
        vocabulary.writeTo(writer);
        writer.write(dir.resolve("vocab.gguf"));
        GgufFile file = GgufFile.read(dir.resolve("vocab.gguf"));

        assertEquals("llama", file.getString("tokenizer.ggml.model").orElseThrow());
        assertEquals("default", file.getString("tokenizer.ggml.pre").orElseThrow());
        assertEquals(vocabulary.pieces(), file.metadata().get("tokenizer.ggml.tokens"));
        assertEquals(vocabulary.size(), ((List<?>) file.metadata().get("tokenizer.ggml.scores")).size());
        assertEquals(6L, ((List<?>) file.metadata().get("tokenizer.ggml.token_type")).get(vocabulary.byteToken(0)));
        assertEquals(1, file.getLong("tokenizer.ggml.bos_token_id").orElseThrow());
        assertEquals(2, file.getLong("tokenizer.ggml.eos_token_id").orElseThrow());
        assertEquals(0, file.getLong("tokenizer.ggml.unknown_token_id").orElseThrow());
        assertEquals(Vocabulary.FIM_PREFIX, file.getLong("tokenizer.ggml.fim_pre_token_id").orElseThrow());
        assertEquals(Vocabulary.FIM_SUFFIX, file.getLong("tokenizer.ggml.fim_suf_token_id").orElseThrow());
        assertEquals(Vocabulary.FIM_MIDDLE, file.getLong("tokenizer.ggml.fim_mid_token_id").orElseThrow());
        assertEquals(Vocabulary.FIM_PAD, file.getLong("tokenizer.ggml.fim_pad_token_id").orElseThrow());
        assertEquals(Vocabulary.FILE_SEP, file.getLong("tokenizer.ggml.fim_sep_token_id").orElseThrow());
        assertEquals(true, file.getBoolean("tokenizer.ggml.add_bos_token").orElseThrow());
        assertEquals(false, file.getBoolean("tokenizer.ggml.add_eos_token").orElseThrow());
        assertEquals(Vocabulary.CHAT_TEMPLATE, file.getString("tokenizer.chat_template").orElseThrow());
    }

    @Test
    void withoutFimRenamesTheMarkersAndWritesNoFimIdsAndTheChosenTemplate() throws IOException {
        Vocabulary vocabulary = Vocabulary.builder().withoutFim().chatTemplate("{{ messages }}").word("▁x").build();
        GgufWriter writer = GgufWriter.create();
        vocabulary.writeTo(writer);
        writer.write(dir.resolve("vocab.gguf"));
        GgufFile file = GgufFile.read(dir.resolve("vocab.gguf"));

        assertEquals(false, vocabulary.hasFim());
        assertEquals(List.of("<|unused_0|>", "<|unused_1|>", "<|unused_2|>", "<|unused_3|>", "<|unused_4|>"),
                vocabulary.pieces().subList(Vocabulary.FIM_PREFIX, Vocabulary.FILE_SEP + 1));
        assertEquals(Vocabulary.FIM_MIDDLE, vocabulary.id("<|unused_2|>"));
        assertEquals(false, vocabulary.contains("<|fim_middle|>"));
        assertEquals(vocabulary.byteToken('\n'), vocabulary.id("<0x0A>"), "byte tokens keep their ids");
        for (String key : List.of("fim_pre", "fim_suf", "fim_mid", "fim_pad", "fim_sep")) {
            assertEquals(false, file.metadata().containsKey("tokenizer.ggml." + key + "_token_id"), key);
        }
        assertEquals("{{ messages }}", file.getString("tokenizer.chat_template").orElseThrow());
    }

    /**
     * llama.cpp's SPM tokenizer only produces a multi-character piece by merging a shorter token with one more
     * character, preferring higher scores: every prefix must be a token scoring lower than the piece.
     */
    private static void assertPrefixClosed(Vocabulary vocabulary) {
        assertEquals(vocabulary.size(), new HashSet<>(vocabulary.pieces()).size(), "pieces are unique");
        for (int id = 0; id < vocabulary.size(); id++) {
            if (vocabulary.type(id) != TokenType.NORMAL) {
                continue;
            }
            String piece = vocabulary.piece(id);
            int[] codePoints = piece.codePoints().toArray();
            for (int length = 1; length < codePoints.length; length++) {
                String prefix = new String(codePoints, 0, length);
                assertTrue(vocabulary.contains(prefix), "prefix '" + prefix + "' of '" + piece + "'");
                assertTrue(vocabulary.score(vocabulary.id(prefix)) < vocabulary.score(id), prefix + " scores lower");
            }
        }
    }
}
