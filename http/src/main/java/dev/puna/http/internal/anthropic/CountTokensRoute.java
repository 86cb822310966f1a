package dev.puna.http.internal.anthropic;

import dev.puna.http.CatalogModel;
import dev.puna.http.internal.Errors;
import dev.puna.http.internal.Guard;
import dev.puna.http.internal.ModelScheduler;
import dev.puna.http.internal.PromptTemplates;
import dev.puna.http.internal.RequestLog;
import dev.puna.http.internal.RequestOptions;
import dev.puna.http.internal.Responses;
import dev.puna.http.internal.ServerContext;
import dev.puna.http.internal.output.AnswerFormat;
import dev.puna.http.internal.output.OutputPlan;
import dev.puna.runtime.Model;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /v1/messages/count_tokens}: {@code {"input_tokens": N}}, the tokens of the prompt a
 * {@code /v1/messages} request with the same body would evaluate (system prompt, messages and the tools as the
 * template lists them), rendered and tokenized exactly as that route does. {@code max_tokens} is not required. The
 * model is leased (loaded if it is not) for its tokenizer; nothing is generated.
 */
final class CountTokensRoute implements Handler<RoutingContext> {
    private final ServerContext sc;

    CountTokensRoute(ServerContext sc) {
        this.sc = sc;
    }

    @Override
    public void handle(RoutingContext rc) {
        MessagesRequest req = MessagesRequest.read(sc.requestBody(rc.body().buffer()), sc.limits(), false);
        RequestLog.model(rc, req.model());
        sc.findModel(req.model()).onSuccess(entry -> Guard.run(rc, () -> {
            RequestOptions options = MessagesRoute.options(sc, entry, req);
            sc.lease(entry, options.load(), sc.keepAlive(null)).onComplete(leased -> {
                if (leased.failed()) {
                    Responses.fail(rc, Errors.toApi(leased.cause()), AnthropicErrors.INSTANCE);
                    return;
                }
                ModelScheduler.Lease lease = leased.result();
                sc.blocking(() -> count(lease, entry, req)).onComplete(counted -> {
                    lease.release();
                    if (counted.failed()) {
                        Responses.fail(rc, Errors.toApi(counted.cause()), AnthropicErrors.INSTANCE);
                        return;
                    }
                    RequestLog.tokens(rc, counted.result(), 0);
                    Responses.json(rc, 200, AnthropicJson.write(AnthropicJson.object().put("input_tokens",
                            counted.result())));
                });
            });
        })).onFailure(rc::fail);
    }

    /**
     * Worker thread: the prompt's length, image cells included, the tools listed as the plan for this model lists
     * them.
     */
    private static int count(ModelScheduler.Lease lease, CatalogModel entry, MessagesRequest req) {
        Model model = lease.engine().model();
        OutputPlan plan = OutputPlan.forChat(PromptTemplates.templateText(model, entry), req.toolsJson(), req.tools(),
                req.toolChoice(), req.parallelToolCalls(), AnswerFormat.text());
        MessagesRequest.Prompt prompt = req.prompt(lease, entry, plan.templateTools());
        if (prompt.vision() != null) {
            prompt.vision().close();
        }
        return prompt.tokenCount();
    }
}
