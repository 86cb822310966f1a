package dev.puna.http.internal.ollama;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.CatalogModel;
import dev.puna.http.ServerConfig;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.Guard;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.ModelScheduler;
import dev.puna.http.internal.PromptTemplates;
import dev.puna.http.internal.RequestLimits;
import dev.puna.http.internal.RequestLog;
import dev.puna.http.internal.RequestOptions;
import dev.puna.http.internal.Responses;
import dev.puna.http.internal.ServerContext;
import dev.puna.http.internal.UserMessageStarts;
import dev.puna.http.internal.gotemplate.OllamaTemplate;
import dev.puna.http.internal.output.AnswerFormat;
import dev.puna.http.internal.output.OutputPlan;
import dev.puna.runtime.Engine;
import dev.puna.runtime.GenerateRequest;
import dev.puna.runtime.GenerationResult;
import dev.puna.http.internal.vision.ImageInputs;
import dev.puna.http.internal.vision.VisionTokens;
import dev.puna.runtime.Model;
import dev.puna.runtime.vision.Image;
import dev.puna.runtime.vision.ImagePlacement;
import dev.puna.runtime.vision.VisionPrompt;
import dev.puna.runtime.SamplingParams;
import dev.puna.runtime.chat.ChatMessage;
import dev.puna.runtime.chat.ChatPrompt;
import dev.puna.runtime.chat.ChatRequest;
import dev.puna.runtime.completion.CodeCompletionPrompt;
import dev.puna.runtime.completion.CompletionTemplate;
import dev.puna.runtime.completion.CompletionTemplateException;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code POST /api/generate}: a completion of {@code prompt}, rendered through the request's {@code template}
 * (Go-template subset), the model's Modelfile template, or the GGUF chat template (in that order) unless
 * {@code raw}; {@code context} tokens from a previous answer are prepended. An empty prompt loads the model
 * ({@code done_reason:"load"}), or unloads it with {@code keep_alive: 0} ({@code "unload"}).
 *
 * <p>Two other kinds of prompt skip the templates:
 * <ul>
 *   <li>{@code suffix}: fill in the middle between {@code prompt} and {@code suffix} with the model's FIM tokens
 *       ({@code [BOS] FIM_PRE prompt FIM_SUF suffix FIM_MID}); a model without them is a 400. As in Ollama,
 *       {@code system} does not apply, and with {@code raw} the prompt is sent as it is and the suffix is not used
 *       (the model must still support insertion).</li>
 *   <li>A code-completion prompt in CodeInferflow's format ({@code # Language:} / {@code # Path:} headers, then
 *       {@code prefix <SUF>suffix <MID>}; see {@link CodeCompletionPrompt}), with or without {@code raw} (editor
 *       plugins send it raw): rendered through the model's completion template from
 *       {@code PUNA_COMPLETION_TEMPLATES}, or one built from its FIM tokens; the final object also carries
 *       {@code input_tokens} and {@code output_tokens}. A request {@code template} turns this detection off.</li>
 * </ul>
 * {@code format} constrains any of them with a grammar.
 */
final class GenerateRoute implements Handler<RoutingContext> {
    private static final Logger LOG = LogManager.getLogger(GenerateRoute.class);

    private final ServerContext sc;

    GenerateRoute(ServerContext sc) {
        this.sc = sc;
    }

    /**
     * The request's fields, read and checked on the event loop.
     *
     * @param suffix the fill-in-the-middle suffix, or {@code ""}
     * @param code the parsed code-completion prompt, or {@code null} when the prompt is not one
     */
    record Request(String model, String prompt, String suffix, String system, OllamaTemplate template, int[] context,
                   boolean stream, boolean raw, Duration keepAlive, ObjectNode options, OllamaTemplate.Think think,
                   Boolean truncate, Boolean shift, boolean logprobs, int topLogprobs, AnswerFormat format,
                   CodeCompletionPrompt code, List<Image> images) {
    }

    @Override
    public void handle(RoutingContext rc) {
        Request req = read(sc.requestBody(rc.body().buffer()), sc.limits());
        RequestLog.model(rc, req.model);
        sc.findModel(req.model).onSuccess(model -> Guard.run(rc, () -> generate(rc, req, model)))
                .onFailure(rc::fail);
    }

    static Request read(JsonBody body) {
        return read(body, RequestLimits.DEFAULTS);
    }

