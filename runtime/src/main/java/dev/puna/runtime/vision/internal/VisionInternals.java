package dev.puna.runtime.vision.internal;

import dev.puna.runtime.vision.ImageChunk;
import dev.puna.runtime.vision.Projector;
import java.lang.foreign.MemorySegment;

/**
 * What the engine needs from the vision package that takes a native pointer: evaluating an image chunk straight
 * into a {@code llama_context}. Kept out of {@link Projector}'s public API (nothing outside the runtime sees a
 * {@code MemorySegment}); {@code Projector} installs the implementation in its static initialiser.
 */
public final class VisionInternals {
    /** Implemented by {@link Projector}. */
    public interface Bridge {
        int evaluate(Projector projector, ImageChunk chunk, MemorySegment llamaContext, int seqId, int nPast,
                     int nBatch);
    }

    /** What {@link #evaluate} returns when the context's abort callback stopped the decode (cancel or close). */
    public static final int ABORTED = -1;

    private static volatile Bridge bridge;

    private VisionInternals() {
    }

    /** Called once, by {@code Projector}. */
    public static void install(Bridge b) {
        if (bridge != null) {
            throw new IllegalStateException("VisionInternals bridge already installed");
        }
        bridge = b;
    }

    /**
     * Encodes {@code chunk}'s image with {@code projector} and decodes its embeddings into {@code llamaContext} for
     * sequence {@code seqId} at positions {@code nPast ..}, in llama_decode calls of at most {@code nBatch}
     * embeddings ({@code mtmd_helper_eval_chunk_single}). The context must be one of the projector's model and be
     * used by no other thread during the call; it must have room for {@link ImageChunk#tokenCount()} more cells in
     * the sequence.
     *
     * <p>No logits are computed for image embeddings (mtmd's helper requests none), so a prompt must not end with
     * an image: decode at least one text token after the last image and sample from its logits (chat templates
     * always put text after an image).
     *
     * <p>On failure, and when aborted, the image's cells already decoded are removed from the sequence
     * ({@code llama_memory_seq_rm} from {@code nPast}), so the sequence holds exactly what it held before.
     *
     * @return the position after the image ({@code nPast + chunk.positionCount()}), or {@link #ABORTED} when the
     *     context's abort callback stopped llama_decode (llama_decode's 2)
     * @throws dev.puna.runtime.ResourceClosedException if the projector or the chunk's prompt is closed
     * @throws IllegalArgumentException if the chunk is from another projector's prompt
     * @throws dev.puna.runtime.NativeException if encoding or decoding fails (llama_decode's code and log included)
     */
    public static int evaluate(Projector projector, ImageChunk chunk, MemorySegment llamaContext, int seqId,
                               int nPast, int nBatch) {
        return bridge.evaluate(projector, chunk, llamaContext, seqId, nPast, nBatch);
    }
}
