package dev.puna.runtime;

import dev.puna.runtime.internal.NativeBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds one decode step's batch: the next token of every decoding sequence plus chunks of the prompts being
 * evaluated, in slot order so that sequence ids ascend (see {@link SlotSelector#freeSlot}). Prompt chunks share
 * what room the decoding sequences' tokens leave, first come first served, so a long prompt is evaluated over
 * several steps alongside the running streams instead of stalling them.
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
     * Plans a batch of at most {@code capacity} tokens. {@code decoding[i]} is how many tokens slot i decodes (its
     * sampled token plus its draft; 0 when it does not decode); {@code promptRemaining[i]} how many prompt tokens it
     * still has to evaluate (ignored when decoding). Decoded tokens must fit: the speculator drafts within the room.
     */
    static Plan plan(int capacity, int[] decoding, int[] promptRemaining) {
        int[] tokens = new int[decoding.length];
        int room = capacity;
        for (int i = 0; i < decoding.length; i++) {
            if (decoding[i] > 0) {
                tokens[i] = decoding[i];
                room -= decoding[i];
            }
        }
        if (room < 0) {
            throw new IllegalStateException("decoded tokens exceed the batch (" + capacity + ")");
        }
        int prompt = 0;
        for (int i = 0; i < decoding.length; i++) {
            if (decoding[i] == 0 && promptRemaining[i] > 0 && room > 0) {
                int n = Math.min(room, promptRemaining[i]);
                tokens[i] = n;
                room -= n;
                prompt += n;
            }
        }
        return new Plan(tokens, prompt);
    }

    /**
     * Plans and fills {@code batch} from the slots whose job runs with {@code adapters} (the others sit the step
     * out, see {@link AdapterScheduler}), setting each job's output row ({@code outIndex}) where a token
     * will be sampled after the decode: every decoding sequence, and a prompt whose last chunk is in the batch.
     */
    static Built fill(NativeBatch batch, EngineSlot[] slots, AdapterSet adapters) {
        int[] decoding = new int[slots.length];
        int[] remaining = new int[slots.length];
        for (EngineSlot s : slots) {
            if (s.job != null && s.job.adapters.equals(adapters)) {
                decoding[s.seq] = s.decodeTokens();
                remaining[s.seq] = s.promptRemaining();
            }
        }
        Plan plan = plan(batch.capacity(), decoding, remaining);
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
