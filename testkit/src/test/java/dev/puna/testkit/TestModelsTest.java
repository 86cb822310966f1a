package dev.puna.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.puna.gguf.GgmlType;
import dev.puna.gguf.GgufFile;
import dev.puna.gguf.GgufTensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TestModelsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "Q8_0"})
    void scriptedModelsParseBackWithTheLlamaLayout(GgmlType type) throws IOException {
        GgufFile file = GgufFile.read(TestModels.scripted(dir, type));
        int vocab = TestModels.vocabulary().size();

        assertEquals(Optional.of("llama"), file.architecture());
        assertEquals(2, file.getLong("llama.block_count").orElseThrow());
        assertEquals(64, file.getLong("llama.embedding_length").orElseThrow());
        assertEquals(16, file.getLong("llama.rope.dimension_count").orElseThrow());
        assertEquals(vocab, file.getLong("llama.vocab_size").orElseThrow());
        assertEquals(2 * 9 + 3, file.tensors().size());
        assertTensor(file, "token_embd.weight", type, 64, vocab);
        assertTensor(file, "blk.1.attn_norm.weight", GgmlType.F32, 64);
        assertTensor(file, "blk.1.attn_k.weight", type, 64, 64);
        assertTensor(file, "blk.0.ffn_gate.weight", type, 64, 128);
        assertTensor(file, "blk.0.ffn_down.weight", type, 128, 64);
        assertTensor(file, "output.weight", type, 64, vocab);
    }

    @Test
    void writesIdenticalFilesAndReusesThem() throws IOException {
        Path first = TestModels.scripted(dir.resolve("a"), GgmlType.Q8_0);
        Path second = TestModels.scripted(dir.resolve("b"), GgmlType.Q8_0);
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));

        FileTime old = FileTime.fromMillis(0);
        Files.setLastModifiedTime(first, old);
        assertEquals(first, TestModels.scripted(dir.resolve("a"), GgmlType.Q8_0));
        assertEquals(old, Files.getLastModifiedTime(first), "an identical file is not rewritten");

        Files.write(first, new byte[] {1, 2, 3});
        TestModels.scripted(dir.resolve("a"), GgmlType.Q8_0);
        assertArrayEquals(Files.readAllBytes(second), Files.readAllBytes(first), "a different file is replaced");
    }

    @Test
    void theRerankerHasQwen3sRerankLayout() throws IOException {
        Path path = TestModels.reranker(dir);
        GgufFile file = GgufFile.read(path);
        assertEquals(Optional.of("qwen3"), file.architecture());
        assertEquals(4, file.getLong("qwen3.pooling_type").orElseThrow());
        assertEquals(List.of("yes", "no"), file.metadata().get("qwen3.classifier.output_labels"));
        assertEquals(1, file.getLong("qwen3.block_count").orElseThrow());
        assertEquals(14, file.tensors().size());
        assertTensor(file, "cls.output.weight", GgmlType.F32, 64, 2);
        assertTensor(file, "blk.0.attn_q_norm.weight", GgmlType.F32, 16);
        assertTensor(file, "token_embd.weight", GgmlType.F32, 64, TestModels.vocabulary().size());
        assertArrayEquals(Files.readAllBytes(path), Files.readAllBytes(TestModels.reranker(dir.resolve("again"))));
    }

    @Test
    void theRerankersClosedFormIsAProbabilityThatEveryTokenMoves() {
        RerankerModel model = TestModels.rerankerModel();
        Vocabulary v = model.vocabulary();
        int[] pair = {Vocabulary.BOS, v.id("▁Hello"), v.id("▁world")};
        double score = model.score(pair);
        assertEquals(true, score > 0 && score < 1, "P(yes): " + score);
        assertEquals(score, model.score(pair.clone()), 0.0);
        // Neither the first nor the last token alone decides it.
        assertEquals(false, score == model.score(new int[] {Vocabulary.BOS, v.id("▁ok"), v.id("▁world")}));
        assertEquals(false, score == model.score(new int[] {Vocabulary.BOS, v.id("▁Hello"), v.id("▁ok")}));
    }

    @Test
    void writesAModelOfAnUnknownArchitecture() throws IOException {
        GgufFile file = GgufFile.read(TestModels.unknownArchitecture(dir));
        assertEquals(Optional.of("puna-unknown"), file.architecture());
    }

    @Test
    void describesTheCountScript() {
        assertEquals(" one two three", TestModels.countCompletion(3));
        assertEquals(" one two three four five six seven eight nine ten one", TestModels.countCompletion(11));
    }

    @Test
    void scriptsTheDocumentedTokens() {
        ScriptedModel model = TestModels.scriptedModel();
        Vocabulary vocabulary = model.vocabulary();
        assertEquals(List.of("▁world", "▁from", "▁Puna", "!", "</s>"), follow(model, "▁Hello", 5));
        assertEquals(List.of("<0xF0>", "<0x9F>", "<0x98>", "<0x80>", "▁ok", "</s>"), follow(model, "▁Emoji:", 6));
        assertEquals(List.of("Hi", "▁there!", "<|im_end|>"), follow(model, "<0x0A>", 3));
        assertEquals(List.of("▁one", "▁two"), follow(model, "▁Count:", 2));
        assertEquals(List.of("▁one"), follow(model, "▁ten", 1));
        assertEquals(List.of("▁ok", "</s>"), follow(model, "<|fim_middle|>", 2));
        assertEquals(vocabulary.byteToken('\n'), vocabulary.id("<0x0A>"));
    }

    @Test
    void theToolCallerWritesItsCallAfterAChatPrompt() throws IOException {
        GgufFile file = GgufFile.read(TestModels.toolCaller(dir));
        assertEquals(Optional.of("puna-tools"), file.getString("general.name"));
        assertEquals(TestModels.TOOL_CHAT_TEMPLATE, file.getString("tokenizer.chat_template").orElseThrow());
        assertEquals(false, file.metadata().containsKey("tokenizer.ggml.fim_mid_token_id"));

        List<String> pieces = follow(TestModels.toolCallerModel(), "<0x0A>", 11);
        assertEquals("<|im_end|>", pieces.getLast());
        assertEquals(TestModels.TOOL_CONTENT + TestModels.TOOL_CALL,
                String.join("", pieces.subList(0, 10)).replace(Vocabulary.SPACE, " "));
        assertEquals(List.of("▁world", "▁from", "▁Puna", "!", "</s>"), follow(TestModels.toolCallerModel(), "▁Hello", 5));
    }

    private static List<String> follow(ScriptedModel model, String start, int steps) {
        Vocabulary vocabulary = model.vocabulary();
        int token = vocabulary.id(start);
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            token = model.successor(token).orElseThrow();
            pieces.add(vocabulary.piece(token));
        }
        return pieces;
    }

    private static void assertTensor(GgufFile file, String name, GgmlType type, long... dims) {
        GgufTensorInfo tensor = file.tensor(name).orElseThrow();
        assertEquals(type, tensor.type(), name);
        assertEquals(Arrays.stream(dims).boxed().toList(), tensor.dims(), name);
    }
}
