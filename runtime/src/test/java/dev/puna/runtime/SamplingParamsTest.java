package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.runtime.SamplingParams.Stage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class SamplingParamsTest {

    /** Builds with one change and expects the named option to be rejected. */
    private static void assertRejected(String parameter, UnaryOperator<SamplingParams.Builder> change) {
        InvalidParameterException e =
                assertThrows(InvalidParameterException.class, () -> change.apply(SamplingParams.builder()).build());
        assertEquals(parameter, e.parameter());
        assertTrue(e.getMessage().startsWith(parameter + ": "), e.getMessage());
    }

    @Test
    void defaultsAreOllamas() {
        SamplingParams p = SamplingParams.defaults();
        assertEquals(0.8f, p.temperature());
        assertEquals(40, p.topK());
        assertEquals(0.9f, p.topP());
        assertEquals(0.0f, p.minP());
        assertEquals(1.0f, p.typicalP());
        assertEquals(64, p.repeatLastN());
        assertEquals(1.0f, p.repeatPenalty());
        assertEquals(0.0f, p.presencePenalty());
        assertEquals(0.0f, p.frequencyPenalty());
        assertEquals(0, p.mirostat());
        assertEquals(5.0f, p.mirostatTau());
        assertEquals(0.1f, p.mirostatEta());
        assertEquals(OptionalLong.empty(), p.seed());
        assertEquals(Map.of(), p.logitBias());
        assertEquals(Optional.empty(), p.grammar());
        assertFalse(p.isGreedy());
        assertEquals(p, SamplingParams.builder().build());
        assertSame(p, SamplingParams.defaults());
    }

    @Test
    void greedyIsDefaultsWithTemperatureZero() {
        SamplingParams g = SamplingParams.greedy();
        assertEquals(0f, g.temperature());
        assertTrue(g.isGreedy());
        assertEquals(SamplingParams.defaults().toBuilder().temperature(0).build(), g);
        assertEquals(g, SamplingParams.builder().greedy().build());
    }

    @Test
    void builderSetsEveryOption() {
        SamplingParams p = SamplingParams.builder()
                .temperature(0.5).topK(10).topP(0.5).minP(0.05).typicalP(0.7).repeatLastN(-1)
                .repeatPenalty(1.3).presencePenalty(-0.5).frequencyPenalty(0.25).mirostat(2)
                .mirostatTau(3).mirostatEta(0.2).seed(42).logitBias(7, -2.5f).grammar("root ::= \"a\"")
                .build();
        assertEquals(0.5f, p.temperature());
        assertEquals(10, p.topK());
        assertEquals(0.5f, p.topP());
        assertEquals(0.05f, p.minP());
        assertEquals(0.7f, p.typicalP());
        assertEquals(-1, p.repeatLastN());
        assertEquals(1.3f, p.repeatPenalty());
        assertEquals(-0.5f, p.presencePenalty());
        assertEquals(0.25f, p.frequencyPenalty());
        assertEquals(2, p.mirostat());
        assertEquals(3f, p.mirostatTau());
        assertEquals(0.2f, p.mirostatEta());
        assertEquals(OptionalLong.of(42), p.seed());
        assertEquals(Map.of(7, -2.5f), p.logitBias());
        assertEquals(Optional.of("root ::= \"a\""), p.grammar());
    }

    @Test
    void toBuilderRoundTripsAndDerivesWithoutChangingTheOriginal() {
        SamplingParams original = SamplingParams.builder().seed(9).logitBias(1, 2f).grammar("g").build();
        assertEquals(original, original.toBuilder().build());
        assertEquals(original.hashCode(), original.toBuilder().build().hashCode());
        SamplingParams derived = original.toBuilder().topK(5).logitBias(2, 3f).build();
        assertEquals(5, derived.topK());
        assertEquals(Map.of(1, 2f, 2, 3f), derived.logitBias());
        assertEquals(40, original.topK());
        assertEquals(Map.of(1, 2f), original.logitBias());
        assertNotEquals(original, derived);
    }

    @Test
    void temperatureMustBeFiniteAndNonNegative() {
        assertRejected("temperature", b -> b.temperature(Double.NaN));
        assertRejected("temperature", b -> b.temperature(Double.POSITIVE_INFINITY));
        assertRejected("temperature", b -> b.temperature(Double.NEGATIVE_INFINITY));
        assertRejected("temperature", b -> b.temperature(-0.1));
        assertRejected("temperature", b -> b.temperature(1e39)); // finite double, infinite float
        assertEquals(0f, SamplingParams.builder().temperature(0).build().temperature());
        assertEquals(2f, SamplingParams.builder().temperature(2).build().temperature());
    }

    @Test
    void topKMustBeNonNegative() {
        assertRejected("top_k", b -> b.topK(-1));
        assertEquals(0, SamplingParams.builder().topK(0).build().topK());
    }

    @Test
    void probabilitiesMustLieInTheUnitInterval() {
        assertRejected("top_p", b -> b.topP(-0.01));
        assertRejected("top_p", b -> b.topP(1.01));
        assertRejected("top_p", b -> b.topP(Double.NaN));
        assertRejected("min_p", b -> b.minP(-0.01));
        assertRejected("min_p", b -> b.minP(1.5));
        assertRejected("min_p", b -> b.minP(Double.NaN));
        assertRejected("typical_p", b -> b.typicalP(-1));
        assertRejected("typical_p", b -> b.typicalP(2));
        assertRejected("typical_p", b -> b.typicalP(Double.NaN));
        SamplingParams edges = SamplingParams.builder().topP(0).minP(1).typicalP(0).build();
        assertEquals(0f, edges.topP());
        assertEquals(1f, edges.minP());
        assertEquals(0f, edges.typicalP());
        SamplingParams otherEdges = SamplingParams.builder().topP(1).minP(0).typicalP(1).build();
        assertEquals(1f, otherEdges.topP());
    }

    @Test
    void repeatLastNMustBeAtLeastMinusOne() {
        assertRejected("repeat_last_n", b -> b.repeatLastN(-2));
        assertEquals(-1, SamplingParams.builder().repeatLastN(-1).build().repeatLastN());
        assertEquals(0, SamplingParams.builder().repeatLastN(0).build().repeatLastN());
    }

    @Test
    void repeatPenaltyMustBeFiniteAndPositive() {
        assertRejected("repeat_penalty", b -> b.repeatPenalty(0));
        assertRejected("repeat_penalty", b -> b.repeatPenalty(-1));
        assertRejected("repeat_penalty", b -> b.repeatPenalty(Double.NaN));
        assertRejected("repeat_penalty", b -> b.repeatPenalty(Double.POSITIVE_INFINITY));
        assertEquals(0.5f, SamplingParams.builder().repeatPenalty(0.5).build().repeatPenalty());
    }

    @Test
    void presenceAndFrequencyPenaltiesMustBeFiniteButMayBeNegative() {
        assertRejected("presence_penalty", b -> b.presencePenalty(Double.NaN));
        assertRejected("presence_penalty", b -> b.presencePenalty(Double.NEGATIVE_INFINITY));
        assertRejected("frequency_penalty", b -> b.frequencyPenalty(Double.NaN));
        assertRejected("frequency_penalty", b -> b.frequencyPenalty(Double.POSITIVE_INFINITY));
        SamplingParams p = SamplingParams.builder().presencePenalty(-2).frequencyPenalty(-2).build();
        assertEquals(-2f, p.presencePenalty());
        assertEquals(-2f, p.frequencyPenalty());
    }

    @Test
    void mirostatMustBeZeroOneOrTwo() {
        assertRejected("mirostat", b -> b.mirostat(-1));
        assertRejected("mirostat", b -> b.mirostat(3));
        for (int version = 0; version <= 2; version++) {
            assertEquals(version, SamplingParams.builder().mirostat(version).build().mirostat());
        }
    }

    @Test
    void mirostatTauAndEtaAreCheckedOnlyWhenMirostatIsOn() {
        assertRejected("mirostat_tau", b -> b.mirostat(1).mirostatTau(0));
        assertRejected("mirostat_tau", b -> b.mirostat(2).mirostatTau(-1));
        assertRejected("mirostat_tau", b -> b.mirostat(2).mirostatTau(Double.NaN));
        assertRejected("mirostat_tau", b -> b.mirostat(1).mirostatTau(Double.POSITIVE_INFINITY));
        assertRejected("mirostat_eta", b -> b.mirostat(1).mirostatEta(0));
        assertRejected("mirostat_eta", b -> b.mirostat(2).mirostatEta(-0.1));
        assertRejected("mirostat_eta", b -> b.mirostat(2).mirostatEta(Double.NaN));
        SamplingParams off = SamplingParams.builder().mirostat(0).mirostatTau(-1).mirostatEta(Double.NaN).build();
        assertEquals(0, off.mirostat());
    }

    @Test
    void seedMinusOneOrNullMeansRandomAndAnyOtherLongIsKept() {
        assertEquals(OptionalLong.empty(), SamplingParams.builder().seed(-1).build().seed());
        assertEquals(OptionalLong.empty(), SamplingParams.builder().seed((Long) null).build().seed());
        assertEquals(OptionalLong.empty(), SamplingParams.builder().seed(Long.valueOf(-1)).build().seed());
        assertEquals(OptionalLong.empty(), SamplingParams.builder().seed(5).randomSeed().build().seed());
        assertEquals(OptionalLong.of(0), SamplingParams.builder().seed(0).build().seed());
        assertEquals(OptionalLong.of(Long.MIN_VALUE), SamplingParams.builder().seed(Long.MIN_VALUE).build().seed());
        assertEquals(OptionalLong.of(Long.MAX_VALUE), SamplingParams.builder().seed(Long.MAX_VALUE).build().seed());
        assertEquals(OptionalLong.of(-2), SamplingParams.builder().seed(Long.valueOf(-2)).build().seed());
    }

    @Test
    void logitBiasAllowsNegativeInfinityAndRejectsNaNPositiveInfinityAndBadIds() {
        SamplingParams banned = SamplingParams.builder().logitBias(3, Float.NEGATIVE_INFINITY).build();
        assertEquals(Map.of(3, Float.NEGATIVE_INFINITY), banned.logitBias());
        assertRejected("logit_bias", b -> b.logitBias(3, Float.NaN));
        assertRejected("logit_bias", b -> b.logitBias(3, Float.POSITIVE_INFINITY));
        assertRejected("logit_bias", b -> b.logitBias(-1, 1f));
        Map<Integer, Float> nullKey = new HashMap<>();
        nullKey.put(null, 1f);
        assertRejected("logit_bias", b -> b.logitBias(nullKey));
        Map<Integer, Float> nullValue = new HashMap<>();
        nullValue.put(1, null);
        assertRejected("logit_bias", b -> b.logitBias(nullValue));
    }

    @Test
    void logitBiasIsCopiedSortedAndUnmodifiable() {
        Map<Integer, Float> source = new HashMap<>(Map.of(30, 1f, 10, -1f, 20, 0.5f));
        SamplingParams.Builder builder = SamplingParams.builder().logitBias(source);
        source.put(40, 9f);
        SamplingParams p = builder.build();
        assertEquals(List.of(10, 20, 30), List.copyOf(p.logitBias().keySet()));
        assertThrows(UnsupportedOperationException.class, () -> p.logitBias().put(1, 1f));
        assertEquals(Map.of(), SamplingParams.builder().logitBias(1, 1f).logitBias(null).build().logitBias());
    }

    @Test
    void emptyGrammarMeansNone() {
        assertEquals(Optional.empty(), SamplingParams.builder().grammar("").build().grammar());
        assertEquals(Optional.empty(), SamplingParams.builder().grammar("x").grammar(null).build().grammar());
    }

    @Test
    void defaultChainIsTopKTopPTemperatureDistribution() {
        assertEquals(List.of(
                        new Stage.TopK(40),
                        new Stage.TopP(0.9f),
                        new Stage.Temperature(0.8f),
                        new Stage.Distribution(OptionalLong.empty())),
                SamplingParams.defaults().chain());
    }

    @Test
    void fullChainFollowsLlamaCppOrder() {
        SamplingParams p = SamplingParams.builder()
                .logitBias(5, Float.NEGATIVE_INFINITY).repeatLastN(-1).repeatPenalty(1.2).frequencyPenalty(0.1)
                .presencePenalty(0.3).topK(20).typicalP(0.95).topP(0.8).minP(0.05).temperature(0.7).seed(123)
                .grammar("root ::= [a-z]+").build();
        assertEquals(List.of(
                        new Stage.LogitBias(Map.of(5, Float.NEGATIVE_INFINITY)),
                        new Stage.Penalties(-1, 1.2f, 0.1f, 0.3f),
                        new Stage.TopK(20),
                        new Stage.TypicalP(0.95f),
                        new Stage.TopP(0.8f),
                        new Stage.MinP(0.05f),
                        new Stage.Temperature(0.7f),
                        new Stage.Distribution(OptionalLong.of(123))),
                p.chain());
    }

    @Test
    void greedyChainKeepsBiasAndPenaltiesThenPicksTheTopToken() {
        assertEquals(List.of(new Stage.Greedy()), SamplingParams.greedy().chain());
        assertEquals(List.of(new Stage.Penalties(64, 1.1f, 0f, 0f), new Stage.Greedy()),
                SamplingParams.builder().greedy().repeatPenalty(1.1).build().chain());
        SamplingParams p = SamplingParams.builder().greedy().mirostat(2).repeatPenalty(1).logitBias(1, 2f).build();
        assertEquals(List.of(new Stage.LogitBias(Map.of(1, 2f)), new Stage.Greedy()), p.chain());
    }

    @Test
    void mirostatChainIsTemperatureThenMirostat() {
        SamplingParams v1 = SamplingParams.builder().mirostat(1).seed(7).repeatPenalty(1.1).build();
        assertEquals(List.of(
                        new Stage.Penalties(64, 1.1f, 0f, 0f),
                        new Stage.Temperature(0.8f),
                        new Stage.Mirostat(1, 5f, 0.1f, OptionalLong.of(7))),
                v1.chain());
        SamplingParams v2 = SamplingParams.builder().mirostat(2).mirostatTau(3).mirostatEta(0.2).temperature(1)
                .repeatLastN(0).build();
        assertEquals(List.of(new Stage.Mirostat(2, 3f, 0.2f, OptionalLong.empty())), v2.chain());
    }

    @Test
    void chainLeavesOutStagesThatDoNothing() {
        SamplingParams neutral = SamplingParams.builder()
                .repeatPenalty(1).topK(0).topP(1).minP(0).typicalP(1).temperature(1).build();
        assertEquals(List.of(new Stage.Distribution(OptionalLong.empty())), neutral.chain());
        // repeat_last_n 0 disables the penalties whatever their strength.
        SamplingParams noWindow = SamplingParams.builder().repeatLastN(0).presencePenalty(1).build();
        assertEquals(new Stage.TopK(40), noWindow.chain().getFirst());
        // A single non-neutral penalty is enough to keep the stage.
        SamplingParams presenceOnly = SamplingParams.builder().repeatPenalty(1).presencePenalty(0.5).build();
        assertEquals(new Stage.Penalties(64, 1f, 0f, 0.5f), presenceOnly.chain().getFirst());
    }

    @Test
    void chainIsUnmodifiable() {
        List<Stage> chain = SamplingParams.defaults().chain();
        assertThrows(UnsupportedOperationException.class, () -> chain.add(new Stage.Greedy()));
    }

    @Test
    void toStringUsesOllamaNames() {
        String s = SamplingParams.builder().grammar("abc").build().toString();
        assertTrue(s.contains("top_k=40"), s);
        assertTrue(s.contains("seed=random"), s);
        assertTrue(s.contains("grammar=3 chars"), s);
    }
}
