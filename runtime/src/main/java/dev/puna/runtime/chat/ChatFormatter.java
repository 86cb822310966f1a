package dev.puna.runtime.chat;

import java.util.Objects;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Turns conversations into prompts for one model: with the model's Jinja chat template when it has a usable
 * one, otherwise with a {@link BuiltinTemplateRenderer} (llama.cpp's built-in formats).
 *
 * <p>The fallback is taken when the model has no template, when the template does not compile, or when
 * rendering fails inside the engine (a construct Jinjava cannot run). It is <em>not</em> taken when the template
 * itself rejects the conversation with {@code raise_exception} (say, roles that do not alternate): that is a
 * problem with the request, which a built-in format would only paper over, so the template's
 * {@link ChatTemplateException} reaches the caller unchanged. When the fallback is also unable to format the
 * conversation, the {@link ChatTemplateException} names both causes.
 *
 * <p>The built-in renderer sees only roles and contents, so a fallback prompt drops tools and tool-call
 * structure; that is logged.
 *
 * <p>Immutable and thread-safe if the built-in renderer is.
 */
public final class ChatFormatter {
    private static final Logger LOG = LogManager.getLogger(ChatFormatter.class);

    private final String source;
    private final ChatTemplate template;
    private final ChatTemplateException compileError;
    private final BuiltinTemplateRenderer builtin;

    private ChatFormatter(String source, ChatTemplate template, ChatTemplateException compileError,
                          BuiltinTemplateRenderer builtin) {
        this.source = source;
        this.template = template;
        this.compileError = compileError;
        this.builtin = builtin;
    }

    /**
     * A formatter for a model. The template is compiled here, once; if it does not compile, the failure is
     * logged and every request goes to {@code builtin}.
     *
     * @param templateSourceOrNull the model's {@code tokenizer.chat_template}, or {@code null} (or blank) when it
     *     has none
     * @param builtin the fallback; {@link BuiltinTemplateRenderer#NONE} for none
     * @return the formatter
     */
    public static ChatFormatter create(String templateSourceOrNull, BuiltinTemplateRenderer builtin) {
        Objects.requireNonNull(builtin, "builtin");
        if (templateSourceOrNull == null || templateSourceOrNull.isBlank()) {
            return new ChatFormatter(null, null, null, builtin);
        }
        try {
            return new ChatFormatter(templateSourceOrNull, ChatTemplate.compile(templateSourceOrNull), null,
                    builtin);
        } catch (ChatTemplateException e) {
            LOG.warn("the model's chat template does not compile, using the built-in chat formats instead: {}",
                    e.getMessage());
            return new ChatFormatter(templateSourceOrNull, null, e, builtin);
        }
    }

    /** The compiled Jinja template, when the model has one that compiles. */
    public Optional<ChatTemplate> template() {
        return Optional.ofNullable(template);
    }

    /**
     * Formats {@code request} into a prompt.
     *
     * @param request the conversation and template variables
     * @return the prompt text, special tokens included as text
     * @throws ChatTemplateException if the template rejects the conversation, or if neither the template nor
     *     the built-in renderer can format it
     */
    public String format(ChatRequest request) {
        Objects.requireNonNull(request, "request");
        ChatTemplateException jinjaFailure = compileError;
        if (template != null) {
            try {
                return template.render(request);
            } catch (ChatTemplateException e) {
                if (e.raisedByTemplate()) {
                    throw e;
                }
                jinjaFailure = e;
            }
        }
        String why = jinjaFailure == null ? "the model has no chat template"
                : "the model's chat template failed (" + jinjaFailure.getMessage() + ")";
        Optional<String> prompt;
        try {
            prompt = builtin.render(source, request.messages(), request.addGenerationPrompt());
        } catch (RuntimeException e) {
            ChatTemplateException both = new ChatTemplateException(
                    why + ", and the built-in chat format failed: " + e.getMessage(), e);
            if (jinjaFailure != null) {
                both.addSuppressed(jinjaFailure);
            }
            throw both;
        }
        if (prompt.isEmpty()) {
            throw new ChatTemplateException(why + ", and no built-in chat format matches the model", jinjaFailure);
        }
        if (jinjaFailure != null || !request.tools().isEmpty()) {
            LOG.warn("{}; formatted the prompt with a built-in chat format{}", why,
                    request.tools().isEmpty() ? "" : ", which drops the request's tools");
        }
        return prompt.get();
    }
}
