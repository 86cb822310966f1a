package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.testkit.RerankerModel;
import dev.puna.testkit.TestModels;
import dev.puna.testkit.Vocabulary;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rank pooling on the generated reranker ({@link RerankerModel}), whose scores are known in closed form: the
 * runtime's scores must agree with that independent computation, for pairs built as llama-server builds them. The
 * sessions run without flash attention, whose f16 sums would blur the last digits ({@link RerankerModel#score}).
 */
class RerankerTest {
    private static final RerankerModel EXPECTED = TestModels.rerankerModel();
    private static Model model;
    private static Reranker reranker;

    /** Without flash attention: the rounding {@link RerankerModel#score} models exactly. */
    private static final SessionParams EXACT = Models.session().toBuilder().flashAttention(FlashAttention.DISABLED)
            .build();

    @BeforeAll
    static void open() {
        model = Model.load(Models.reranker());
        reranker = Reranker.open(model, EXACT);
    }

    @AfterAll
    static void close() {
        reranker.close();
        model.close();
    }

    @Test
    void onlyARankPoolingModelIsAReranker() {
        assertTrue(Reranker.supports(model));
        try (Model scripted = Model.load(Models.scripted())) {
            assertFalse(Reranker.supports(scripted));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Reranker.open(scripted, Models.session()));
            assertTrue(e.getMessage().contains("is not a reranker: its pooling type is 0, not 4 (rank)"),
                    e.getMessage());
        }
    }

    @Test
    void pairsAreFormattedAsLlamaServerDoes() {
        // The scripted vocabulary adds BOS but neither EOS nor SEP, so a pair is BOS, the query, the document.
        assertArrayEquals(new int[] {Vocabulary.BOS, Models.id("▁Hello"), Models.id("▁world"), Models.id("▁from"),
                Models.id("▁Puna")}, reranker.pairTokens("Hello", "world from Puna"));
    }

    @Test
    void aRerankTemplateInTheGgufShapesThePair() throws java.io.IOException {
        String template = "<|im_start|>user\n{query} | {document}<|im_end|>\n<|im_start|>assistant\n";
        java.nio.file.Path file = Models.DIR.resolve("puna-reranker-template-f32.gguf");
        RerankerModel templated = EXPECTED.withRerankTemplate(template);
        templated.toWriter().write(file);
        try (Model m = Model.load(file); Reranker r = Reranker.open(m, EXACT)) {
            int[] pair = r.pairTokens("Hello", "world");
            // The template's own text, special tokens parsed, nothing added: no BOS in front.
            assertArrayEquals(m.tokenize("<|im_start|>user\nHello | world<|im_end|>\n<|im_start|>assistant\n",
                    false, true), pair);
            assertEquals(Vocabulary.IM_START, pair[0]);
            assertEquals(templated.score(pair), r.score(List.of(pair))[0], 1e-6);
        }
    }

    @Test
    void scoresMatchTheClosedForm() {
        List<int[]> pairs = new ArrayList<>();
        for (String document : List.of("world from Puna", "one two three", "Hello", "Count: ten", "ok")) {
            pairs.add(reranker.pairTokens("Hello", document));
        }
        pairs.add(reranker.pairTokens("Count:", "one two three"));
        float[] scores = reranker.score(pairs);
        Set<Float> distinct = new HashSet<>();
        for (int i = 0; i < pairs.size(); i++) {
            assertEquals(EXPECTED.score(pairs.get(i)), scores[i], 1e-6, "pair " + i);
            assertTrue(scores[i] > 0 && scores[i] < 1, "a probability: " + scores[i]);
            distinct.add(scores[i]);
        }
        assertEquals(pairs.size(), distinct.size(), "every pair scores differently");
        // The query counts too: the same document under another query scores differently.
        assertFalse(scores[1] == scores[5]);
        assertArrayEquals(scores, reranker.score(pairs), 0f);
    }

    @Test
    void theRerankerKeepsItsModelUntilItIsClosed() {
        Model own = Model.load(Models.reranker());
        Reranker r = Reranker.open(own, EXACT);
        int[] pair = r.pairTokens("Hello", "world");
        own.close();
        // The owner's reference is gone, the reranker's session still holds the native model.
        assertEquals(EXPECTED.score(pair), r.score(List.of(pair))[0], 1e-6);
        r.close();
        assertTrue(r.isClosed());
        assertThrows(ResourceClosedException.class, () -> r.score(List.of(pair)));
    }

    @Test
    void withFlashAttentionTheScoresAgreeToItsF16Sums() {
        try (Reranker r = Reranker.open(model, Models.session().toBuilder().flashAttention(FlashAttention.ENABLED)
                .build())) {
            for (String document : List.of("world", "world from Puna", "one two three four five six seven eight")) {
                int[] pair = r.pairTokens("Hello", document);
                assertEquals(EXPECTED.score(pair), r.score(List.of(pair))[0], 1e-3, document);
            }
        }
    }

    @Test
    void badPairsAreRefused() {
        assertThrows(InvalidParameterException.class, () -> reranker.score(List.of(new int[0])));
        assertThrows(InvalidParameterException.class, () -> reranker.score(List.of(new int[] {1, 999_999})));
        assertThrows(ContextOverflowException.class, () -> reranker.score(List.of(new int[300])));
    }
}
