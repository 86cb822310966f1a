package dev.puna.runtime.vision;

/**
 * One image of a {@link VisionPrompt}: its place in the prompt, how many positions it fills, and {@link #id()}, the
 * SHA-256 of the image file, which is what a prompt cache keys it by (two requests with the same image bytes at the
 * same place share the KV cells, so a follow-up turn does not encode the image again). Its pixels, preprocessed,
 * live in the prompt's native chunks; it can be encoded while the prompt is open.
 */
public final class ImageChunk implements PromptChunk {
    private final VisionPrompt prompt;
    private final int chunkIndex;
    private final int imageIndex;
    private final String id;
    private final int tokenCount;
    private final int positionCount;

    ImageChunk(VisionPrompt prompt, int chunkIndex, int imageIndex, String id, int tokenCount, int positionCount) {
        this.prompt = prompt;
        this.chunkIndex = chunkIndex;
        this.imageIndex = imageIndex;
        this.id = id;
        this.tokenCount = tokenCount;
        this.positionCount = positionCount;
    }

    /** The SHA-256 of the image's file bytes (64 hex digits), the same as {@link Image#id()}. */
    public String id() {
        return id;
    }

    /** Which of the images given to {@link Projector#tokenize} this is (0-based). */
    public int imageIndex() {
        return imageIndex;
    }

    @Override
    public int tokenCount() {
        return tokenCount;
    }

    @Override
    public int positionCount() {
        return positionCount;
    }

    /** The prompt this chunk belongs to. */
    public VisionPrompt prompt() {
        return prompt;
    }

    int chunkIndex() {
        return chunkIndex;
    }

    @Override
    public String toString() {
        return "ImageChunk[image " + imageIndex + ", " + tokenCount + " tokens, " + id.substring(0, 12) + "]";
    }
}
