package dev.puna.http.internal.vision;

import dev.puna.runtime.vision.PromptChunk;
import dev.puna.runtime.vision.TextChunk;
import dev.puna.runtime.vision.VisionPrompt;
import java.util.Arrays;

/** Token lists of a prompt with images, for the fields that report a prompt's tokens. */
public final class VisionTokens {
    private VisionTokens() {
    }

    /**
     * The prompt's text tokens, images left out: what Ollama's {@code context} and template checks see (image
     * embeddings have no token ids).
     */
    public static int[] textTokens(VisionPrompt prompt) {
        int[] out = new int[0];
        for (PromptChunk c : prompt.chunks()) {
            if (c instanceof TextChunk t) {
                int[] ids = t.tokens();
                int at = out.length;
                out = Arrays.copyOf(out, at + ids.length);
                System.arraycopy(ids, 0, out, at, ids.length);
            }
        }
        return out;
    }
}
