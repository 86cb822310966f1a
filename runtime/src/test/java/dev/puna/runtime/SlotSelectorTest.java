package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Slot choice and prefix-source decisions, on plain token lists (no native state). */
class SlotSelectorTest {
    private static int[] range(int from, int to) {
        return IntStream.range(from, to).toArray();
    }

    private static EngineSlot[] slots(int n) {
        EngineSlot[] s = new EngineSlot[n];
        for (int i = 0; i < n; i++) {
            s[i] = new EngineSlot(i);
        }
        return s;
    }

    private static EngineJob busy() {
        return new EngineJob(GenerateRequest.builder().prompt("x").build(), e -> { }, new int[] {1}, () -> { });
    }

    @Test
    void theLowestFreeSlotIsChosen() {
        EngineSlot[] s = slots(4);
        s[0].job = busy();
        s[2].job = busy();
        assertSame(s[1], SlotSelector.freeSlot(s));
        s[1].job = busy();
        assertSame(s[3], SlotSelector.freeSlot(s));
        s[3].job = busy();
        assertNull(SlotSelector.freeSlot(s));
    }

    @Test
    void whileSlotsAreBusyANewcomerTakesAHoleInTheirBlockElseASlotNextToIt() {
        EngineSlot[] s = slots(8);
        int[] prompt = range(0, 100);
        s[3].job = busy();
        s[6].job = busy();
        // holes 4 and 5, the only candidates though 0-2 and 7 are free: 5 holds the prompt's prefix
        s[5].cached = range(0, 90);
        assertSame(s[5], SlotSelector.slotFor(s, prompt, AdapterSet.NONE));
        s[5].cached = new int[0];
        assertSame(s[4], SlotSelector.slotFor(s, prompt, AdapterSet.NONE)); // else the lower
        s[4].job = busy();
        s[5].job = busy();
        // no hole: 2 or 7, the lowest unless the other holds the prefix or has nothing to save
        assertSame(s[2], SlotSelector.slotFor(s, prompt, AdapterSet.NONE));
        s[2].cached = range(1000, 1100); // a conversation not saved to host RAM yet
        assertSame(s[7], SlotSelector.slotFor(s, prompt, AdapterSet.NONE));
        s[0].cached = range(0, 99); // the prompt's prefix, but away from the block
        assertSame(s[7], SlotSelector.slotFor(s, prompt, AdapterSet.NONE));
        for (int i : new int[] {0, 1, 2, 7}) {
            s[i].job = busy();
        }
        assertNull(SlotSelector.slotFor(s, prompt, AdapterSet.NONE));
    }

    @Test
    void atAnIdleEngineANewcomerTakesItsPrefixsSlotElseOneWithNothingToSave() {
        EngineSlot[] s = slots(4);
        int[] prompt = range(0, 200);
        assertSame(s[0], SlotSelector.slotFor(s, prompt, AdapterSet.NONE)); // all empty: the lowest
        s[0].cached = range(500, 600);
        s[1].cached = range(600, 700);
        // 0 and 1 hold conversations not saved yet, 2 is empty
        assertSame(s[2], SlotSelector.slotFor(s, prompt, AdapterSet.NONE));
        s[1].saved = s[1].cached; // saved to host RAM while it idled
        assertSame(s[1], SlotSelector.slotFor(s, prompt, AdapterSet.NONE));
        s[3].cached = range(0, 150); // the prompt's first 150 tokens
        assertSame(s[3], SlotSelector.slotFor(s, prompt, AdapterSet.NONE));
        s[3].cached = range(0, SlotSelector.REUSE_MARGIN - 1); // too short a prefix to count
        assertSame(s[1], SlotSelector.slotFor(s, prompt, AdapterSet.NONE));
    }

    @Test
    void theOwnCacheStaysWhenNothingElseIsMuchBetter() {
        EngineSlot[] s = slots(3);
        s[0].cached = range(0, 100);
        s[1].cached = range(0, 100 + SlotSelector.REUSE_MARGIN - 1);
        int[] prompt = range(0, 300);
        assertEquals(new SlotSelector.Reuse(SlotSelector.Source.OWN, null), SlotSelector.reuse(s[0], s, prompt, 131));
    }

    @Test
    void anIdleSlotSharingEnoughMoreIsCopied() {
        EngineSlot[] s = slots(3);
        s[0].cached = range(0, 10);
        s[1].cached = range(0, 10 + SlotSelector.REUSE_MARGIN);
        s[2].cached = range(0, 10 + SlotSelector.REUSE_MARGIN + 5);
        int[] prompt = range(0, 300);
        assertEquals(new SlotSelector.Reuse(SlotSelector.Source.DONOR, s[2]), SlotSelector.reuse(s[0], s, prompt, 0));
        // A busy slot is never a donor: its cache changes under the copy.
        s[2].job = busy();
        assertEquals(new SlotSelector.Reuse(SlotSelector.Source.DONOR, s[1]), SlotSelector.reuse(s[0], s, prompt, 0));
    }

    @Test
    void theHostCacheWinsOnlyWhenItSharesMoreThanTheBestDonor() {
        EngineSlot[] s = slots(2);
        s[1].cached = range(0, 80);
        int[] prompt = range(0, 300);
        assertEquals(SlotSelector.Source.DONOR, SlotSelector.reuse(s[0], s, prompt, 80).source());
        assertEquals(SlotSelector.Source.HOST_CACHE, SlotSelector.reuse(s[0], s, prompt, 81).source());
        assertEquals(SlotSelector.Source.OWN, SlotSelector.reuse(s[0], slots(1), prompt,
                SlotSelector.REUSE_MARGIN - 1).source());
    }

    @Test
    void aDivergingCacheCountsOnlyItsCommonPrefix() {
        EngineSlot[] s = slots(2);
        int[] donor = range(0, 200);
        donor[40] = -7;
        s[1].cached = donor;
        assertEquals(SlotSelector.Source.DONOR, SlotSelector.reuse(s[0], s, range(0, 300), 0).source());
        donor[20] = -7;
        assertEquals(SlotSelector.Source.OWN, SlotSelector.reuse(s[0], s, range(0, 300), 0).source());
    }

    @Test
    void theLastPromptTokenIsAlwaysEvaluatedAgain() {
        assertEquals(5, SlotSelector.keep(range(0, 5), range(0, 9)));
        assertEquals(8, SlotSelector.keep(range(0, 9), range(0, 9)));
        assertEquals(8, SlotSelector.keep(range(0, 20), range(0, 9)));
        assertEquals(0, SlotSelector.keep(range(1, 9), range(0, 9)));
        assertEquals(0, SlotSelector.keep(new int[0], range(0, 1)));
    }
}
