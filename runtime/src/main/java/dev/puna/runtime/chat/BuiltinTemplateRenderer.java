package dev.puna.runtime.chat;

import java.util.List;
import java.util.Optional;

/**
 * Formats a conversation with a hard-coded chat format, the fallback for models whose Jinja template is missing
 * or cannot be rendered. The runtime implements it with llama.cpp's {@code llama_chat_apply_template}, which
 * recognises a few dozen well-known templates by their text (ChatML, Llama 2/3, Mistral, Gemma, Phi, ...) and
 * formats messages without a Jinja engine.
 *
 * <p>Implementations must be thread-safe; {@link ChatFormatter} calls them from any thread.
 */
@FunctionalInterface
public interface BuiltinTemplateRenderer {
    /** A renderer that recognises nothing, for models that must have a working Jinja template. */
    BuiltinTemplateRenderer NONE = (source, messages, addGenerationPrompt) -> Optional.empty();

    /**
     * Formats {@code messages}.
     *
     * @param templateSourceOrNull the model's template text, which identifies the format, or {@code null} to use
     *     the implementation's default
     * @param messages the conversation; tool calls and tool metadata may be ignored
     * @param addGenerationPrompt whether to end with the header of an assistant turn
     * @return the prompt, or empty when no built-in format matches
     */
    Optional<String> render(String templateSourceOrNull, List<ChatMessage> messages, boolean addGenerationPrompt);
}
