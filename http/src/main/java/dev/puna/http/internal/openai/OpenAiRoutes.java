package dev.puna.http.internal.openai;

import dev.puna.http.internal.ErrorRenderer;
import dev.puna.http.internal.RouteFamily;
import dev.puna.http.internal.ServerContext;
import dev.puna.http.internal.assistants.AssistantsApi;
import dev.puna.http.internal.lora.LoraAdaptersRoute;
import dev.puna.http.internal.responses.ResponsesApi;
import dev.puna.http.internal.stateful.StateService;
import dev.puna.http.internal.stateful.TurnRunner;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import java.util.List;

/**
 * OpenAI's API: {@code POST /v1/chat/completions}, {@code POST /v1/completions}, {@code GET /v1/models},
 * {@code GET /v1/models/{id}}, {@code POST /v1/embeddings}, llama-server's {@code POST /tokenize},
 * {@code /detokenize} and {@code /apply-template} ({@link TokenizerRoutes}), {@code POST /v1/rerank} ({@link RerankRoute},
 * also {@code /rerank}, {@code /v1/reranking}, {@code /reranking}), {@code GET/POST /lora-adapters}
 * ({@link LoraAdaptersRoute}), and the stateful Assistants API
 * ({@link AssistantsApi}) with its successors Responses and Conversations ({@link ResponsesApi}), each also without the {@code /v1} prefix (clients
 * such as CodeInferflow's set {@code base_url} to the bare host). Owns {@code /v1/*} and those bare paths, so
 * their errors, unknown {@code /v1} routes and wrong methods included, come in OpenAI's format.
 */
public final class OpenAiRoutes implements RouteFamily {
    /** The prefixes every route is served under. */
    private static final List<String> PREFIXES = List.of("/v1", "");
    /** Bare paths (without {@code /v1}) this family owns. */
    private static final List<String> BARE = List.of("/chat/completions", "/completions", "/embeddings", "/models",
            "/assistants", "/threads", "/responses", "/conversations", "/tokenize", "/detokenize", "/apply-template",
            "/rerank", "/reranking", "/lora-adapters");

    private final ServerContext sc;
    private final AssistantsApi assistants;
    private final ResponsesApi responses;

    /** The routes, the stateful ones on a database opened on first use (tests that never touch it create none). */
    public OpenAiRoutes(ServerContext sc) {
        this(sc, new StateService(sc.config(), sc.vertx()));
    }

    /** The routes, the stateful ones on {@code state}. */
    public OpenAiRoutes(ServerContext sc, StateService state) {
        this.sc = sc;
        TurnRunner turns = new TurnRunner(sc);
        this.assistants = new AssistantsApi(sc, state, turns);
        this.responses = new ResponsesApi(sc, state, turns);
    }

    @Override
    public void register(Router router) {
        ChatCompletionsRoute chat = new ChatCompletionsRoute(sc);
        CompletionsRoute completions = new CompletionsRoute(sc);
        EmbeddingsRoute embeddings = new EmbeddingsRoute(sc);
        ModelsRoute models = new ModelsRoute(sc);
        LoraAdaptersRoute lora = new LoraAdaptersRoute(sc);
        // llama-server's route, without a /v1 form.
        router.route(HttpMethod.GET, "/lora-adapters").handler(lora::list);
        router.route(HttpMethod.POST, "/lora-adapters").handler(lora::set);
        TokenizerRoutes tokenizer = new TokenizerRoutes(sc);
        // llama-server's tokenizer routes have no /v1 form.
        router.route(HttpMethod.POST, "/tokenize").handler(tokenizer::tokenize);
        router.route(HttpMethod.POST, "/detokenize").handler(tokenizer::detokenize);
        router.route(HttpMethod.POST, "/apply-template").handler(tokenizer::applyTemplate);
        RerankRoute rerank = new RerankRoute(sc);
        for (String path : List.of("/v1/rerank", "/rerank", "/v1/reranking", "/reranking")) {
            router.route(HttpMethod.POST, path).handler(rerank);
        }
        for (String prefix : PREFIXES) {
            router.route(HttpMethod.POST, prefix + "/chat/completions").handler(chat);
            router.route(HttpMethod.POST, prefix + "/completions").handler(completions);
            router.route(HttpMethod.POST, prefix + "/embeddings").handler(embeddings);
            router.route(HttpMethod.GET, prefix + "/models").handler(models::list);
            // Names hold '/' and ':' (library/qwen:latest), so the id is the rest of the path, decoded.
            router.routeWithRegex(HttpMethod.GET, prefix + "/models/(?<id>.+)")
                    .handler(rc -> models.get(rc, rc.pathParam("id")));
            assistants.register(router, prefix);
            responses.register(router, prefix);
        }
    }

    @Override
    public boolean owns(String path) {
        if (path.equals("/v1") || path.startsWith("/v1/")) {
            return true;
        }
        for (String bare : BARE) {
            if (path.equals(bare) || path.startsWith(bare + "/")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public ErrorRenderer errors() {
        return OpenAiErrors.INSTANCE;
    }
}
