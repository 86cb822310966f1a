package dev.puna.runtime.chat;

/**
 * A conversation rendered by a model's chat template, ready to tokenize.
 *
 * @param text the prompt text (special tokens as text, so tokenize with special-token parsing)
 * @param addBos whether the tokenizer should still prepend BOS: false when the template already wrote it, so
 *     the model never sees two
 */
public record ChatPrompt(String text, boolean addBos) {
}
