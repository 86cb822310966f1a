package dev.puna.runtime;

import dev.puna.bindings.Llama;
import dev.puna.runtime.vision.internal.VisionInternals;
import java.lang.foreign.MemorySegment;
import java.util.function.BiConsumer;

/**
 * Evaluates, through the projector, the images a prefilling sequence has reached: the embeddings go straight into
 * the sequence's KV cells (llama.cpp decodes them in batches of their own, as llama-server does), and the text after
 * an image joins the engine's batches as usual. Touched only by the engine's decode thread.
 */
final class ImageEvaluator {
    /** What one call evaluated. */
    record Evaluated(int cells, int decodes, boolean aborted) {
    }

    private final MemorySegment ctx;
    private final MemorySegment memory;

    ImageEvaluator(MemorySegment ctx) {
        this.ctx = ctx;
        this.memory = Llama.llama_get_memory(ctx);
    }

    /** Whether the slot's job waits for an image at its next prompt cell. */
    static boolean reached(EngineSlot s) {
        EngineJob job = s.job;
        return s.started() && job.images != null && job.prefilling() && !job.cancelled()
                && job.images.imageAt(job.prefilled) != null;
    }

    /**
     * Evaluates every image {@code s}'s job has reached, one after another. A failure goes to {@code fail} (the
     * image's partial cells removed); an aborted evaluation (the engine closing) stops here.
     */
    Evaluated evaluate(EngineSlot s, BiConsumer<EngineSlot, Throwable> fail) {
        EngineJob job = s.job;
        int cells = 0;
        int decodes = 0;
        ImagePrompt.Span image;
        while (job.prefilling() && (image = job.images.imageAt(job.prefilled)) != null) {
            if (job.promptStartNanos == 0) {
                job.promptStartNanos = System.nanoTime();
            }
            try {
                if (VisionInternals.evaluate(job.images.projector(), image.chunk(), ctx, s.seq, job.prefilled,
                        Llama.llama_n_batch(ctx)) == VisionInternals.ABORTED) {
                    return new Evaluated(cells, decodes, true); // the engine is closing: shutDown fails the job
                }
            } catch (RuntimeException | Error e) {
                // Part of the image may be in the KV cache now; drop what the slot does not account for.
                Llama.llama_memory_seq_rm(memory, s.seq, s.cached.length, -1);
                fail.accept(s, e);
                break;
            }
            decodes++;
            int[] grown = java.util.Arrays.copyOf(s.cached, s.cached.length + image.length());
            System.arraycopy(job.prompt, image.start(), grown, s.cached.length, image.length());
            s.cached = grown;
            job.prefilled += image.length();
            cells += image.length();
        }
        return new Evaluated(cells, decodes, false);
    }
}
