package dev.puna.runtime.internal;

import static dev.puna.bindings.LlamaLayouts.LLAMA_CHAT_MESSAGE;

import dev.puna.bindings.Llama;
import dev.puna.bindings.LlamaLayouts;
import dev.puna.runtime.chat.BuiltinTemplateRenderer;
import dev.puna.runtime.chat.ChatMessage;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * llama.cpp's built-in chat formats ({@code llama_chat_apply_template}) as the chat layer's fallback. llama.cpp
 * recognises the format from the template text (or uses ChatML when given none) and copies the messages, so
 * all memory here is call-scoped. Thread-safe: the function reads only its arguments.
 */
public final class NativeChatTemplates implements BuiltinTemplateRenderer {
    public static final NativeChatTemplates INSTANCE = new NativeChatTemplates();
    private static final VarHandle ROLE = LlamaLayouts.field(LLAMA_CHAT_MESSAGE, "role");
    private static final VarHandle CONTENT = LlamaLayouts.field(LLAMA_CHAT_MESSAGE, "content");

    private NativeChatTemplates() {
    }

    @Override
    public Optional<String> render(String templateSourceOrNull, List<ChatMessage> messages, boolean addGenerationPrompt) {
        Backend.ensureInitialised();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment msgs = arena.allocate(LLAMA_CHAT_MESSAGE, Math.max(1, messages.size()));
            long chars = 0;
            for (int i = 0; i < messages.size(); i++) {
                ChatMessage m = messages.get(i);
                String content = m.content() == null ? "" : m.content();
                MemorySegment el = msgs.asSlice(i * LLAMA_CHAT_MESSAGE.byteSize(), LLAMA_CHAT_MESSAGE);
                ROLE.set(el, arena.allocateFrom(m.role()));
                CONTENT.set(el, arena.allocateFrom(content));
                chars += content.length() + m.role().length();
            }
            MemorySegment tmpl = templateSourceOrNull == null ? MemorySegment.NULL : arena.allocateFrom(templateSourceOrNull);
            int capacity = (int) Math.min(Integer.MAX_VALUE - 16, 2 * chars + 256);
            MemorySegment buf = arena.allocate(capacity);
            int n = Llama.llama_chat_apply_template(tmpl, msgs, messages.size(), addGenerationPrompt, buf, capacity);
            if (n < 0) {
                return Optional.empty();
            }
            if (n > capacity) {
                buf = arena.allocate(n);
                n = Llama.llama_chat_apply_template(tmpl, msgs, messages.size(), addGenerationPrompt, buf, n);
            }
            return Optional.of(new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
        }
    }
}
