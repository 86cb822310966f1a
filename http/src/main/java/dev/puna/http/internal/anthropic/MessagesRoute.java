package dev.puna.http.internal.anthropic;

import dev.puna.http.CatalogModel;
import dev.puna.http.internal.Guard;
import dev.puna.http.internal.RequestLog;
import dev.puna.http.internal.RequestOptions;
import dev.puna.http.internal.ServerContext;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /v1/messages}: Anthropic's Messages API on the same serving engine as the other chat routes (see
 * {@link MessagesRun}).
 */
final class MessagesRoute implements Handler<RoutingContext> {
    /** Anthropic's sampling default, under the model's Modelfile parameters and the request. */
    private static final Map<String, Object> ANTHROPIC_DEFAULTS = Map.of("temperature", 1.0);

    private final ServerContext sc;

    MessagesRoute(ServerContext sc) {
        this.sc = sc;
    }

    @Override
    public void handle(RoutingContext rc) {
        MessagesRequest req = MessagesRequest.read(sc.requestBody(rc.body().buffer()), sc.limits(), true);
        RequestLog.model(rc, req.model());
        sc.findModel(req.model()).onSuccess(entry -> Guard.run(rc, () -> MessagesRun.start(sc, rc, entry, req,
                options(sc, entry, req)))).onFailure(rc::fail);
    }

    /** The request's options over the model's Modelfile parameters over Anthropic's defaults. */
    static RequestOptions options(ServerContext sc, CatalogModel entry, MessagesRequest req) {
        Map<String, Object> base = new LinkedHashMap<>(ANTHROPIC_DEFAULTS);
        base.putAll(entry.parameters());
        return sc.options().parse(base, req.options());
    }
}
