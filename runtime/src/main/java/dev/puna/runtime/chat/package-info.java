/**
 * Chat templates: turning a conversation into the prompt text a model was trained on.
 *
 * <p>GGUF models carry a Hugging Face Jinja template ({@code tokenizer.chat_template}).
 * {@link dev.puna.runtime.chat.ChatTemplate} compiles and renders it the way Hugging Face's
 * {@code apply_chat_template} does; {@link dev.puna.runtime.chat.ChatFormatter} adds the fallback to llama.cpp's
 * built-in formats ({@link dev.puna.runtime.chat.BuiltinTemplateRenderer}) for models whose template is missing or
 * unusable; {@link dev.puna.runtime.chat.BosHandling} keeps the tokenizer from adding a second BOS to a prompt whose
 * template already emitted one. Errors are {@link dev.puna.runtime.chat.ChatTemplateException}s.
 *
 * <p>The Jinja engine and its Python compatibility layer live in {@code dev.puna.runtime.chat.internal}, which is
 * not API.
 */
package dev.puna.runtime.chat;
