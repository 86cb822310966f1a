package dev.puna.runtime.vision;

import java.util.Arrays;

/** Text tokens of a {@link VisionPrompt}, already tokenized by the text model's vocabulary. Immutable. */
public final class TextChunk implements PromptChunk {
    private final int[] tokens;

    TextChunk(int[] tokens) {
        this.tokens = tokens;
    }

    /** A copy of the token ids. */
    public int[] tokens() {
        return tokens.clone();
    }

    @Override
    public int tokenCount() {
        return tokens.length;
    }

    @Override
    public int positionCount() {
        return tokens.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TextChunk other && Arrays.equals(tokens, other.tokens);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(tokens);
    }

    @Override
    public String toString() {
        return "TextChunk" + Arrays.toString(tokens);
    }
}