    /** Reads a request, refusing more images than {@code limits} allow. */
    static Request read(JsonBody body, RequestLimits limits) {
        String model = body.string("model");
        String prompt = body.string("prompt");
        String suffix = body.string("suffix");
        String system = body.string("system");
        String template = body.string("template");
        int[] context = body.ints("context");
        boolean stream = OllamaFields.stream(body);
        Boolean raw = body.bool("raw");
        Duration keepAlive = OllamaFields.keepAlive(body);
        ObjectNode options = body.object("options");
        OllamaTemplate.Think think = OllamaFields.think(body);
        Boolean truncate = body.bool("truncate");
        Boolean shift = body.bool("shift");
        Boolean logprobs = body.bool("logprobs");
        int topLogprobs = OllamaFields.topLogprobs(body);
        ArrayNode imagesJson = body.array("images");
        limits.checkImages("images", imagesJson == null ? 0 : imagesJson.size());
        List<Image> images = OllamaFields.images(imagesJson, "images");
        dev.puna.http.internal.ModelNames.require(model);
        AnswerFormat format = OllamaFields.format(body);
        boolean isRaw = raw != null && raw;
        if (isRaw && ((template != null && !template.isEmpty()) || (system != null && !system.isEmpty())
                || (context != null && context.length > 0))) {
            throw ApiException.badParameter("raw", "raw mode does not support template, system, or context");
        }
        boolean hasSuffix = suffix != null && !suffix.isEmpty();
        boolean hasTemplate = template != null && !template.isEmpty();
        if (hasSuffix && hasTemplate) {
            throw ApiException.badParameter("suffix", "suffix cannot be combined with template: the fill-in-the-middle "
                    + "prompt is built from the model's FIM tokens");
        }
        OllamaTemplate parsed = hasTemplate ? PromptTemplates.parse("template", template) : null;
        String text = prompt == null ? "" : prompt;
        CodeCompletionPrompt code = hasSuffix || hasTemplate || !images.isEmpty() ? null
                : CodeCompletionPrompt.parse(text).orElse(null);
        if (!images.isEmpty()) {
            if (hasSuffix) {
                throw ApiException.badParameter("images", "images cannot be combined with suffix");
            }
            if (context != null && context.length > 0) {
                throw ApiException.badParameter("images", "images cannot be combined with context: send the "
                        + "conversation through /api/chat");
            }
            // Ollama's rule: each image takes the next [img] of the prompt, the rest go before it.
            ImagePlacement.Placed placed = ImagePlacement.place(text, images.size(), ImageInputs.SENTINEL);
            images = placed.arrange(images);
            text = placed.text();
        }
        return new Request(model, text, hasSuffix ? suffix : "", system, parsed,
                context == null ? new int[0] : context, stream, isRaw, keepAlive, options, think, truncate, shift,
                logprobs != null && logprobs, topLogprobs, format, code, images);
    }

    private void generate(RoutingContext rc, Request req, CatalogModel model) {
        RequestOptions options = sc.options().parse(model.parameters(), req.options);
        if (req.prompt.isEmpty() && req.suffix.isEmpty() && req.context.length == 0) {
            loadOrUnload(rc, req, model, options);
            return;
        }
        CompletionFlow.run(sc, rc, model, options, req.keepAlive, req.stream, req.logprobs, new CompletionFlow.Route() {
            @Override
            public CompletionFlow.Prepared prepare(ModelScheduler.Lease lease) {
                Model m = lease.engine().model();
                VisionPrompt vision = null;
                int[] tokens;
                int[] userStarts = new int[0];
                if (req.images.isEmpty()) {
                    tokens = promptTokens(m, model, req, sc.config());
                    userStarts = userMessageStarts(lease.engine(), m, model, req, tokens);
                } else {
                    ImageInputs.requireProjector(lease, req.model);
                    PromptText text = templatedText(m, model, req);
                    vision = ImageInputs.tokenize(lease, req.model, text.text(), req.images, text.addBos());
                    tokens = VisionTokens.textTokens(vision);
                }
                OutputPlan plan = OutputPlan.answer(req.format).withThinking(req.raw ? null
                        : PromptTemplates.thinking(m, model, req.template, req.think, req.model, tokens));
                SamplingParams sampling = plan.grammar().map(g -> options.sampling().toBuilder().grammar(g).build())
                        .orElse(options.sampling());
                GenerateRequest.Builder request = GenerateRequest.builder()
                        .sampling(sampling).maxTokens(options.numPredict()).stop(options.stop())
                        .numKeep(options.numKeep())
                        .truncate(req.truncate == null || req.truncate).shift(req.shift == null || req.shift)
                        .logprobs(req.logprobs).topLogprobs(req.topLogprobs).userMessageStarts(userStarts);
                if (vision != null) {
                    request.visionPrompt(vision);
                } else {
                    request.promptTokens(tokens);
                }
                return new CompletionFlow.Prepared(request.build(), tokens, plan);
            }

            @Override
            public ObjectNode chunk(String text) {
                ObjectNode o = OllamaJson.object();
                o.put("model", req.model);
                o.put("created_at", OllamaJson.now());
                o.put("response", text);
                o.put("done", false);
                return o;
            }

            @Override
            public ObjectNode thinkingChunk(String thinking) {
                ObjectNode o = chunk("");
                o.put("thinking", thinking);
                return o;
            }

            @Override
            public ObjectNode last(OutputPlan.Reply reply, GenerationResult result, CompletionFlow.Prepared prepared) {
                ObjectNode o = chunk(reply.output().content());
                if (!reply.thinking().isEmpty()) {
                    o.put("thinking", reply.thinking());
                }
                o.put("done", true);
                o.put("done_reason", OllamaJson.doneReason(result.finishReason()));
                ArrayNode context = o.putArray("context");
                for (int t : prepared.promptTokens()) {
                    context.add(t);
                }
                for (int t : result.tokens()) {
                    context.add(t);
                }
                if (req.code != null) {
                    // CodeInferflow's counts, besides Ollama's prompt_eval_count (which leaves out a cached prefix).
                    o.put("input_tokens", prepared.promptTokens().length);
                    o.put("output_tokens", result.completionTokens());
                }
                return o;
            }
        });
    }

