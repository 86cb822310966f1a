package dev.puna.runtime;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Chooses which LoRA adapter set an engine step decodes. llama.cpp applies adapters to the whole context, so
 * sequences with different sets cannot share a batch: they are scheduled apart, a set at a time. The active set
 * keeps the batch while it has work, for at most {@link #QUANTUM} steps when another set waits; then the set that
 * has waited longest takes over, so no set starves and switching (which makes llama.cpp rebuild its compute
 * graph) stays rare. With one set, the usual case, it never switches.
 */
final class AdapterScheduler {
    /** Steps a set keeps the batch while another set has work waiting. */
    static final int QUANTUM = 16;

    private AdapterSet active = AdapterSet.NONE;
    private int steps;
    private long step;
    /** The step each waiting set last ran in (0 for never); sets without work are dropped. */
    private final Map<AdapterSet, Long> lastRun = new HashMap<>();

    /** The set of the step about to be built; slots whose job runs another set sit this step out. */
    AdapterSet choose(EngineSlot[] slots) {
        step++;
        Set<AdapterSet> waiting = new LinkedHashSet<>(); // slot order breaks ties
        boolean activeHasWork = false;
        for (EngineSlot s : slots) {
            if (hasWork(s)) {
                if (s.job.adapters.equals(active)) {
                    activeHasWork = true;
                } else {
                    waiting.add(s.job.adapters);
                }
            }
        }
        lastRun.keySet().retainAll(waiting);
        if (activeHasWork && (waiting.isEmpty() || steps < QUANTUM)) {
            steps++;
            return active;
        }
        if (!waiting.isEmpty()) {
            AdapterSet next = null;
            long oldest = Long.MAX_VALUE;
            for (AdapterSet set : waiting) {
                long last = lastRun.getOrDefault(set, 0L);
                if (last < oldest) {
                    oldest = last;
                    next = set;
                }
            }
            if (activeHasWork) {
                lastRun.put(active, step);
            }
            lastRun.remove(next);
            active = next;
            steps = 1;
        }
        return active;
    }

    private static boolean hasWork(EngineSlot s) {
        return s.decoding() || s.promptRemaining() > 0;
    }
}
