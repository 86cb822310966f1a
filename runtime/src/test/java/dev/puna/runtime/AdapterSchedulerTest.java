package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.puna.runtime.internal.CompletionState;
import dev.puna.testkit.TestModels;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Which adapter set each step decodes, on slots with started jobs (no decoding happens). */
class AdapterSchedulerTest {
    private static Model model;
    private static LoraAdapter first;
    private static LoraAdapter second;
    private static AdapterSet a;
    private static AdapterSet b;

    @BeforeAll
    static void load() throws IOException {
        model = Model.load(Models.scripted());
        first = LoraAdapter.load(model, TestModels.scriptedLora(Models.DIR));
        second = LoraAdapter.load(model, TestModels.scriptedLora(Models.DIR));
        a = AdapterSet.of(List.of(new LoraScale(first, 1)));
        b = AdapterSet.of(List.of(new LoraScale(second, 1)));
    }

    @AfterAll
    static void close() {
        first.close();
        second.close();
        model.close();
    }

    /** A slot whose started job runs {@code set} and is decoding. */
    private static EngineSlot decoding(int seq, AdapterSet set) {
        EngineSlot s = new EngineSlot(seq);
        s.job = new EngineJob(GenerateRequest.builder().prompt("x").build(), e -> { }, new int[] {1}, () -> { }, set);
        s.job.completion = new CompletionState(List.of(), -1, t -> new byte[0]);
        s.job.pending = 5;
        return s;
    }

    private static List<AdapterSet> run(AdapterScheduler scheduler, EngineSlot[] slots, int steps) {
        List<AdapterSet> chosen = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            chosen.add(scheduler.choose(slots));
        }
        return chosen;
    }

    @Test
    void setsAreNormalisedScaleZeroDroppedAndOrderIgnored() {
        assertEquals(AdapterSet.NONE, AdapterSet.of(List.of(new LoraScale(first, 0))));
        assertEquals(AdapterSet.of(List.of(new LoraScale(first, 1), new LoraScale(second, 0.5f))),
                AdapterSet.of(List.of(new LoraScale(second, 0.5f), new LoraScale(first, 1), new LoraScale(second, 0))));
        assertNotEquals(a, AdapterSet.of(List.of(new LoraScale(first, 0.5f))));
        assertNotEquals(a, b);
    }

    @Test
    void oneSetNeverSwitches() {
        AdapterScheduler scheduler = new AdapterScheduler();
        EngineSlot[] slots = {decoding(0, a), decoding(1, a)};
        assertEquals(List.of(a, a, a, a, a), run(scheduler, slots, 5));
        assertEquals(List.of(AdapterSet.NONE, AdapterSet.NONE),
                run(new AdapterScheduler(), new EngineSlot[] {new EngineSlot(0)}, 2));
    }

    @Test
    void twoSetsTakeTurnsOfAQuantumEach() {
        AdapterScheduler scheduler = new AdapterScheduler();
        EngineSlot[] slots = {decoding(0, AdapterSet.NONE), decoding(1, a)};
        List<AdapterSet> chosen = run(scheduler, slots, 3 * AdapterScheduler.QUANTUM);
        List<AdapterSet> expected = new ArrayList<>();
        for (int turn = 0; turn < 3; turn++) {
            for (int i = 0; i < AdapterScheduler.QUANTUM; i++) {
                expected.add(turn % 2 == 0 ? AdapterSet.NONE : a);
            }
        }
        assertEquals(expected, chosen);
    }

    @Test
    void theSetThatWaitedLongestGoesNextSoNoneStarves() {
        AdapterScheduler scheduler = new AdapterScheduler();
        EngineSlot[] slots = {decoding(0, AdapterSet.NONE), decoding(1, a), decoding(2, b)};
        List<AdapterSet> chosen = run(scheduler, slots, 4 * AdapterScheduler.QUANTUM);
        List<AdapterSet> turns = new ArrayList<>();
        for (int i = 0; i < chosen.size(); i += AdapterScheduler.QUANTUM) {
            turns.add(chosen.get(i));
        }
        assertEquals(List.of(AdapterSet.NONE, a, b, AdapterSet.NONE), turns);
    }

    @Test
    void theActiveSetWithoutWorkGivesWayAtOnce() {
        AdapterScheduler scheduler = new AdapterScheduler();
        EngineSlot[] slots = {decoding(0, AdapterSet.NONE), decoding(1, a)};
        assertEquals(AdapterSet.NONE, scheduler.choose(slots));
        slots[0].job = null;
        assertEquals(a, scheduler.choose(slots));
        slots[1].job.handle.pause();
        assertEquals(a, scheduler.choose(slots)); // nothing has work: the active set stays
    }
}
