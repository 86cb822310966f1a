package dev.puna.http.internal;

import dev.puna.http.CatalogModel;
import dev.puna.http.internal.gotemplate.OllamaTemplate;
import dev.puna.http.internal.gotemplate.TemplateException;
import dev.puna.runtime.Model;
import dev.puna.runtime.chat.ChatMessage;
import dev.puna.runtime.chat.ChatPrompt;
import dev.puna.runtime.chat.ChatRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which template shapes a model's prompts, on every route that renders one ({@code /api/generate},
 * {@code /api/chat}, {@code /v1/chat/completions}): the Modelfile's {@code TEMPLATE} (Go template syntax, run as
 * Ollama runs it, see {@link OllamaTemplate}) when the model has one, else the GGUF's own chat template (Jinja).
 * A stored template Puna cannot run is a 501 naming the construct, never a silent fall back to the GGUF's; one in
 * a request or a create is a 400. Parsed templates are cached by text. Thread-safe.
 */
public final class PromptTemplates {
    private static final int MAX_CACHED = 64;
    private static final Map<String, OllamaTemplate> CACHE = new ConcurrentHashMap<>();

    private PromptTemplates() {
    }

    /** A rendered prompt and the template text it came from (what tool-call formats are detected from). */
    public record Rendered(String text, boolean addBos, String templateText) {
    }

    /**
     * Parses a template a client sent ({@code template} of a generate or a create, a Modelfile's TEMPLATE).
     *
     * @throws ApiException 400 naming the construct Puna cannot run
     */
    public static OllamaTemplate parse(String param, String source) {
        try {
            return cached(source);
        } catch (TemplateException e) {
            throw ApiException.badParameter(param, "invalid template: " + e.getMessage());
        }
    }

    /**
     * The model's Modelfile template, or empty when it has none.
     *
     * @throws ApiException 501 when the stored template uses what Puna cannot run
     */
    public static Optional<OllamaTemplate> of(CatalogModel entry) {
        String source = entry.template();
        if (source == null || source.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(cached(source));
        } catch (TemplateException e) {
            throw ApiException.notImplemented("template", "model '" + entry.name() + "' has a TEMPLATE Puna cannot "
                    + "run: " + e.getMessage());
        }
    }

    /** The text a tool-call format is detected from: the Modelfile template, else the GGUF's chat template. */
    public static String templateText(Model model, CatalogModel entry) {
        return of(entry).map(OllamaTemplate::source).orElse(model.info().chatTemplate().orElse(null));
    }

    /**
     * The prompt for {@code messages} (already with the Modelfile's system prompt and messages) on {@code model}.
     *
     * @param tools the request's tools as JSON-like maps, or empty
     * @param think the request's {@code think}
     */
    public static Rendered chat(Model model, CatalogModel entry, List<ChatMessage> messages,
                                List<Map<String, Object>> tools, OllamaTemplate.Think think) {
        Optional<OllamaTemplate> go = of(entry);
        if (go.isPresent()) {
            return new Rendered(render(go.get(), messages, tools, think), true, go.get().source());
        }
        ChatRequest.Builder chat = ChatRequest.builder(messages).tools(tools);
        if (think.set()) {
            chat.variable("enable_thinking", think.enabled());
        }
        ChatPrompt p = model.renderChat(chat.build());
        return new Rendered(p.text(), p.addBos(), model.info().chatTemplate().orElse(null));
    }

    /**
     * The conversation as the chat routes render it: the Modelfile's {@code SYSTEM} first when it has no system
     * message of its own.
     */
    public static List<ChatMessage> withModelfileSystem(CatalogModel entry, List<ChatMessage> messages) {
        boolean hasSystem = messages.stream().anyMatch(m -> m.role().equals("system"));
        if (hasSystem || entry.system() == null || entry.system().isEmpty()) {
            return messages;
        }
        List<ChatMessage> out = new ArrayList<>(messages);
        out.addFirst(ChatMessage.system(entry.system()));
        return out;
    }

    /**
     * The prompt tokens of a chat request without {@code think} ({@link #withModelfileSystem} applied, then
     * {@link #chat}), as the OpenAI and Anthropic chat routes build them.
     *
     * @param tools the tools for the template, or empty
     */
    public static int[] chatTokens(Model model, CatalogModel entry, List<ChatMessage> messages,
                                   List<Map<String, Object>> tools) {
        return chatTokens(model, entry, messages, tools, OllamaTemplate.Think.UNSET);
    }

    /** As {@link #chatTokens(Model, CatalogModel, List, List)}, with the request's {@code think} for the template. */
    public static int[] chatTokens(Model model, CatalogModel entry, List<ChatMessage> messages,
                                   List<Map<String, Object>> tools, OllamaTemplate.Think think) {
        Rendered prompt = chat(model, entry, withModelfileSystem(entry, messages), tools, think);
        return model.tokenize(prompt.text(), prompt.addBos(), true);
    }

