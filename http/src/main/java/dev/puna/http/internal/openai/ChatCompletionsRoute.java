package dev.puna.http.internal.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.puna.http.CatalogModel;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.Guard;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.ModelNames;
import dev.puna.http.internal.ModelScheduler;
import dev.puna.http.internal.PromptTemplates;
import dev.puna.http.internal.RequestLimits;
import dev.puna.http.internal.RequestLog;
import dev.puna.http.internal.RequestOptions;
import dev.puna.http.internal.ServerContext;
import dev.puna.http.internal.UserMessageStarts;
import dev.puna.http.internal.gotemplate.OllamaTemplate;
import dev.puna.http.internal.output.OutputPlan;
import dev.puna.http.internal.vision.ImageInputs;
import dev.puna.http.internal.vision.RemoteImages;
import dev.puna.http.internal.vision.VisionTokens;
import dev.puna.runtime.GenerateRequest;
import dev.puna.runtime.Model;
import dev.puna.runtime.SamplingParams;
import dev.puna.runtime.chat.ChatMessage;
import dev.puna.runtime.vision.Image;
import dev.puna.runtime.vision.VisionPrompt;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/chat/completions}: the conversation rendered with the model's chat template (the Modelfile's
 * {@code SYSTEM} added when the request has no system message, the tools passed to it when the model may call
 * them), {@code n} choices decoded together, streamed as {@code chat.completion.chunk} events or answered as one
 * {@code chat.completion}.
 */
final class ChatCompletionsRoute implements Handler<RoutingContext> {
    private final ServerContext sc;

    ChatCompletionsRoute(ServerContext sc) {
        this.sc = sc;
    }

    private record Request(String model, List<ChatMessage> messages, SamplingFields sampling, boolean logprobs,
                           int topLogprobs, StructuredOutput structured, List<Image> images) {
    }

    @Override
    public void handle(RoutingContext rc) {
        JsonBody body = sc.requestBody(rc.body().buffer());
        RemoteImages remote = sc.remoteImages();
        if (remote.enabled() && ChatMessages.remoteImageParts(body.raw("messages")) > 0) {
            // Fetching an allowed image URL blocks: read the request on a worker thread.
            sc.blocking(() -> read(body, sc.limits(), remote)).onSuccess(req -> start(rc, req)).onFailure(rc::fail);
            return;
        }
        start(rc, read(body, sc.limits(), remote));
    }

    private void start(RoutingContext rc, Request req) {
        RequestLog.model(rc, req.model);
        sc.findModel(req.model).onSuccess(model -> Guard.run(rc, () -> chat(rc, req, model))).onFailure(rc::fail);
    }

    private static Request read(JsonBody body, RequestLimits limits, RemoteImages remote) {
        String model = body.string("model");
        ArrayNode messages = body.array("messages");
        SamplingFields sampling = SamplingFields.read(body, limits);
        limits.checkTools("tools", body.raw("tools"));
        limits.checkImages("messages", ChatMessages.imageParts(messages));
        Boolean logprobs = body.bool("logprobs");
        Integer topLogprobs = body.integer("top_logprobs");
        StructuredOutput structured = StructuredOutput.read(body);
        ModelNames.require(model);
        List<Image> images = new ArrayList<>();
        List<ChatMessage> parsed = ChatMessages.read(messages, images, remote);
        if (topLogprobs != null) {
            if (topLogprobs < 0 || topLogprobs > 20) {
                throw ApiException.badParameter("top_logprobs", "\"top_logprobs\" must be between 0 and 20, got "
                        + topLogprobs);
            }
            if (logprobs == null || !logprobs) {
                throw ApiException.badParameter("top_logprobs", "\"top_logprobs\" requires \"logprobs\" to be true");
            }
        }
        return new Request(model, parsed, sampling, logprobs != null && logprobs,
                topLogprobs == null ? 0 : topLogprobs, structured, List.copyOf(images));
    }

