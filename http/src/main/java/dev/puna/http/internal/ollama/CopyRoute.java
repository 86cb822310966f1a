package dev.puna.http.internal.ollama;

import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.RequestLog;
import dev.puna.http.internal.ServerContext;
import dev.puna.http.internal.StoreServices;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /api/copy} {@code {source, destination}}: the destination gets the source's manifest (same digest),
 * replacing any model of that name. 200 with an empty body, as Ollama answers; 404 for an unknown source.
 */
final class CopyRoute implements Handler<RoutingContext> {
    private final ServerContext sc;

    CopyRoute(ServerContext sc) {
        this.sc = sc;
    }

    @Override
    public void handle(RoutingContext rc) {
        StoreServices store = sc.store();
        JsonBody body = JsonBody.parse(rc.body().buffer());
        String source = StoreFields.name("source", body.string("source"));
        String destination = StoreFields.name("destination", body.string("destination"));
        RequestLog.model(rc, source);
        sc.blocking(() -> {
            store.store().copy(source, destination);
            return null;
        }).onSuccess(v -> rc.response().setStatusCode(200).end()).onFailure(rc::fail);
    }
}
