package dev.puna.runtime;

import dev.puna.runtime.internal.NativeBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds one decode step's batch: the next token of every decoding sequence plus chunks of the prompts being
 * evaluated, in slot order so that sequence ids ascend (see {@link SlotSelector#slotFor}). Prompt chunks share
 * what room the decoding sequences' tokens leave, first come first served, so a long prompt is evaluated over
 * several steps alongside the running streams instead of stalling them; while several prompts wait, a step is
 * kept short ({@link StepBudget}) so that they get their first tokens one after another rather than all at once.
 */
final class BatchBuilder {
    /** The tokens each slot puts into the batch: {@code tokens[seq]}, 0 for none; and their prompt share. */
    record Plan(int[] tokens, int promptTokens) {
        int total() {
            int n = 0;
            for (int t : tokens) {
                n += t;
            }
            return n;
        }
    }

    /**
     * What {@link #fill} put into the batch: the slots in it, how many prompt tokens each evaluates
     * ({@code prompt[seq]}, 0 for a decoded token) and their sum.
     */
    record Built(List<EngineSlot> slots, int[] prompt, int promptTokens) {
        int promptTokens(EngineSlot s) {
            return prompt[s.seq];
        }
    }

    private BatchBuilder() {
    }

    /**
     * Plans a batch of at most {@code capacity} tokens, prompts served in slot order and no step budget: the three
     * arrays of {@link #plan(int, int[], int[], long[], int)} with every arrival equal.
     */
    static Plan plan(int capacity, int[] decoding, int[] promptRemaining) {
        return plan(capacity, decoding, promptRemaining, new long[decoding.length], capacity);
    }

    /**
     * Plans a batch of at most {@code capacity} tokens. {@code decoding[i]} is how many tokens slot i decodes (its
     * sampled token plus its draft; 0 when it does not decode); {@code promptRemaining[i]} how many prompt tokens it
     * still has to evaluate (ignored when decoding); {@code arrival[i]} when its request came (any clock: only the
     * order counts), prompts being served oldest first. Decoded tokens must fit: the speculator drafts within the
     * room.
     *
     * <p>While two or more prompts wait, the batch holds at most {@code budget} tokens (see {@link StepBudget}), or
     * as many as the oldest prompt needs to finish when that is more: a step's prompts all get their first token
     * only when it ends, so one long step makes every one of them wait for all of them, where shorter steps give the
     * first ones theirs sooner (and the decoding sequences a token each step), for the same work in all. A lone
     * prompt takes all the room: nobody waits behind it.
     */
    static Plan plan(int capacity, int[] decoding, int[] promptRemaining, long[] arrival, int budget) {
        int[] tokens = new int[decoding.length];
        int room = capacity;
        int decoded = 0;
        List<Integer> waiting = new ArrayList<>();
        for (int i = 0; i < decoding.length; i++) {
            if (decoding[i] > 0) {
                tokens[i] = decoding[i];
                decoded += decoding[i];
            } else if (promptRemaining[i] > 0) {
                waiting.add(i);
            }
        }
        room -= decoded;
        if (room < 0) {
            throw new IllegalStateException("decoded tokens exceed the batch (" + capacity + ")");
        }
        waiting.sort((a, b) -> arrival[a] != arrival[b] ? Long.compare(arrival[a], arrival[b]) : Integer.compare(a, b));
        if (waiting.size() >= 2) {
            room = Math.min(room, Math.max(budget - decoded, promptRemaining[waiting.getFirst()]));
        }
        int prompt = 0;
        for (int i : waiting) {
            if (room <= 0) {
                break;
            }
            int n = Math.min(room, promptRemaining[i]);
            tokens[i] = n;
            room -= n;
            prompt += n;
        }
        return new Plan(tokens, prompt);
    }

    /**
     * Plans and fills {@code batch} from the slots whose job runs with {@code adapters} (the others sit the step
     * out, see {@link AdapterScheduler}), within {@code budget} tokens while prompts queue (see {@link #plan}),
     * setting each job's output row ({@code outIndex}) where a token will be sampled after the decode: every decoding
     * sequence, and a prompt whose last chunk is in the batch.
     */
    static Built fill(NativeBatch batch, EngineSlot[] slots, AdapterSet adapters, int budget) {
        int[] decoding = new int[slots.length];
        int[] remaining = new int[slots.length];
        long[] arrival = new long[slots.length];
        for (EngineSlot s : slots) {
            if (s.job != null && s.job.adapters.equals(adapters)) {
                decoding[s.seq] = s.decodeTokens();
                remaining[s.seq] = s.promptRemaining();
                arrival[s.seq] = s.job.submittedNanos;
            }
        }
        Plan plan = plan(batch.capacity(), decoding, remaining, arrival, budget);
        batch.clear();
        List<EngineSlot> in = new ArrayList<>(slots.length);
        int[] prompt = new int[slots.length];
        for (EngineSlot s : slots) {
            int n = plan.tokens()[s.seq];
            if (n == 0) {
                continue;
            }
            EngineJob job = s.job;
            if (decoding[s.seq] > 0) {
                job.outIndex = batch.size();
                batch.add(job.pending, s.cached.length, s.seq, true);
                for (int i = 0; i < job.drafted.length; i++) {
                    batch.add(job.drafted[i], s.cached.length + 1 + i, s.seq, true);
                }
            } else {
                if (job.promptStartNanos == 0) {
                    job.promptStartNanos = System.nanoTime();
                }
                boolean last = job.prefilled + n == job.prompt.length;
                if (last) {
                    job.outIndex = batch.size() + n - 1;
                }
                batch.addRun(job.prompt, job.prefilled, n, job.prefilled, s.seq, last);
                prompt[s.seq] = n;
            }
            in.add(s);
        }
        return new Built(in, prompt, plan.promptTokens());
    }
}
