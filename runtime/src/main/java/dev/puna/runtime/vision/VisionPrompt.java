package dev.puna.runtime.vision;

import dev.puna.bindings.Mtmd;
import dev.puna.runtime.internal.NativeStats;
import dev.puna.runtime.internal.ResourceGuard;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A prompt of text and images tokenized by a {@link Projector}: the {@link #chunks()} in order, with their token
 * and position counts. Owns the native {@code mtmd_input_chunks}, which hold each image preprocessed for the
 * projector, until {@link #close()}; an open prompt's image chunks can be encoded by the projector that made it.
 *
 * <p>Thread-safe to read; {@link #close()} is idempotent and waits for no one: an encode of one of its chunks
 * running on another thread keeps the native chunks alive until it returns, later uses throw
 * {@link dev.puna.runtime.ResourceClosedException}.
 */
public final class VisionPrompt implements AutoCloseable {
    private final Projector projector;
    private final MemorySegment chunks;
    private final ResourceGuard guard;
    private List<PromptChunk> parts;

    VisionPrompt(Projector projector, MemorySegment chunks) {
        this.projector = projector;
        this.chunks = chunks;
        this.guard = new ResourceGuard("vision prompt", () -> {
            Mtmd.mtmd_input_chunks_free(chunks);
            NativeStats.CHUNKS.decrementAndGet();
        });
    }

    void setChunks(List<PromptChunk> parts) {
        this.parts = List.copyOf(parts);
    }

    /** The text and image chunks, in prompt order. */
    public List<PromptChunk> chunks() {
        return parts;
    }

    /** The image chunks, in prompt order. */
    public List<ImageChunk> images() {
        return parts.stream().filter(ImageChunk.class::isInstance).map(ImageChunk.class::cast).toList();
    }

    /** All KV cells the prompt fills: text tokens plus image embeddings (what {@code prompt_eval_count} counts). */
    public int tokenCount() {
        return parts.stream().mapToInt(PromptChunk::tokenCount).sum();
    }

    /** The sequence position after the whole prompt, starting from 0. */
    public int positionCount() {
        return parts.stream().mapToInt(PromptChunk::positionCount).sum();
    }

    /** The projector that tokenized this prompt (its image chunks can only be encoded by it). */
    public Projector projector() {
        return projector;
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return guard.isClosed();
    }

    /** Frees the native chunks (now, or when an encode using them returns). Idempotent. */
    @Override
    public void close() {
        guard.close();
    }

    ResourceGuard guard() {
        return guard;
    }

    MemorySegment handle() {
        return chunks;
    }
}
