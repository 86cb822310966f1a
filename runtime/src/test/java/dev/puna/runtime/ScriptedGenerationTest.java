package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.gguf.GgmlType;
import dev.puna.testkit.TestModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Exact outputs of the scripted model: its weights make greedy decoding follow known token chains. */
class ScriptedGenerationTest {
    private static Model model;
    private static Session session;

    @BeforeAll
    static void load() {
        model = Model.load(Models.scripted());
        session = model.newSession(Models.session());
    }

    @AfterAll
    static void close() {
        session.close();
        model.close();
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "Q8_0"})
    void helloScriptEndsOnEosInEveryTensorType(GgmlType type) {
        try (Model m = Model.load(Models.scripted(type)); Session s = m.newSession(Models.session())) {
            GenerationResult r = s.generate(Models.greedy(TestModels.HELLO_PROMPT));
            assertEquals(TestModels.HELLO_COMPLETION, r.text());
            assertEquals(FinishReason.EOS, r.finishReason());
            assertArrayEquals(new int[] {Models.id("▁world"), Models.id("▁from"), Models.id("▁Puna"), Models.id("!")},
                    r.tokens());
            assertEquals(2, r.promptTokens());
            assertEquals(4, r.completionTokens());
        }
    }

    @Test
    void maxTokensEndsWithLength() {
        GenerationResult r = session.generate(GenerateRequest.builder().prompt(TestModels.COUNT_PROMPT)
                .sampling(SamplingParams.greedy()).maxTokens(12).build());
        assertEquals(" one two three four five six seven eight nine ten one two", r.text());
        assertEquals(TestModels.countCompletion(12), r.text());
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(12, r.completionTokens());
    }

    @Test
    void zeroMaxTokensOnlyEvaluatesThePrompt() {
        GenerationResult r = session.generate(GenerateRequest.builder().prompt(TestModels.COUNT_PROMPT)
                .sampling(SamplingParams.greedy()).maxTokens(0).build());
        assertEquals("", r.text());
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(0, r.completionTokens());
    }

    @Test
    void stopStringEndsGenerationAndNeverLeaksPartially() {
        List<TokenEvent> events = new ArrayList<>();
        GenerationResult r = session.generate(GenerateRequest.builder().prompt(TestModels.COUNT_PROMPT)
                .sampling(SamplingParams.greedy()).stop(List.of(" four", "nine")).build(), events::add);
        assertEquals(" one two three", r.text());
        assertEquals(FinishReason.STOP, r.finishReason());
        StringBuilder streamed = new StringBuilder();
        for (TokenEvent e : events) {
            streamed.append(e.text());
            assertTrue(!e.text().contains("fo"), "partial stop string leaked: " + e);
        }
        assertEquals(r.text(), streamed.toString());
        // The token that completed " four" was generated but its text withheld.
        assertEquals(4, r.completionTokens());
    }

    @Test
    void stopStringSpanningTokens() {
        GenerationResult r = session.generate(GenerateRequest.builder().prompt(TestModels.COUNT_PROMPT)
                .sampling(SamplingParams.greedy()).stop(List.of("two thr")).build());
        assertEquals(" one ", r.text());
        assertEquals(FinishReason.STOP, r.finishReason());
    }

    @Test
    void multiByteCharacterIsNeverSplitAcrossEvents() {
        List<TokenEvent> events = new ArrayList<>();
        GenerationResult r = session.generate(Models.greedy(TestModels.EMOJI_PROMPT), events::add);
        assertEquals(TestModels.EMOJI_COMPLETION, r.text());
        assertEquals(FinishReason.EOS, r.finishReason());
        assertEquals(List.of("", "", "", "\uD83D\uDE00", " ok"), events.stream().map(TokenEvent::text).toList());
        var vocab = TestModels.vocabulary();
        assertArrayEquals(new int[] {vocab.byteToken(0xF0), vocab.byteToken(0x9F), vocab.byteToken(0x98),
                vocab.byteToken(0x80), Models.id("▁ok")}, events.stream().mapToInt(TokenEvent::token).toArray());
    }

    @Test
    void contextFullStopsGeneration() {
        // llama.cpp rounds n_ctx up to a multiple of 256; the session reports what it got.
        try (Session small = model.newSession(SessionParams.builder().contextSize(200).threads(2).build())) {
            assertEquals(256, small.contextSize());
            GenerationResult r = small.generate(Models.greedy(TestModels.COUNT_PROMPT));
            assertEquals(FinishReason.CONTEXT_FULL, r.finishReason());
            // 2 prompt tokens + 254 decoded completion tokens fill 256 positions; the 255th is sampled, not decoded.
            assertEquals(255, r.completionTokens());
            assertEquals(TestModels.countCompletion(255), r.text());
        }
    }

    @Test
    void secondTurnReusesTheCachedPrefix() {
        try (Session s = model.newSession(Models.session())) {
            GenerationResult first = s.generate(GenerateRequest.builder().prompt(TestModels.COUNT_PROMPT)
                    .sampling(SamplingParams.greedy()).maxTokens(3).build());
            assertEquals(0, first.cachedPromptTokens());
            assertEquals(2, first.timings().promptTokensEvaluated());
            // Next "turn": the previous prompt and answer plus new text.
            String next = TestModels.COUNT_PROMPT + first.text() + " Hello";
            GenerationResult second = s.generate(GenerateRequest.builder().prompt(next)
                    .sampling(SamplingParams.greedy()).maxTokens(3).build());
            int[] tokens = model.tokenize(next, true, true);
            // BOS, Count:, one, two (three was sampled last and never decoded) are reused.
            assertEquals(4, second.cachedPromptTokens());
            assertEquals(tokens.length - 4, second.timings().promptTokensEvaluated());
            assertEquals(" world from Puna", second.text());
        }
    }

    @Test
    void logprobsReportTheChosenTokenAndTopAlternatives() {
        List<TokenEvent> events = new ArrayList<>();
        session.generate(GenerateRequest.builder().prompt(TestModels.HELLO_PROMPT).sampling(SamplingParams.greedy())
                .logprobs(true).topLogprobs(3).build(), events::add);
        TokenEvent first = events.get(0);
        assertEquals(Models.id("▁world"), first.logprob().token());
        assertEquals(" world", first.logprob().text());
        assertEquals(3, first.logprob().top().size());
        assertEquals(first.token(), first.logprob().top().get(0).token());
        assertEquals(first.logprob().logprob(), first.logprob().top().get(0).logprob(), 1e-9);
        assertTrue(first.logprob().logprob() <= 0 && first.logprob().logprob() > -0.01,
                "scripted successor should be nearly certain: " + first.logprob().logprob());
        assertTrue(first.logprob().top().get(1).logprob() <= first.logprob().top().get(0).logprob());
    }

    @Test
    void seededSamplingIsReproducible() {
        SamplingParams hot = SamplingParams.builder().temperature(50).topK(0).topP(1).seed(42).build();
        GenerateRequest req = GenerateRequest.builder().prompt(TestModels.HELLO_PROMPT).sampling(hot).maxTokens(8).build();
        GenerationResult a = session.generate(req);
        GenerationResult b = session.generate(req);
        assertArrayEquals(a.tokens(), b.tokens());
        assertEquals(8, a.completionTokens());
        // At temperature 50 the scripted continuation is no longer near-certain.
        assertTrue(!a.text().startsWith(TestModels.HELLO_COMPLETION), a.text());
    }

    @Test
    void logitBiasOverridesTheScript() {
        SamplingParams biased = SamplingParams.builder().greedy().logitBias(Map.of(Models.id("▁ten"), 1000f)).build();
        GenerationResult r = session.generate(GenerateRequest.builder().prompt(TestModels.COUNT_PROMPT)
                .sampling(biased).maxTokens(3).build());
        assertEquals(" ten ten ten", r.text());
    }

    @Test
    void grammarConstrainsTheOutput() {
        SamplingParams constrained = SamplingParams.builder().greedy().grammar("root ::= \" two three\"").build();
        GenerationResult r = session.generate(GenerateRequest.builder().prompt(TestModels.COUNT_PROMPT)
                .sampling(constrained).maxTokens(10).build());
        assertEquals(" two three", r.text());
        assertEquals(FinishReason.EOS, r.finishReason());
    }

    @Test
    void cancelledBeforeStartGeneratesNothing() {
        CancellationToken cancel = new CancellationToken();
        cancel.cancel();
        GenerationResult r = session.generate(GenerateRequest.builder().prompt(TestModels.COUNT_PROMPT)
                .sampling(SamplingParams.greedy()).cancellation(cancel).build());
        assertEquals(FinishReason.CANCELLED, r.finishReason());
        assertEquals(0, r.completionTokens());
    }

    @Test
    void cancelFromAnotherThreadStopsWithinOneStep() throws Exception {
        CancellationToken cancel = new CancellationToken();
        List<String> seen = new ArrayList<>();
        GenerationResult r = session.generate(GenerateRequest.builder().prompt(TestModels.COUNT_PROMPT)
                .sampling(SamplingParams.greedy()).cancellation(cancel).build(), e -> {
                    seen.add(e.text());
                    if (seen.size() == 3) {
                        Thread t = new Thread(cancel::cancel);
                        t.start();
                        try {
                            t.join();
                        } catch (InterruptedException ex) {
                            Thread.currentThread().interrupt();
                        }
                    }
                });
        assertEquals(FinishReason.CANCELLED, r.finishReason());
        assertEquals(3, r.completionTokens());
        assertEquals(" one two three", r.text());
    }

    @Test
    void promptAsTokens() {
        int[] prompt = {1, Models.id("▁Hello")};
        GenerationResult r = session.generate(GenerateRequest.builder().promptTokens(prompt)
                .sampling(SamplingParams.greedy()).build());
        assertEquals(TestModels.HELLO_COMPLETION, r.text());
    }
}
