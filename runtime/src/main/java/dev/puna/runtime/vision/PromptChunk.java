package dev.puna.runtime.vision;

/**
 * One piece of a {@link VisionPrompt}, in prompt order: a run of text tokens, or one image's embeddings. The engine
 * decodes text chunks as ordinary tokens and hands image chunks to the projector.
 */
public sealed interface PromptChunk permits TextChunk, ImageChunk {
    /** How many KV-cache cells the chunk fills (text tokens, or image embeddings). */
    int tokenCount();

    /**
     * How far the chunk advances the sequence position: equal to {@link #tokenCount()} except for M-RoPE models
     * (Qwen-VL), whose image positions count rows and columns instead of embeddings.
     */
    int positionCount();
}
