package dev.puna.http.internal.ollama;

import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.RequestLog;
import dev.puna.http.internal.ServerContext;
import dev.puna.store.PushRequest;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /api/push} {@code {model, insecure, stream}} (also the deprecated {@code name}, and
 * {@code username}/{@code password}): uploads a local model to the registry its name's host names, e.g.
 * {@code localhost:5000/me/tiny:latest}, streaming {@code retrieving manifest}, {@code pushing <12 hex>} with
 * bytes, {@code pushing manifest}, {@code success}. A client that disconnects stops the push.
 */
final class PushRoute implements Handler<RoutingContext> {
    private final ServerContext sc;

    PushRoute(ServerContext sc) {
        this.sc = sc;
    }

    @Override
    public void handle(RoutingContext rc) {
        JsonBody body = JsonBody.parse(rc.body().buffer());
        String model = StoreFields.model(body);
        boolean insecure = StoreFields.insecure(body);
        boolean stream = OllamaFields.stream(body);
        PushRequest request = new PushRequest(model, insecure, body.string("username"), body.string("password"));
        RequestLog.model(rc, model);
        ProgressStream.start(sc, rc, stream, "push", listener -> {
            sc.store().store().resolve(model); // an unknown model is a 404 of its own, not an error line
            sc.store().registry().push(request, listener);
        });
    }
}
