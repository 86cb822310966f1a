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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    /** Drafts whatever the draft model's top token is, however unsure: random models are never sure. */
    private static final DraftParams ANY = new DraftParams(8, 0, 0f);

    private static GenerationResult generate(Model model, Model draft, int parallel, GenerateRequest request) {
        EngineParams.Builder b = EngineParams.builder().parallel(parallel)
                .session(SessionParams.builder().contextSize(256).threads(2).build());
        if (draft != null) {
            b.draft(draft, ANY);
        }
        try (Engine engine = Engine.start(model, b.build())) {
            return run(engine, request);
        }
    }

    /** The prompts' length: a draft that evaluated one again would evaluate it twice. */
    private static final int PROMPT = 150;

    private static GenerateRequest tokens(int seed, SamplingParams sampling) {
        return GenerateRequest.builder().promptTokens(SlidingWindowCacheTest.prompt(seed, PROMPT)).sampling(sampling)
                .maxTokens(24).build();
    }

    /**
     * A recurrent state cannot drop rejected draft tokens (llama.cpp keeps it for the newest position only): the
     * target's state from before the verification is put back and what it accepted evaluated again, and a draft's
     * goes back to where its drafting began. Whichever of the two is recurrent (Mamba) or hybrid (Jamba: the attention
     * caches are cut back, the recurrent state put back), the text is the target's own.
     */
    @Test
    void recurrentTargetsAndDraftsGiveTheTargetsOwnTokens() {
        try (Model recurrent = Model.load(Models.recurrent()); Model plain = Model.load(Models.randomSmall());
             Model hybrid = Model.load(Models.hybrid())) {
            for (Model[] pair : new Model[][] {{recurrent, plain}, {plain, recurrent}, {recurrent, recurrent},
                    {hybrid, plain}, {plain, hybrid}, {hybrid, recurrent}, {hybrid, hybrid}}) {
                GenerateRequest request = tokens(3, SamplingParams.greedy());
                GenerationResult without = generate(pair[0], null, 1, request);
                GenerationResult with = generate(pair[0], pair[1], 1, request);
                assertArrayEquals(without.tokens(), with.tokens());
                assertTrue(with.drafts().proposed() > 0, "drafted");
                if (pair[0] == pair[1]) {
                    assertEquals(with.drafts().proposed(), with.drafts().accepted());
                }
            }
        }
    }

    /**
     * The target's sampling bans a token its own copy drafts: the draft is accepted up to it, rejected there, and
     * both recurrent states go back and evaluate the accepted tokens again; the text is that of the target alone
     * under the same ban, also with two sequences at once, and the draft evaluates the prompt once.
     */
    @ParameterizedTest
    @ValueSource(strings = {"mamba", "jamba"})
    void aRecurrentDraftPartlyAcceptedGivesTheTargetsOwnTokens(String architecture) {
        try (Model recurrent = Model.load(architecture.equals("mamba") ? Models.recurrent() : Models.hybrid())) {
            int[] free = generate(recurrent, null, 1, tokens(5, SamplingParams.greedy())).tokens();
            SamplingParams banned = SamplingParams.builder().greedy().logitBias(free[6], Float.NEGATIVE_INFINITY)
                    .build();
            GenerationResult without = generate(recurrent, null, 1, tokens(5, banned));
            GenerationResult with;
            long evaluated;
            try (Engine engine = Engine.start(recurrent, EngineParams.builder().parallel(1).draft(recurrent, ANY)
                    .session(SessionParams.builder().contextSize(256).threads(2).build()).build())) {
                with = run(engine, tokens(5, banned));
                evaluated = engine.stats().draftEvaluated();
            }
            assertArrayEquals(without.tokens(), with.tokens());
            assertTrue(with.drafts().accepted() > 0, "accepted some");
            assertTrue(with.drafts().accepted() < with.drafts().proposed(), "rejected some");
            // The draft evaluated the prompt once: after a rejection it went back to where that drafting began,
            // instead of evaluating the conversation again from the start.
            assertTrue(evaluated < 2 * PROMPT, "the draft evaluated " + evaluated + " tokens");
            EngineParams.Builder b = EngineParams.builder().parallel(2).draft(recurrent, ANY)
                    .session(SessionParams.builder().contextSize(256).threads(2).build());
            try (Engine engine = Engine.start(recurrent, b.build())) {
                var one = engine.submit(tokens(5, banned), e -> { }).result();
                var other = engine.submit(tokens(8, SamplingParams.greedy()), e -> { }).result();
                assertArrayEquals(without.tokens(), one.orTimeout(60, TimeUnit.SECONDS).join().tokens());
                assertArrayEquals(generate(recurrent, null, 1, tokens(8, SamplingParams.greedy())).tokens(),
                        other.orTimeout(60, TimeUnit.SECONDS).join().tokens());
            }
        }
    }

    /**
     * A recurrent target whose output is known: the scripts in Mamba layers. The scripted draft is accepted in full;
     * a draft that counts {@code ▁seven} after {@code ▁five} is rejected there in every round of ten, the target's
     * state put back and what it accepted evaluated again each time. The count comes out exactly either way.
     */
    @Test
    void aScriptedRecurrentTargetCountsWithAScriptedDraftAndAnOffScriptOne() {
        try (Model mamba = Model.load(Models.scriptedMamba()); Model offScript = Model.load(Models.offScript())) {
            SessionParams session = SessionParams.builder().contextSize(256).threads(2).build();
            try (Engine engine = Engine.start(mamba, EngineParams.builder().parallel(1).session(session).build())) {
                assertEquals(TestModels.HELLO_COMPLETION, run(engine, GenerateRequest.builder()
                        .prompt(TestModels.HELLO_PROMPT).sampling(SamplingParams.greedy()).build()).text());
                long before = engine.stats().decodeCalls();
                assertEquals(TestModels.countCompletion(60), run(engine, count(60)).text());
                assertEquals(60, engine.stats().decodeCalls() - before, "the prompt, then one decode a token");
            }
            try (Engine engine = Engine.start(mamba, EngineParams.builder().parallel(1).draft(target, LONG)
                    .session(session).build())) {
                GenerationResult drafted = run(engine, count(60));
                assertEquals(TestModels.countCompletion(60), drafted.text());
                // From ▁one: 16 drafted and accepted, plus the target's own token, three times (51 tokens), then 7
                // and one more: 55 drafted, all accepted, in the prompt's decode and 4 verifications.
                assertEquals(new GenerationResult.Drafts(55, 55), drafted.drafts());
                assertEquals(5, engine.stats().decodeCalls());
            }
            try (Engine engine = Engine.start(mamba, EngineParams.builder().parallel(1).draft(offScript, LONG)
                    .session(session).build())) {
                GenerationResult drafted = run(engine, count(60));
                assertEquals(TestModels.countCompletion(60), drafted.text());
                // ▁one, then two..five accepted (the draft's ▁seven rejected, the target's ▁six taken), then
                // seven..five and ▁six five times (56 tokens), the last of those drafts cut to the 13 tokens the
                // request still had room for after its own; then 3 drafted and accepted and the 60th token. 16 x 5
                // + 13 + 3 = 96 drafted, 4 + 9 x 5 + 3 = 52 accepted; decodes: the prompt, 7 verifications and,
                // after each of the 6 rejections, the accepted tokens evaluated again.
                assertEquals(new GenerationResult.Drafts(96, 52), drafted.drafts());
                assertEquals(1 + 7 + 6, engine.stats().decodeCalls());
            }
        }
    }
}
