package dev.puna.http.internal.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.http.CatalogModel;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.Guard;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.ModelNames;
import dev.puna.http.internal.RequestLimits;
import dev.puna.http.internal.RequestLog;
import dev.puna.http.internal.RequestOptions;
import dev.puna.http.internal.ServerContext;
import dev.puna.runtime.Model;
import dev.puna.runtime.completion.FillInMiddle;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /v1/completions} (legacy completions): {@code prompt} is raw text (no chat template), as a string,
 * an array of strings, an array of token ids or an array of token-id arrays; each prompt gets {@code n} choices,
 * indexed {@code prompt * n + i} as OpenAI does. {@code suffix} builds a fill-in-the-middle prompt from the
 * model's FIM tokens (400 naming {@code suffix} for a model without them); {@code echo} puts the prompt's text
 * before the completion; {@code logprobs} (0..5 alternatives) uses the legacy
 * {@code {tokens, token_logprobs, top_logprobs, text_offset}} format.
 */
final class CompletionsRoute implements Handler<RoutingContext> {
    /** The most alternatives per token OpenAI's legacy {@code logprobs} allows. */
    static final int MAX_LOGPROBS = 5;

    private final ServerContext sc;

    CompletionsRoute(ServerContext sc) {
        this.sc = sc;
    }

    /** One prompt: text, or token ids taken as given. */
    private record Prompt(String text, int[] tokens) {
    }

    private record Request(String model, List<Prompt> prompts, String suffix, boolean echo, Integer logprobs,
                           SamplingFields sampling) {
    }

    @Override
    public void handle(RoutingContext rc) {
        Request req = read(sc.requestBody(rc.body().buffer()), sc.limits());
        RequestLog.model(rc, req.model);
        sc.findModel(req.model).onSuccess(model -> Guard.run(rc, () -> complete(rc, req, model)))
                .onFailure(rc::fail);
    }

    private static Request read(JsonBody body, RequestLimits limits) {
        String model = body.string("model");
        List<Prompt> prompts = prompts(body.raw("prompt"));
        String suffix = body.string("suffix");
        Boolean echo = body.bool("echo");
        Integer logprobs = body.integer("logprobs");
        Integer bestOf = body.integer("best_of");
        SamplingFields sampling = SamplingFields.read(body, limits);
        ModelNames.require(model);
        if (logprobs != null && (logprobs < 0 || logprobs > MAX_LOGPROBS)) {
            throw ApiException.badParameter("logprobs", "\"logprobs\" must be between 0 and " + MAX_LOGPROBS
                    + ", got " + logprobs);
        }
        boolean isEcho = echo != null && echo;
        if (isEcho && logprobs != null) {
            throw ApiException.badParameter("logprobs", "\"logprobs\" together with \"echo\" is not supported: "
                    + "log-probabilities of prompt tokens are not computed");
        }
        if (bestOf != null && bestOf != sampling.n()) {
            throw ApiException.badParameter("best_of", "\"best_of\" other than \"n\" is not supported (choices are "
                    + "not ranked on the server), got best_of " + bestOf + " and n " + sampling.n());
        }
        boolean fim = suffix != null && !suffix.isEmpty();
        if (fim && prompts.stream().anyMatch(p -> p.text == null)) {
            throw ApiException.badParameter("suffix", "\"suffix\" needs the prompt as text, not token ids");
        }
        return new Request(model, prompts, fim ? suffix : null, isEcho, logprobs, sampling);
    }

    private static List<Prompt> prompts(JsonNode v) {
        if (v == null) {
            throw ApiException.badParameter("prompt", "\"prompt\" is required");
        }
        if (v.isTextual()) {
            return List.of(new Prompt(v.textValue(), null));
        }
        if (!v.isArray()) {
            throw wrongPrompt(v);
        }
        if (v.isEmpty()) {
            throw ApiException.badParameter("prompt", "\"prompt\" must not be an empty array");
        }
        List<Prompt> out = new ArrayList<>(v.size());
        JsonNode first = v.get(0);
        if (first.isNumber()) {
            return List.of(new Prompt(null, tokens(v, "prompt")));
        }
        for (int i = 0; i < v.size(); i++) {
            JsonNode p = v.get(i);
            if (first.isTextual() && p.isTextual()) {
                out.add(new Prompt(p.textValue(), null));
            } else if (first.isArray() && p.isArray()) {
                if (p.isEmpty()) {
                    throw ApiException.badParameter("prompt", "\"prompt[" + i + "]\" must not be empty");
                }
                out.add(new Prompt(null, tokens(p, "prompt[" + i + "]")));
            } else {
                throw wrongPrompt(v);
            }
        }
        return out;
    }

    private static int[] tokens(JsonNode array, String path) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode t = array.get(i);
            if (!t.isIntegralNumber() || !t.canConvertToInt()) {
                throw ApiException.badParameter("prompt", "invalid value for \"" + path + "[" + i + "]\": expected a "
                        + "token id, got " + JsonBody.describe(t));
            }
            out[i] = t.intValue();
        }
        return out;
    }

    private static ApiException wrongPrompt(JsonNode v) {
        return ApiException.badParameter("prompt", "invalid value for \"prompt\": expected a string, an array of "
                + "strings, an array of token ids or an array of token-id arrays, got " + JsonBody.describe(v));
    }

    private void complete(RoutingContext rc, Request req, CatalogModel entry) {
        RequestOptions options = req.sampling.resolve(sc.options(), entry);
        int n = req.sampling.n();
        boolean logprobs = req.logprobs != null;
        int top = logprobs ? req.logprobs : 0;
        GenerationRun.start(sc, rc, entry, req.model, options, req.sampling, logprobs, req.prompts.size() * n,
                "cmpl", TextChoices.INSTANCE, lease -> {
                    Model model = lease.engine().model();
                    Prompts.checkLogitBias(model, options.sampling());
                    List<GenerationRun.Planned> choices = new ArrayList<>();
                    int promptTokens = 0;
                    for (int p = 0; p < req.prompts.size(); p++) {
                        Prompt prompt = req.prompts.get(p);
                        int[] tokens = tokens(model, prompt, req.suffix);
                        promptTokens += tokens.length;
                        String echo = !req.echo ? "" : prompt.text != null ? prompt.text
                                : model.detokenize(prompt.tokens, true, false);
                        for (int i = 0; i < n; i++) {
                            choices.add(new GenerationRun.Planned(p * n + i, p, echo, Prompts.request(tokens, options,
                                    req.sampling.forChoice(options.sampling(), i), logprobs, top), null));
                        }
                    }
                    return new GenerationRun.Plan(choices, promptTokens);
                });
    }

    /** The prompt's tokens: as given, fill-in-the-middle around {@code suffix}, or the raw text with BOS. */
    private static int[] tokens(Model model, Prompt prompt, String suffix) {
        if (prompt.tokens != null) {
            for (int t : prompt.tokens) {
                if (t < 0 || t >= model.vocabSize()) {
                    throw ApiException.badParameter("prompt", "invalid token id " + t + " in \"prompt\": outside "
                            + "the model's vocabulary (0.." + (model.vocabSize() - 1) + ")");
                }
            }
            return prompt.tokens;
        }
        if (suffix != null) {
            return FillInMiddle.prompt(model, prompt.text, suffix);
        }
        return model.tokenize(prompt.text, true, true);
    }
}
