package dev.puna.runtime.chat;

/**
 * Avoids a doubled beginning-of-sequence token. Many chat templates start with {@code {{ bos_token }}} (Llama 3's
 * {@code <|begin_of_text|>}, Mistral's {@code <s>}, Gemma's {@code <bos>}), while the tokenizer of the same model
 * is also configured to prepend BOS ({@code tokenizer.ggml.add_bos_token}). Tokenizing the rendered prompt with
 * special-token parsing and BOS insertion would then produce two BOS tokens, which measurably hurts output.
 * llama.cpp's server makes the same check.
 *
 * <p>Stateless; thread-safe.
 */
public final class BosHandling {
    private BosHandling() {
    }

    /**
     * Whether the tokenizer should prepend BOS to {@code rendered}.
     *
     * @param rendered the prompt the chat template produced
     * @param bosText the text of the model's BOS token, or {@code null}/empty when it has none
     * @param modelAddsBos whether the model's tokenizer prepends BOS by default
     * @return {@code modelAddsBos}, unless the prompt already starts with the BOS text
     */
    public static boolean shouldAddBos(String rendered, String bosText, boolean modelAddsBos) {
        if (!modelAddsBos) {
            return false;
        }
        if (rendered == null || bosText == null || bosText.isEmpty()) {
            return true;
        }
        return !rendered.startsWith(bosText);
    }
}
