package dev.puna.http.internal.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.CatalogModel;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.Guard;
import dev.puna.http.internal.ModelNames;
import dev.puna.http.internal.RequestLog;
import dev.puna.http.internal.Responses;
import dev.puna.http.internal.ServerContext;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;

/**
 * {@code GET /v1/models} ({@code {object:"list", data:[model...]}}) and {@code GET /v1/models/{id}}: each model of
 * the catalog as {@code {id, object:"model", created, owned_by}}, {@code owned_by} being the name's namespace
 * ({@code library} by default) and {@code created} when the model was last changed. An unknown (or malformed)
 * id is a 404 with code {@code model_not_found}.
 */
final class ModelsRoute {
    private final ServerContext sc;

    ModelsRoute(ServerContext sc) {
        this.sc = sc;
    }

    void list(RoutingContext rc) {
        sc.blocking(() -> {
            try {
                return sc.catalog().list();
            } catch (IOException e) {
                throw ApiException.internal("cannot read the model store: " + e.getMessage(), e);
            }
        }).onSuccess(models -> Guard.run(rc, () -> {
            ObjectNode o = OpenAiJson.object();
            o.put("object", "list");
            ArrayNode data = o.putArray("data");
            for (CatalogModel m : models) {
                data.add(OpenAiJson.model(m.name(), m));
            }
            Responses.json(rc, 200, OpenAiJson.write(o));
        })).onFailure(rc::fail);
    }

    /** {@code id} is the rest of the path: model names may hold '/' and ':'. */
    void get(RoutingContext rc, String id) {
        RequestLog.model(rc, id);
        if (!ModelNames.isValid(id)) {
            rc.fail(ApiException.modelNotFound(id));
            return;
        }
        sc.findModel(id).onSuccess(m -> Responses.json(rc, 200, OpenAiJson.write(OpenAiJson.model(id, m))))
                .onFailure(rc::fail);
    }
}
