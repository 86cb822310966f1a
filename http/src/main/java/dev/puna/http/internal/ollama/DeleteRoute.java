package dev.puna.http.internal.ollama;

import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.RequestLog;
import dev.puna.http.internal.ServerContext;
import dev.puna.http.internal.StoreServices;
import dev.puna.store.CorruptModelException;
import dev.puna.store.ModelName;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code DELETE /api/delete} {@code {model}} (or the deprecated {@code name}): removes the model from the store
 * (its blobs too, unless another model uses them) and unloads it if it is loaded: at once when idle, else when
 * its running requests end. 200 with an empty body; 404 for an unknown model; 403 for one that lives in the
 * read-only Ollama store.
 */
final class DeleteRoute implements Handler<RoutingContext> {
    private final ServerContext sc;

    DeleteRoute(ServerContext sc) {
        this.sc = sc;
    }

    @Override
    public void handle(RoutingContext rc) {
        StoreServices store = sc.store();
        String model = StoreFields.model(JsonBody.parse(rc.body().buffer()));
        RequestLog.model(rc, model);
        sc.blocking(() -> {
            // The name the scheduler knows the model by: its stored spelling, as the catalog reports it.
            String loadedAs;
            try {
                loadedAs = store.store().resolve(model).name().displayShortest();
            } catch (CorruptModelException e) {
                loadedAs = ModelName.parse(model).displayShortest();
            }
            store.store().delete(model);
            return loadedAs;
        }).onSuccess(name -> {
            sc.scheduler().unload(name);
            rc.response().setStatusCode(200).end();
        }).onFailure(rc::fail);
    }
}