    /**
     * The prompt as tokens: {@code context}, then the prompt rendered for its kind (BOS only at the start of a
     * sequence). Runs on a worker thread.
     */
    static int[] promptTokens(Model model, CatalogModel entry, Request req, ServerConfig config) {
        int[] rendered;
        if (!req.suffix.isEmpty()) {
            // Ollama asks for the insert capability whether or not the prompt is raw.
            CompletionTemplate fim = CompletionTemplate.defaultFor(model.specialTokens(), req.model, "suffix");
            Optional<OllamaTemplate> template = PromptTemplates.of(entry).filter(OllamaTemplate::rendersSuffix);
            if (req.raw) {
                LOG.debug("raw prompt: the suffix is not used, as in Ollama");
                rendered = model.tokenize(req.prompt, req.context.length == 0, true);
            } else if (template.isPresent()) {
                // The model's template places the suffix itself ({{ .Suffix }}), as Ollama renders it.
                String text = template.get().renderInsert(req.prompt, req.suffix, req.think,
                        java.time.Clock.systemDefaultZone());
                rendered = model.tokenize(text, req.context.length == 0, true);
            } else {
                rendered = fim.render(model, CodeCompletionPrompt.of(req.prompt, req.suffix));
            }
        } else if (req.code != null) {
            rendered = codeCompletion(model, entry, req, config);
        } else {
            rendered = templated(model, entry, req);
        }
        if (req.context.length > 0 && rendered.length > 0 && rendered[0] == model.specialTokens().bos()
                && (!req.suffix.isEmpty() || req.code != null)) {
            // A completion template starts a sequence with BOS; after context it is not the start.
            rendered = Arrays.copyOfRange(rendered, 1, rendered.length);
        }
        int[] tokens = new int[req.context.length + rendered.length];
        System.arraycopy(req.context, 0, tokens, 0, req.context.length);
        System.arraycopy(rendered, 0, tokens, req.context.length, rendered.length);
        return tokens;
    }

    /** A code-completion prompt through the configured template, or the default from the model's FIM tokens. */
    private static int[] codeCompletion(Model model, CatalogModel entry, Request req, ServerConfig config) {
        Optional<String> configured = config.completionTemplate(entry.name()).or(() -> config.completionTemplate(req.model));
        if (configured.isEmpty()) {
            if (!model.specialTokens().supportsFim()) {
                throw ApiException.badParameter("prompt", "model '" + req.model + "' has no fill-in-the-middle tokens "
                        + "and no completion template in PUNA_COMPLETION_TEMPLATES: it cannot complete code "
                        + "(<SUF> ... <MID>)");
            }
            return CompletionTemplate.defaultFor(model.specialTokens(), req.model, "prompt").render(model, req.code);
        }
        try {
            return CompletionTemplate.parse(configured.get()).render(model, req.code);
        } catch (CompletionTemplateException e) {
            LOG.warn("the completion template for {} does not fit the model: {}", entry.name(), e.getMessage());
            throw ApiException.internal("the completion template configured for '" + req.model
                    + "' (PUNA_COMPLETION_TEMPLATES) does not fit the model: "
                    + e.getMessage().substring(e.parameter().length() + 2), e);
        }
    }

    /**
     * An ordinary prompt: raw, or through the request's template, the Modelfile's (both Go templates, run as
     * Ollama runs them over [system, Modelfile messages unless {@code context} is given, the prompt as a user
     * message]) or the GGUF's chat template.
     */
    private static int[] templated(Model model, CatalogModel entry, Request req) {
        PromptText p = templatedText(model, entry, req);
        return model.tokenize(p.text(), p.addBos(), true);
    }

