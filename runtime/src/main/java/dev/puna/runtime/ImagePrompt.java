package dev.puna.runtime;

import dev.puna.runtime.vision.ImageChunk;
import dev.puna.runtime.vision.Projector;
import dev.puna.runtime.vision.PromptChunk;
import dev.puna.runtime.vision.TextChunk;
import dev.puna.runtime.vision.VisionPrompt;
import java.util.ArrayList;
import java.util.List;

/**
 * A prompt with images as the engine sees it: one token per KV cell, where the cells of an image hold the
 * stand-ins {@link VisionPrompt#cacheTokens()} derives from the image's SHA-256 (negative, so never a real token).
 * Prefix reuse works on these lists unchanged: the same image at the same place gives the same stand-ins, so a
 * follow-up turn finds the image's cells in the cache and does not encode it again, and a different image differs
 * at its first cell. The spans say where each image's cells are, so the engine evaluates them through the projector
 * instead of as tokens. Immutable.
 */
final class ImagePrompt {
    /** One image's cells in the prompt: {@code [start, start + length)}. */
    record Span(int start, int length, ImageChunk chunk) {
        int end() {
            return start + length;
        }
    }

    private final int[] tokens;
    private final List<Span> spans;
    private final VisionPrompt prompt;

    private ImagePrompt(int[] tokens, List<Span> spans, VisionPrompt prompt) {
        this.tokens = tokens;
        this.spans = List.copyOf(spans);
        this.prompt = prompt;
    }

    /**
     * The engine's view of {@code prompt}, for an engine on {@code model}.
     *
     * @throws InvalidParameterException if the prompt was tokenized for another model, is empty or ends with an
     *         image (its last cell must be text: the first token is sampled from a text token's logits)
     * @throws UnsupportedModelException for a projector whose images fill positions in rows and columns (M-RoPE)
     */
    static ImagePrompt of(VisionPrompt prompt, Model model) {
        Projector projector = prompt.projector();
        if (projector.model() != model) {
            throw new InvalidParameterException("images", "the prompt's images were prepared for another model, not "
                    + model.info().path());
        }
        List<PromptChunk> chunks = prompt.chunks();
        if (chunks.isEmpty() || !(chunks.getLast() instanceof TextChunk)) {
            throw new InvalidParameterException("images", "a prompt must end with text after its last image");
        }
        List<Span> spans = new ArrayList<>();
        int at = 0;
        for (PromptChunk c : chunks) {
            if (c instanceof ImageChunk image) {
                if (image.positionCount() != image.tokenCount()) {
                    throw new UnsupportedModelException(projector.path(), "this projector places image "
                            + "embeddings in rows and columns (M-RoPE), which Puna's engine does not run yet");
                }
                spans.add(new Span(at, image.tokenCount(), image));
            }
            at += c.tokenCount();
        }
        return new ImagePrompt(prompt.cacheTokens(), spans, prompt);
    }

    /** The prompt's cells as tokens, placeholders for images. */
    int[] tokens() {
        return tokens;
    }

    Projector projector() {
        return prompt.projector();
    }

    /** The image whose cells start at {@code position}, or null. */
    Span imageAt(int position) {
        for (Span s : spans) {
            if (s.start() == position) {
                return s;
            }
        }
        return null;
    }

    /** Where the first image at or after {@code position} starts; the prompt's length when none does. */
    int nextImageStart(int position) {
        for (Span s : spans) {
            if (s.start() >= position) {
                return s.start();
            }
        }
        return tokens.length;
    }

    /** {@code keep} moved back to the start of the image it falls inside, if any: an image is kept whole or not. */
    int alignDown(int keep) {
        return prompt.reusablePrefix(keep);
    }

    /** The prompt's real tokens, without the images' placeholders (what repetition penalties see). */
    int[] textTokens() {
        int n = 0;
        for (int t : tokens) {
            n += t >= 0 ? 1 : 0;
        }
        int[] out = new int[n];
        int i = 0;
        for (int t : tokens) {
            if (t >= 0) {
                out[i++] = t;
            }
        }
        return out;
    }
}
