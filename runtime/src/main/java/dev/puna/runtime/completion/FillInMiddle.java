package dev.puna.runtime.completion;

import dev.puna.runtime.Model;
import java.util.Objects;

/**
 * Fill-in-the-middle prompts from a prefix and a suffix (Ollama's {@code /api/generate} {@code suffix}, OpenAI's
 * {@code /v1/completions} {@code suffix}), built from the model's FIM tokens in llama.cpp's infill order:
 * {@code [BOS] FIM_PRE prefix FIM_SUF suffix FIM_MID}, BOS only if the model's tokenizer adds one. Prefix and suffix
 * are tokenized as plain text, never as special tokens. Generate from the result with
 * {@code GenerateRequest.builder().promptTokens(tokens)}. Stateless and thread-safe.
 */
public final class FillInMiddle {
    private FillInMiddle() {
    }

    /**
     * The prompt tokens for filling in between {@code prefix} and {@code suffix}.
     *
     * @throws FimUnsupportedException (parameter {@code suffix}) if the model has no FIM tokens
     */
    public static int[] prompt(Model model, String prefix, String suffix) {
        Objects.requireNonNull(model, "model");
        CompletionTemplate template = CompletionTemplate.defaultFor(model.specialTokens(), model.info().name(),
                "suffix");
        return template.render(model, CodeCompletionPrompt.of(prefix, suffix));
    }
}
