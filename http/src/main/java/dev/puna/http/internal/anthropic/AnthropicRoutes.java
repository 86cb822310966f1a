package dev.puna.http.internal.anthropic;

import dev.puna.http.internal.ErrorRenderer;
import dev.puna.http.internal.RouteFamily;
import dev.puna.http.internal.ServerContext;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;

/**
 * Anthropic's Messages API: {@code POST /v1/messages} and {@code POST /v1/messages/count_tokens}, as the Anthropic
 * SDKs and coding agents call them (with {@code x-api-key}, which the server's key check accepts, and
 * {@code anthropic-version}, accepted whatever its value). Owns {@code /v1/messages} and the paths below it, so
 * their errors, the 401 of the key check, wrong methods and unknown sub-paths included, come in Anthropic's format;
 * register it before the OpenAI family, which owns the rest of {@code /v1}.
 */
public final class AnthropicRoutes implements RouteFamily {
    private static final String MESSAGES = "/v1/messages";

    private final ServerContext sc;

    public AnthropicRoutes(ServerContext sc) {
        this.sc = sc;
    }

    @Override
    public void register(Router router) {
        router.route(HttpMethod.POST, MESSAGES).handler(new MessagesRoute(sc));
        router.route(HttpMethod.POST, MESSAGES + "/count_tokens").handler(new CountTokensRoute(sc));
    }

    @Override
    public boolean owns(String path) {
        return path.equals(MESSAGES) || path.startsWith(MESSAGES + "/");
    }

    @Override
    public ErrorRenderer errors() {
        return AnthropicErrors.INSTANCE;
    }
}
