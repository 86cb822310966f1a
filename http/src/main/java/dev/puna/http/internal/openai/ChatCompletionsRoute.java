package dev.puna.http.internal.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.puna.http.CatalogModel;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.Guard;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.ModelNames;
import dev.puna.http.internal.PromptTemplates;
import dev.puna.http.internal.RequestLimits;
import dev.puna.http.internal.RequestLog;
import dev.puna.http.internal.RequestOptions;
import dev.puna.http.internal.ServerContext;
import dev.puna.http.internal.gotemplate.OllamaTemplate;
import dev.puna.http.internal.output.OutputPlan;
import dev.puna.runtime.Model;
import dev.puna.runtime.SamplingParams;
import dev.puna.runtime.chat.ChatMessage;
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
                           int topLogprobs, StructuredOutput structured) {
    }

    @Override
    public void handle(RoutingContext rc) {
        Request req = read(sc.requestBody(rc.body().buffer()), sc.limits());
        RequestLog.model(rc, req.model);
        sc.findModel(req.model).onSuccess(model -> Guard.run(rc, () -> chat(rc, req, model))).onFailure(rc::fail);
    }

    private static Request read(JsonBody body, RequestLimits limits) {
        String model = body.string("model");
        ArrayNode messages = body.array("messages");
        SamplingFields sampling = SamplingFields.read(body, limits);
        limits.checkTools("tools", body.raw("tools"));
        limits.checkImages("messages", ChatMessages.imageParts(messages));
        Boolean logprobs = body.bool("logprobs");
        Integer topLogprobs = body.integer("top_logprobs");
        StructuredOutput structured = StructuredOutput.read(body);
        ModelNames.require(model);
        List<ChatMessage> parsed = ChatMessages.read(messages);
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
                topLogprobs == null ? 0 : topLogprobs, structured);
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
                    int[] tokens = promptTokens(model, entry, req.messages,
                            tools == null ? null : tools.definitions());
                    // As llama-server does for a reasoning model: the <think> block goes to reasoning_content.
                    OutputPlan.Thinking thinking = PromptTemplates.thinkingTags(model, entry, null)
                            .map(t -> PromptTemplates.thinking(model, t, tokens)).orElse(null);
                    List<GenerationRun.Planned> choices = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        choices.add(new GenerationRun.Planned(i, 0, "", Prompts.request(tokens, options,
                                req.sampling.forChoice(sampling, i), req.logprobs, req.topLogprobs),
                                tools == null ? null : tools.parser(), thinking));
                    }
                    return new GenerationRun.Plan(choices, tokens.length);
                });
    }

    private static int[] promptTokens(Model model, CatalogModel entry, List<ChatMessage> messages,
                                      List<Map<String, Object>> tools) {
        boolean hasSystem = messages.stream().anyMatch(m -> m.role().equals("system"));
        if (!hasSystem && entry.system() != null && !entry.system().isEmpty()) {
            messages = new ArrayList<>(messages);
            messages.addFirst(ChatMessage.system(entry.system()));
        }
        PromptTemplates.Rendered prompt = PromptTemplates.chat(model, entry, messages,
                tools == null ? List.of() : tools, OllamaTemplate.Think.UNSET);
        return model.tokenize(prompt.text(), prompt.addBos(), true);
    }
}