    /**
     * As {@link #chatTokens(Model, CatalogModel, List, List, OllamaTemplate.Think)}, the reply continuing
     * {@code prefill}, the start of the assistant's answer the client wrote: with a GGUF chat template the
     * conversation is rendered with a new assistant turn and the prefill follows it, as llama-server continues a last
     * assistant message; a Modelfile's Go template gets the prefill as the last assistant message, which Ollama's
     * templates leave open.
     */
    public static int[] chatTokens(Model model, CatalogModel entry, List<ChatMessage> messages,
                                   List<Map<String, Object>> tools, OllamaTemplate.Think think, String prefill) {
        Rendered prompt = chatPrompt(model, entry, messages, tools, think, prefill);
        return model.tokenize(prompt.text(), prompt.addBos(), true);
    }

    /**
     * The prompt text {@link #chatTokens(Model, CatalogModel, List, List, OllamaTemplate.Think, String)} tokenizes
     * (for prompts with images, which the projector tokenizes); {@code prefill} null: none.
     */
    public static Rendered chatPrompt(Model model, CatalogModel entry, List<ChatMessage> messages,
                                      List<Map<String, Object>> tools, OllamaTemplate.Think think, String prefill) {
        if (prefill == null || of(entry).isPresent()) {
            List<ChatMessage> all = new ArrayList<>(messages);
            if (prefill != null) {
                all.add(ChatMessage.assistant(prefill));
            }
            return chat(model, entry, withModelfileSystem(entry, all), tools, think);
        }
        Rendered prompt = chat(model, entry, withModelfileSystem(entry, messages), tools, think);
        return new Rendered(prompt.text() + prefill, prompt.addBos(), prompt.templateText());
    }

    /**
     * Runs a Go template; a failure that only these values bring out (the template was trial-run at parse) is a
     * 400, as Ollama answers it.
     */
    public static String render(OllamaTemplate t, List<ChatMessage> messages, List<Map<String, Object>> tools,
                                OllamaTemplate.Think think) {
        try {
            return t.render(messages, tools, think, Clock.systemDefaultZone());
        } catch (TemplateException e) {
            throw ApiException.badRequest("the template failed on this request: " + e.getMessage());
        }
    }

    /**
     * The tags around the reasoning of a thinking model: those its Go template writes back around
     * {@code .Thinking} (the request's {@code template} first, else the Modelfile's), else {@code <think>} and
     * {@code </think>} when its GGUF chat template writes them; empty for a model that does not think.
     */
    public static Optional<OllamaTemplate.ThinkingTags> thinkingTags(Model model, CatalogModel entry,
                                                                     OllamaTemplate override) {
        Optional<OllamaTemplate> go = override != null ? Optional.of(override) : of(entry);
        if (go.isPresent()) {
            return go.get().thinkingTags();
        }
        String jinja = model.info().chatTemplate().orElse("");
        return jinja.contains("<think>") && jinja.contains("</think>")
                ? Optional.of(new OllamaTemplate.ThinkingTags("<think>", "</think>")) : Optional.empty();
    }

    /**
     * How the reply's reasoning is read: split off when {@code think} is on (a model that does not think is then a
     * 400, as in Ollama: {@code "qwen" does not support thinking}), else left in the answer.
     *
     * @param prompt the prompt's tokens: when they end with the opening tag, the output starts inside the block
     */
    public static dev.puna.http.internal.output.OutputPlan.Thinking thinking(Model model, CatalogModel entry,
            OllamaTemplate override, OllamaTemplate.Think think, String requestedName, int[] prompt) {
        if (!think.enabled()) {
            return null;
        }
        OllamaTemplate.ThinkingTags tags = thinkingTags(model, entry, override).orElseThrow(() ->
                ApiException.badParameter("think", "\"" + requestedName + "\" does not support thinking"));
        return thinking(model, tags, prompt);
    }

    /** How {@code tags} are read from the output of {@code prompt}. */
    public static dev.puna.http.internal.output.OutputPlan.Thinking thinking(Model model,
            OllamaTemplate.ThinkingTags tags, int[] prompt) {
        return new dev.puna.http.internal.output.OutputPlan.Thinking(tags.open(), tags.close(),
                tail(model, prompt).stripTrailing().endsWith(tags.open()));
    }

    /**
     * The text of a prompt's last tokens, special tokens as text: enough to see whether it ends with a tag. Token
     * ids outside the vocabulary (a bad {@code context}) give the empty string; the engine reports them.
     */
    private static String tail(Model model, int[] prompt) {
        int from = Math.max(0, prompt.length - 16);
        try {
            return model.detokenize(java.util.Arrays.copyOfRange(prompt, from, prompt.length), false, true);
        } catch (dev.puna.runtime.InvalidParameterException e) {
            return "";
        }
    }

    private static OllamaTemplate cached(String source) {
        OllamaTemplate t = CACHE.get(source);
        if (t == null) {
            t = OllamaTemplate.parse(source);
            if (CACHE.size() >= MAX_CACHED) {
                CACHE.clear();
            }
            CACHE.put(source, t);
        }
        return t;
    }
}
