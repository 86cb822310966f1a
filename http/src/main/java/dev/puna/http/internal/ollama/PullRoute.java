package dev.puna.http.internal.ollama;

import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.RequestLog;
import dev.puna.http.internal.ServerContext;
import dev.puna.store.PullRequest;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /api/pull} {@code {model, insecure, stream}} (also Ollama's deprecated {@code name}, and
 * {@code username}/{@code password} for registries whose token service wants credentials): downloads the model
 * from the registry its name's host names, streaming Ollama's statuses ({@code pulling manifest},
 * {@code pulling <12 hex>} with {@code total}/{@code completed}, {@code verifying sha256 digest},
 * {@code writing manifest}, {@code success}). A client that disconnects stops the pull; the partial download is
 * kept and the next pull resumes it.
 */
final class PullRoute implements Handler<RoutingContext> {
    private final ServerContext sc;

    PullRoute(ServerContext sc) {
        this.sc = sc;
    }

    @Override
    public void handle(RoutingContext rc) {
        JsonBody body = JsonBody.parse(rc.body().buffer());
        String model = StoreFields.model(body);
        boolean insecure = StoreFields.insecure(body);
        boolean stream = OllamaFields.stream(body);
        PullRequest request = new PullRequest(model, insecure, body.string("username"), body.string("password"));
        RequestLog.model(rc, model);
        ProgressStream.start(sc, rc, stream, "pull", listener -> sc.store().registry().pull(request, listener));
    }
}