    private void chat(RoutingContext rc, Request req, CatalogModel entry) {
        RequestOptions options = req.sampling.resolve(sc.options(), entry);
        int n = req.sampling.n();
        GenerationRun.start(sc, rc, entry, req.model, options, req.sampling, req.logprobs, n, "chatcmpl",
                ChatChoices.INSTANCE, lease -> {
                    Model model = lease.engine().model();
                    Prompts.checkLogitBias(model, options.sampling());
                    StructuredOutput.ToolCalling tools = req.structured.toolCalling(model, entry);
                    SamplingParams sampling = req.structured.apply(options.sampling(), tools);
                    List<Map<String, Object>> definitions = tools == null ? null : tools.definitions();
                    // Each choice owns its prompt with images: the stream closes it when that choice ends.
                    List<VisionPrompt> visions = req.images.isEmpty() ? List.of()
                            : visionPrompts(lease, req, render(model, entry, req.messages, definitions), n);
                    int[] tokens = visions.isEmpty() ? promptTokens(model, entry, req.messages, definitions)
                            : VisionTokens.textTokens(visions.getFirst());
                    int[] userStarts = visions.isEmpty() ? UserMessageStarts.of(lease.engine(), req.messages, tokens,
                            m -> promptTokens(model, entry, m, definitions)) : new int[0];
                    // As llama-server does for a reasoning model: the <think> block goes to reasoning_content.
                    OutputPlan.Thinking thinking = PromptTemplates.thinkingTags(model, entry, null)
                            .map(t -> PromptTemplates.thinking(model, t, tokens)).orElse(null);
                    List<GenerationRun.Planned> choices = new ArrayList<>(n);
                    int promptTokens = tokens.length;
                    for (int i = 0; i < n; i++) {
                        GenerateRequest request = Prompts.request(tokens, options, req.sampling.forChoice(sampling, i),
                                req.logprobs, req.topLogprobs).toBuilder().userMessageStarts(userStarts).build();
                        if (!visions.isEmpty()) {
                            promptTokens = visions.get(i).tokenCount();
                            request = request.toBuilder().visionPrompt(visions.get(i)).build();
                        }
                        choices.add(new GenerationRun.Planned(i, 0, "", request,
                                tools == null ? null : tools.parser(), thinking));
                    }
                    return new GenerationRun.Plan(choices, promptTokens);
                });
    }

    /** One tokenized prompt with images per choice; all closed again if one fails. */
    private static List<VisionPrompt> visionPrompts(ModelScheduler.Lease lease, Request req,
                                                    PromptTemplates.Rendered rendered, int n) {
        ImageInputs.requireProjector(lease, req.model);
        List<VisionPrompt> out = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                out.add(ImageInputs.tokenize(lease, req.model, rendered.text(), req.images, rendered.addBos()));
            }
        } catch (RuntimeException e) {
            out.forEach(VisionPrompt::close);
            throw e;
        }
        return out;
    }

    private static int[] promptTokens(Model model, CatalogModel entry, List<ChatMessage> messages,
                                      List<Map<String, Object>> tools) {
        PromptTemplates.Rendered prompt = render(model, entry, messages, tools);
        return model.tokenize(prompt.text(), prompt.addBos(), true);
    }

    /**
     * The prompt this route generates from (also what {@code /apply-template} answers): the Modelfile's
     * {@code SYSTEM} first when the request has no system message, then the model's template.
     *
     * @param tools the tool definitions the model may call, or null
     */
    static PromptTemplates.Rendered render(Model model, CatalogModel entry, List<ChatMessage> messages,
                                           List<Map<String, Object>> tools) {
        boolean hasSystem = messages.stream().anyMatch(m -> m.role().equals("system"));
        if (!hasSystem && entry.system() != null && !entry.system().isEmpty()) {
            messages = new ArrayList<>(messages);
            messages.addFirst(ChatMessage.system(entry.system()));
        }
        return PromptTemplates.chat(model, entry, messages, tools == null ? List.of() : tools,
                OllamaTemplate.Think.UNSET);
    }
}
