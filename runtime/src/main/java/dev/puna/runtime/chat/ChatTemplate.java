package dev.puna.runtime.chat;

import dev.puna.runtime.chat.internal.JinjaTemplate;
import java.time.ZonedDateTime;
import java.util.Objects;

/**
 * A model's Hugging Face chat template ({@code tokenizer.chat_template} in GGUF), compiled once and rendered into
 * prompts.
 *
 * <p>Rendering follows Hugging Face's {@code apply_chat_template}: Jinja with {@code trim_blocks} and
 * {@code lstrip_blocks}, the {@code raise_exception} and {@code strftime_now} globals, Hugging Face's
 * {@code tojson}, loop controls and the {@code generation} tag, and Python's string, list and dict methods
 * ({@code .strip()}, {@code .split()}, {@code .startswith()}, {@code .items()}, ...). The engine is Jinjava with
 * Python-faithful replacements where Jinjava differs; known remaining differences: None prints as the empty
 * string instead of {@code None}, a variable or key that holds None counts as undefined for
 * {@code is defined}, and string literals do not understand {@code \\u}/{@code \\x} escapes.
 *
 * <p>Immutable and thread-safe: one instance may render for any number of threads at once.
 */
public final class ChatTemplate {
    private final String source;
    private final JinjaTemplate compiled;

    private ChatTemplate(String source, JinjaTemplate compiled) {
        this.source = source;
        this.compiled = compiled;
    }

    /**
     * Parses a chat template.
     *
     * @param jinjaSource the template text
     * @return the compiled template
     * @throws ChatTemplateException if the template does not parse (unbalanced blocks, unknown tags, malformed
     *     expressions)
     * @throws NullPointerException if {@code jinjaSource} is null
     */
    public static ChatTemplate compile(String jinjaSource) {
        Objects.requireNonNull(jinjaSource, "jinjaSource");
        return new ChatTemplate(jinjaSource, JinjaTemplate.compile(jinjaSource));
    }

    /** The template text this was compiled from. */
    public String source() {
        return source;
    }

    /**
     * Renders the prompt for {@code request}.
     *
     * @param request the conversation and template variables
     * @return the prompt text, special tokens included as text (tokenize it with special-token parsing on)
     * @throws ChatTemplateException if the template raises (see {@link ChatTemplateException#raisedByTemplate()})
     *     or fails
     * @throws IllegalArgumentException if a tool or variable value has no JSON counterpart
     */
    public String render(ChatRequest request) {
        Objects.requireNonNull(request, "request");
        ZonedDateTime now = request.now() != null ? request.now() : ZonedDateTime.now();
        return compiled.render(TemplateVariables.of(request), now);
    }

    @Override
    public String toString() {
        return "ChatTemplate[" + source.length() + " chars]";
    }
}
