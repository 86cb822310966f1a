package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.puna.bindings.Llama;
import dev.puna.runtime.internal.NativeBatch;
import dev.puna.testkit.TestModels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Per-sequence sampling on one sequence of a real context of the scripted model, driven step by step the way
 * the engine drives it: decode, then ask the sampler for the next token or the reason to stop.
 */
@Timeout(60)
class SequenceSamplerTest {
    private static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(Models.scripted());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** What one run produced: the listener's text, the reason it ended, and the tokens sampled. */
    private record Run(String text, FinishReason reason, long sampled) {
    }

    private static Run run(GenerateRequest request) {
        AtomicLong sampled = new AtomicLong();
        SequenceSampler sampler = new SequenceSampler(model, 256, sampled);
        StringBuilder text = new StringBuilder();
        int[] prompt = model.tokenizeUnchecked(request.prompt(), true, true);
        EngineJob job = new EngineJob(request, e -> text.append(e.text()), prompt, () -> { });
        MemorySegment ctx = NativeContext.create(model, Models.session(), 256, 1, false, -1);
        try (Arena arena = Arena.ofConfined(); NativeBatch batch = new NativeBatch(arena, Llama.llama_n_batch(ctx), 1)) {
            sampler.prepare(job);
            batch.clear();
            batch.addRun(prompt, 0, prompt.length, 0, 0, true);
            int position = prompt.length;
            int index = prompt.length - 1;
            List<Integer> decoded = new ArrayList<>();
            while (true) {
                assertEquals(0, batch.decode(ctx));
                FinishReason reason = sampler.next(ctx, job, index);
                if (reason != null) {
                    return new Run(text.toString(), reason, sampled.get());
                }
                decoded.add(job.pending);
                batch.clear();
                batch.add(job.pending, position++, 0, true);
                index = 0;
            }
        } finally {
            job.release();
            NativeContext.free(ctx);
        }
    }

    private static GenerateRequest.Builder greedy() {
        return GenerateRequest.builder().prompt(TestModels.HELLO_PROMPT).sampling(SamplingParams.greedy());
    }

    @Test
    void theScriptIsSampledTokenByTokenUntilEndOfGeneration() {
        Run r = run(greedy().build());
        assertEquals(new Run(TestModels.HELLO_COMPLETION, FinishReason.EOS, 5), r); // 4 tokens and </s>
    }

    @Test
    void aTokenBudgetEndsTheSequenceAfterItsLastToken() {
        assertEquals(new Run(" world from", FinishReason.LENGTH, 2), run(greedy().maxTokens(2).build()));
    }

    @Test
    void aZeroBudgetEndsBeforeAnythingIsSampled() {
        assertEquals(new Run("", FinishReason.LENGTH, 0), run(greedy().maxTokens(0).build()));
    }

    @Test
    void aStopSequenceEndsItAndIsNotShown() {
        assertEquals(new Run(" world", FinishReason.STOP, 2), run(greedy().stop(List.of(" from")).build()));
    }

    @Test
    void aJobThatGoesOnKeepsItsTokenPending() {
        AtomicLong sampled = new AtomicLong();
        SequenceSampler sampler = new SequenceSampler(model, 256, sampled);
        int[] prompt = model.tokenizeUnchecked(TestModels.HELLO_PROMPT, true, true);
        EngineJob job = new EngineJob(greedy().build(), e -> { }, prompt, () -> { });
        MemorySegment ctx = NativeContext.create(model, Models.session(), 256, 1, false, -1);
        try (Arena arena = Arena.ofConfined(); NativeBatch batch = new NativeBatch(arena, Llama.llama_n_batch(ctx), 1)) {
            sampler.prepare(job);
            batch.addRun(prompt, 0, prompt.length, 0, 0, true);
            assertEquals(0, batch.decode(ctx));
            assertNull(sampler.next(ctx, job, prompt.length - 1));
            assertEquals(Models.id("▁world"), job.pending);
        } finally {
            job.release();
            NativeContext.free(ctx);
        }
    }
}