    /** A rendered prompt and whether the tokenizer adds BOS to it. */
    private record PromptText(String text, boolean addBos) {
    }

    private static PromptText templatedText(Model model, CatalogModel entry, Request req) {
        if (req.raw) {
            return new PromptText(req.prompt, req.context.length == 0);
        }
        return render(model, entry, req, messages(entry, req));
    }

    /** The request's template, else the Modelfile's (Go templates); empty for the GGUF's chat template. */
    private static Optional<OllamaTemplate> goTemplate(CatalogModel entry, Request req) {
        return req.template != null ? Optional.of(req.template) : PromptTemplates.of(entry);
    }

    /**
     * The conversation an ordinary prompt renders: the system prompt (the request's, else the Modelfile's), a Go
     * template's Modelfile messages unless {@code context} is given, the prompt as a user message.
     */
    private static List<ChatMessage> messages(CatalogModel entry, Request req) {
        String system = req.system != null && !req.system.isEmpty() ? req.system : entry.system();
        List<ChatMessage> messages = new ArrayList<>();
        if (system != null && !system.isEmpty()) {
            messages.add(ChatMessage.system(system));
        }
        if (req.context.length == 0 && goTemplate(entry, req).isPresent()) {
            entry.messages().forEach(m -> messages.add(new ChatMessage(m.role(), m.content(), List.of(), null,
                    null)));
        }
        messages.add(ChatMessage.user(req.prompt));
        return messages;
    }

    /** {@code messages} (a {@link #messages} conversation, or one with the prompt's text left out) rendered. */
    private static PromptText render(Model model, CatalogModel entry, Request req, List<ChatMessage> messages) {
        Optional<OllamaTemplate> template = goTemplate(entry, req);
        String text;
        boolean addBos = true;
        if (template.isPresent()) {
            text = PromptTemplates.render(template.get(), messages, List.of(), req.think);
        } else if (model.info().chatTemplate().isPresent()) {
            ChatRequest.Builder chat = ChatRequest.builder(messages);
            if (req.think.set()) {
                chat.variable("enable_thinking", req.think.enabled());
            }
            ChatPrompt p = model.renderChat(chat.build());
            text = p.text();
            addBos = p.addBos();
        } else {
            text = messages.getLast().content(); // Ollama's default template is {{ .Prompt }}
        }
        return new PromptText(text, addBos && req.context.length == 0);
    }

    /**
     * Where the prompt's user message starts in {@code tokens} ({@link #promptTokens}: after {@code context}), for
     * the engine's checkpoints: another prompt under the same system prompt continues after it. None for raw,
     * fill-in-the-middle and code-completion prompts. Worker thread.
     */
    static int[] userMessageStarts(Engine engine, Model model, CatalogModel entry, Request req, int[] tokens) {
        if (!engine.keepsCheckpoints() || req.raw || !req.suffix.isEmpty() || req.code != null) {
            return new int[0];
        }
        int offset = req.context.length;
        int[] rendered = offset == 0 ? tokens : Arrays.copyOfRange(tokens, offset, tokens.length);
        return Arrays.stream(UserMessageStarts.of(engine, messages(entry, req), rendered, m -> {
            PromptText p = render(model, entry, req, m);
            return model.tokenize(p.text(), p.addBos(), true);
        })).map(at -> at + offset).toArray();
    }

    private void loadOrUnload(RoutingContext rc, Request req, CatalogModel model, RequestOptions options) {
        loadOrUnload(sc, rc, req.model, model, options, req.keepAlive, "response");
    }

    /** Ollama's empty-prompt behaviour, shared with chat: load (or touch) the model, or unload it with keep_alive 0. */
    static void loadOrUnload(ServerContext sc, RoutingContext rc, String name, CatalogModel model,
                             RequestOptions options, Duration keepAlive, String field) {
        if (keepAlive != null && keepAlive.isZero()) {
            io.vertx.core.Context ctx = rc.vertx().getOrCreateContext();
            sc.scheduler().unload(model.name()).whenComplete((v, e) -> ctx.runOnContext(x ->
                    Responses.json(rc, 200, OllamaJson.write(OllamaJson.loadResponse(name, field, "unload")))));
            return;
        }
        sc.lease(model, options.load(), sc.keepAlive(keepAlive)).onSuccess(lease -> {
            lease.release();
            Responses.json(rc, 200, OllamaJson.write(OllamaJson.loadResponse(name, field, "load")));
        }).onFailure(rc::fail);
    }
}
