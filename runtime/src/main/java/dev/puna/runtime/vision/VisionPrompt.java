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

    /**
     * The prompt as one token array for prefix matching and KV-cache bookkeeping: text chunks' tokens as they are,
     * and for each image {@link ImageChunk#tokenCount()} stand-in ids computed from the image's SHA-256 and the
     * cell's index within the image. Every stand-in is negative, so it never equals a real token, and two different
     * images differ in their first cell (but for a 2^-31 hash collision): comparing two prompts' arrays finds their
     * shared prefix, images included, and an engine's token-keyed prompt cache works unchanged. Stand-ins must never
     * reach {@code llama_decode}: where the array is negative, the engine evaluates the image chunk instead (see
     * {@link #imageStartingAt}).
     */
    public int[] cacheTokens() {
        int[] out = new int[tokenCount()];
        int at = 0;
        for (PromptChunk c : parts) {
            switch (c) {
                case TextChunk t -> {
                    int[] tokens = t.tokens();
                    System.arraycopy(tokens, 0, out, at, tokens.length);
                }
                case ImageChunk image -> {
                    long seed = Long.parseUnsignedLong(image.id().substring(0, 16), 16);
                    for (int i = 0; i < image.tokenCount(); i++) {
                        out[at + i] = standIn(seed, i);
                    }
                }
            }
            at += c.tokenCount();
        }
        return out;
    }

    /** A negative id from the image hash and cell index (SplitMix64's finaliser, sign bit forced). */
    private static int standIn(long seed, int index) {
        long z = seed + 0x9E3779B97F4A7C15L * (index + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (int) z | Integer.MIN_VALUE;
    }

    /**
     * The longest prefix of at most {@code common} cells that does not end inside an image. An image is encoded
     * whole, so its KV cells are reused whole or evaluated again whole: a shared prefix (or a cache trimmed) that
     * stops part-way into an image falls back to the image's start.
     */
    public int reusablePrefix(int common) {
        if (common < 0) {
            throw new IllegalArgumentException("negative prefix " + common);
        }
        int at = 0;
        for (PromptChunk c : parts) {
            int end = at + c.tokenCount();
            if (common < end) {
                return c instanceof ImageChunk ? at : common;
            }
            at = end;
        }
        return Math.min(common, at);
    }

    /** The image chunk whose first cell is {@code cell} (an index into {@link #cacheTokens()}), or null. */
    public ImageChunk imageStartingAt(int cell) {
        int at = 0;
        for (PromptChunk c : parts) {
            if (at == cell && c instanceof ImageChunk image) {
                return image;
            }
            if (at > cell) {
                return null;
            }
            at += c.tokenCount();
        }
        return null;
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
