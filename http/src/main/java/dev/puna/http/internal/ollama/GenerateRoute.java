package dev.puna.http.internal.ollama;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.CatalogModel;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.GoTemplate;
import dev.puna.http.internal.Guard;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.ModelScheduler;
import dev.puna.http.internal.RequestLog;
import dev.puna.http.internal.RequestOptions;
import dev.puna.http.internal.Responses;
import dev.puna.http.internal.ServerContext;
import dev.puna.runtime.GenerateRequest;
import dev.puna.runtime.GenerationResult;
import dev.puna.runtime.Model;
import dev.puna.runtime.chat.ChatMessage;
import dev.puna.runtime.chat.ChatPrompt;
import dev.puna.runtime.chat.ChatRequest;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /api/generate}: a completion of {@code prompt}, rendered through the request's {@code template}
 * (Go-template subset), the model's Modelfile template, or the GGUF chat template (in that order) unless
 * {@code raw}; {@code context} tokens from a previous answer are prepended. An empty prompt loads the model
 * ({@code done_reason:"load"}), or unloads it with {@code keep_alive: 0} ({@code "unload"}).
 */
final class GenerateRoute implements Handler<RoutingContext> {
    private final ServerContext sc;

    GenerateRoute(ServerContext sc) {
        this.sc = sc;
    }

    /** The request's fields, read and checked on the event loop. */
    private record Request(String model, String prompt, String system, GoTemplate template, int[] context,
                           boolean stream, boolean raw, Duration keepAlive, ObjectNode options, Boolean think,
                           Boolean truncate, Boolean shift, boolean logprobs, int topLogprobs) {
    }

    @Override
    public void handle(RoutingContext rc) {
        Request req = read(JsonBody.parse(rc.body().buffer()));
        RequestLog.model(rc, req.model);
        sc.findModel(req.model).onSuccess(model -> Guard.run(rc, () -> generate(rc, req, model)))
                .onFailure(rc::fail);
    }

    static Request read(JsonBody body) {
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
        Boolean think = OllamaFields.think(body);
        Boolean truncate = body.bool("truncate");
        Boolean shift = body.bool("shift");
        Boolean logprobs = body.bool("logprobs");
        int topLogprobs = OllamaFields.topLogprobs(body);
        OllamaFields.noImages(body, "images");
        dev.puna.http.internal.ModelNames.require(model);
        OllamaFields.noFormat(body);
        if (suffix != null && !suffix.isEmpty()) {
            // Integration point: fill-in-the-middle prompts built from the model's FIM tokens (runtime, in progress).
            throw ApiException.notImplemented("suffix", "\"suffix\" (fill-in-the-middle) is not supported yet");
        }
        boolean isRaw = raw != null && raw;
        if (isRaw && ((template != null && !template.isEmpty()) || (system != null && !system.isEmpty())
                || (context != null && context.length > 0))) {
            throw ApiException.badParameter("raw", "raw mode does not support template, system, or context");
        }
        if (prompt != null && prompt.contains("<SUF>") && prompt.strip().endsWith("<MID>")) {
            // Integration point: CodeInferflow-style code completion prompts (runtime, in progress).
            throw ApiException.notImplemented("prompt",
                    "code completion prompts (<SUF> ... <MID>) are not supported yet");
        }
        GoTemplate parsed = null;
        if (template != null && !template.isEmpty()) {
            try {
                parsed = GoTemplate.parse(template);
            } catch (IllegalArgumentException e) {
                throw ApiException.badParameter("template", "invalid template: " + e.getMessage());
            }
        }
        return new Request(model, prompt == null ? "" : prompt, system, parsed, context == null ? new int[0] : context,
                stream, isRaw, keepAlive, options, think, truncate, shift, logprobs != null && logprobs, topLogprobs);
    }

    private void generate(RoutingContext rc, Request req, CatalogModel model) {
        RequestOptions options = sc.options().parse(model.parameters(), req.options);
        if (req.prompt.isEmpty() && req.context.length == 0) {
            loadOrUnload(rc, req, model, options);
            return;
        }
        CompletionFlow.run(sc, rc, model, options, req.keepAlive, req.stream, req.logprobs, new CompletionFlow.Route() {
            @Override
            public CompletionFlow.Prepared prepare(ModelScheduler.Lease lease) {
                int[] tokens = promptTokens(lease.engine().model(), model, req);
                GenerateRequest request = GenerateRequest.builder().promptTokens(tokens)
                        .sampling(options.sampling()).maxTokens(options.numPredict()).stop(options.stop())
                        .numKeep(options.numKeep())
                        .truncate(req.truncate == null || req.truncate).shift(req.shift == null || req.shift)
                        .logprobs(req.logprobs).topLogprobs(req.topLogprobs).build();
                return new CompletionFlow.Prepared(request, tokens);
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
            public ObjectNode last(String text, GenerationResult result, CompletionFlow.Prepared prepared) {
                ObjectNode o = chunk(text);
                o.put("done", true);
                o.put("done_reason", OllamaJson.doneReason(result.finishReason()));
                ArrayNode context = o.putArray("context");
                for (int t : prepared.promptTokens()) {
                    context.add(t);
                }
                for (int t : result.tokens()) {
                    context.add(t);
                }
                return o;
            }
        });
    }

    /** The prompt as tokens: {@code context}, then the rendered prompt (BOS only at the start of a sequence). */
    static int[] promptTokens(Model model, CatalogModel entry, Request req) {
        String system = req.system != null ? req.system : entry.system();
        String text;
        boolean addBos = true;
        GoTemplate template = req.template != null ? req.template : modelTemplate(entry);
        if (req.raw) {
            text = req.prompt;
        } else if (template != null) {
            Map<String, String> values = new HashMap<>();
            values.put("System", system == null ? "" : system);
            values.put("Prompt", req.prompt);
            text = template.render(values);
        } else if (model.info().chatTemplate().isPresent()) {
            List<ChatMessage> messages = new ArrayList<>();
            if (system != null && !system.isEmpty()) {
                messages.add(ChatMessage.system(system));
            }
            messages.add(ChatMessage.user(req.prompt));
            ChatRequest.Builder chat = ChatRequest.builder(messages);
            if (req.think != null) {
                chat.variable("enable_thinking", req.think);
            }
            ChatPrompt p = model.renderChat(chat.build());
            text = p.text();
            addBos = p.addBos();
        } else {
            text = req.prompt; // Ollama's default template is {{ .Prompt }}
        }
        int[] rendered = model.tokenize(text, addBos && req.context.length == 0, true);
        int[] tokens = new int[req.context.length + rendered.length];
        System.arraycopy(req.context, 0, tokens, 0, req.context.length);
        System.arraycopy(rendered, 0, tokens, req.context.length, rendered.length);
        return tokens;
    }

    /** The Modelfile template when it is within the supported Go-template subset; else the GGUF's is used. */
    private static GoTemplate modelTemplate(CatalogModel entry) {
        if (entry.template() == null || entry.template().isEmpty()) {
            return null;
        }
        try {
            return GoTemplate.parse(entry.template());
        } catch (IllegalArgumentException e) {
            return null;
        }
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
