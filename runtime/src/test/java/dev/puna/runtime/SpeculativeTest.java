package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.gguf.GgmlType;
import dev.puna.testkit.ScriptedModel;
import dev.puna.testkit.TestModels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Speculative decoding on scripted models: the output with a draft is byte-identical to the output without (greedy,
 * seeded sampling, grammars, many sequences at once), a draft that knows the script is accepted and saves target
 * decodes, a draft that knows nothing is rejected without changing a token, and a draft of another vocabulary is
 * refused.
 */
@Timeout(120)
class SpeculativeTest {
    /** Long drafts, so that a draft that knows the script saves most target decodes. */
    private static final DraftParams LONG = new DraftParams(16, 0, 0.75f);
    private static Model target;
    private static Model sameScript;
    private static Model noise;

    @BeforeAll
    static void load() throws IOException {
        target = Model.load(Models.scripted());
        sameScript = Model.load(Models.scripted(GgmlType.F16));
        Path noiseFile = Models.DIR.resolve("puna-noise-draft.gguf");
        ScriptedModel.builder(TestModels.vocabulary()).name("puna-noise").seed(7).build().write(noiseFile,
                GgmlType.F32);
        noise = Model.load(noiseFile);
    }

    @AfterAll
    static void close() {
        noise.close();
        sameScript.close();
        target.close();
    }

    private static Engine engine(Model draft, DraftParams params, int parallel) {
        EngineParams.Builder b = EngineParams.builder().parallel(parallel)
                .session(SessionParams.builder().contextSize(256).threads(2).build());
        if (draft != null) {
            b.draft(draft, params);
        }
        return Engine.start(target, b.build());
    }

    private static GenerateRequest count(int tokens) {
        return GenerateRequest.builder().prompt(TestModels.COUNT_PROMPT).sampling(SamplingParams.greedy())
                .maxTokens(tokens).build();
    }

    private static GenerationResult run(Engine engine, GenerateRequest request) {
        return engine.submit(request, e -> { }).result().orTimeout(60, TimeUnit.SECONDS).join();
    }

    @Test
    void aDraftThatKnowsTheScriptIsAcceptedAndSavesTargetDecodes() {
        GenerationResult plain;
        long plainDecodes;
        try (Engine engine = engine(null, null, 1)) {
            plain = run(engine, count(60));
            plainDecodes = engine.stats().decodeCalls();
        }
        try (Engine engine = engine(sameScript, LONG, 1)) {
            GenerationResult drafted = run(engine, count(60));
            assertEquals(TestModels.countCompletion(60), drafted.text());
            assertArrayEquals(plain.tokens(), drafted.tokens());
            assertEquals(FinishReason.LENGTH, drafted.finishReason());
            GenerationResult.Drafts d = drafted.drafts();
            // Every drafted token is the script's; none is drafted past the 60-token limit, so none is wasted.
            assertEquals(d.proposed(), d.accepted(), d.toString());
            assertTrue(d.proposed() >= 50, d.toString());
            EngineStats stats = engine.stats();
            assertEquals(d.proposed(), stats.draftTokens());
            assertEquals(d.accepted(), stats.draftAccepted());
            // 60 tokens in about 60 / 17 verifying decodes instead of one decode each.
            assertTrue(stats.decodeCalls() * 4 < plainDecodes, stats.decodeCalls() + " vs " + plainDecodes);
        }
    }

    @Test
    void aDraftThatKnowsNothingChangesNoToken() {
        DraftParams eager = new DraftParams(4, 0, 0);
        try (Engine plain = engine(null, null, 1); Engine drafted = engine(noise, eager, 1)) {
            GenerationResult a = run(plain, count(30));
            GenerationResult b = run(drafted, count(30));
            assertEquals(a.text(), b.text());
            assertTrue(b.drafts().proposed() > 0);
            assertTrue(b.drafts().accepted() < b.drafts().proposed() / 2, b.drafts().toString());
            assertEquals(TestModels.HELLO_COMPLETION, run(drafted, GenerateRequest.builder()
                    .prompt(TestModels.HELLO_PROMPT).sampling(SamplingParams.greedy()).build()).text());
        }
    }

    @Test
    void seededSamplingAndGrammarsGiveTheSameTextWithADraft() {
        GenerateRequest seeded = GenerateRequest.builder().prompt(TestModels.COUNT_PROMPT).maxTokens(40)
                .sampling(SamplingParams.builder().temperature(1.5).seed(42).build()).build();
        GenerateRequest grammar = GenerateRequest.builder().prompt(TestModels.COUNT_PROMPT).maxTokens(40)
                .sampling(SamplingParams.builder().temperature(0).grammar("root ::= (\" one\" | \" two\")+").build())
                .build();
        try (Engine plain = engine(null, null, 1); Engine drafted = engine(sameScript, DraftParams.DEFAULTS, 1)) {
            for (GenerateRequest r : List.of(seeded, grammar)) {
                GenerationResult a = run(plain, r);
                GenerationResult b = run(drafted, r);
                assertEquals(a.text(), b.text());
                assertArrayEquals(a.tokens(), b.tokens());
                assertEquals(a.finishReason(), b.finishReason());
            }
        }
    }

    @Test
    void manySequencesSpeculateAtOnceEachWithItsOwnText() {
        try (Engine engine = engine(sameScript, DraftParams.DEFAULTS, 4)) {
            List<GenerationHandle> handles = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                handles.add(engine.submit(i % 2 == 0 ? count(20 + i) : GenerateRequest.builder()
                        .prompt(TestModels.HELLO_PROMPT).sampling(SamplingParams.greedy()).build(), e -> { }));
            }
            for (int i = 0; i < handles.size(); i++) {
                GenerationResult r = handles.get(i).result().orTimeout(60, TimeUnit.SECONDS).join();
                assertEquals(i % 2 == 0 ? TestModels.countCompletion(20 + i) : TestModels.HELLO_COMPLETION, r.text(),
                        "request " + i);
            }
            assertTrue(engine.stats().draftAccepted() > 0);
        }
    }

    @Test
    void aFollowUpTurnReusesItsPrefixWithADraft() {
        try (Engine engine = engine(sameScript, DraftParams.DEFAULTS, 1)) {
            GenerationResult first = run(engine, count(30));
            GenerationResult second = run(engine, GenerateRequest.builder()
                    .prompt(TestModels.COUNT_PROMPT + first.text()).sampling(SamplingParams.greedy()).maxTokens(10)
                    .build());
            assertEquals(TestModels.countCompletion(40).substring(first.text().length()), second.text());
            assertTrue(second.cachedPromptTokens() > 20, "cached " + second.cachedPromptTokens());
        }
    }

    @Test
    void aDraftOfAnotherVocabularyIsRefused() throws IOException {
        try (Model other = Model.load(TestModels.toolCaller(Models.DIR))) {
            InvalidParameterException e = assertThrows(InvalidParameterException.class,
                    () -> engine(other, DraftParams.DEFAULTS, 1));
            assertEquals("draft_model", e.parameter());
            assertTrue(e.getMessage().contains("cannot draft for"), e.getMessage());
        }
        assertThrows(InvalidParameterException.class, () -> new DraftParams(0, 0, 0.5f));
        assertThrows(InvalidParameterException.class, () -> new DraftParams(4, 5, 0.5f));
        assertThrows(InvalidParameterException.class, () -> new DraftParams(4, 0, 1.5f));
    }

    /**
     * A recurrent state cannot drop rejected draft tokens: neither a target nor a draft with recurrent layers is
     * taken (the two models share their vocabulary, so only that refuses them).
     */
    @Test
    void aModelWithRecurrentLayersNeitherDraftsNorIsDraftedFor() {
        try (Model recurrent = Model.load(Models.recurrent()); Model plain = Model.load(Models.randomSmall())) {
            for (Model[] pair : new Model[][] {{recurrent, plain}, {plain, recurrent}}) {
                InvalidParameterException e = assertThrows(InvalidParameterException.class,
                        () -> Engine.start(pair[0], EngineParams.builder().parallel(1)
                                .session(SessionParams.builder().contextSize(256).threads(2).build())
                                .draft(pair[1], DraftParams.DEFAULTS).build()));
                assertEquals("draft_model", e.parameter());
                String who = pair[0] == recurrent ? "the target" : "the draft";
                assertTrue(e.getMessage().contains(": " + who + " has recurrent layers"), e.getMessage());
            }
        }
    }
}
