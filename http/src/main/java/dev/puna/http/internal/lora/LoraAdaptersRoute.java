package dev.puna.http.internal.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.puna.http.CatalogModel;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.Errors;
import dev.puna.http.internal.Guard;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.ModelNames;
import dev.puna.http.internal.ModelScheduler;
import dev.puna.http.internal.RequestLog;
import dev.puna.http.internal.Responses;
import dev.puna.http.internal.ServerContext;
import dev.puna.runtime.LoraAdapter;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;

/**
 * llama-server's {@code GET /lora-adapters} (each adapter's {@code id}, {@code path} and global {@code scale}) and
 * {@code POST /lora-adapters} (a body {@code [{"id", "scale"}]} setting the global scales, unlisted adapters to 0;
 * answers {@code {"success": true}}). llama-server serves one model; Puna names it in the query,
 * {@code ?model=NAME}, or takes {@code PUNA_DEFAULT_MODEL}. Both load the model if it is not loaded (its adapters belong to a loaded instance, as in
 * llama-server, so global scales start again at 1 when the model is loaded anew). {@code path} is the adapter's
 * blob file name: the store's directories are not the client's business.
 */
public final class LoraAdaptersRoute {
    private final ServerContext sc;

    public LoraAdaptersRoute(ServerContext sc) {
        this.sc = sc;
    }

    /** {@code GET /lora-adapters?model=NAME}. */
    public void list(RoutingContext rc) {
        withLease(rc, lease -> {
            LoraScales lora = lease.lora();
            float[] scales = lora.global();
            ArrayNode out = JsonBody.MAPPER.createArrayNode();
            List<LoraAdapter> adapters = lora.adapters();
            for (int i = 0; i < adapters.size(); i++) {
                out.addObject().put("id", i).put("path", adapters.get(i).path().getFileName().toString())
                        .put("scale", scales[i]);
            }
            return out.toString();
        });
    }

    /** {@code POST /lora-adapters?model=NAME}. */
    public void set(RoutingContext rc) {
        JsonNode body = JsonBody.parseAny(rc.body().buffer());
        if (!body.isArray()) {
            throw ApiException.badRequest("the request body must be an array of {\"id\", \"scale\"} objects");
        }
        Map<Integer, Float> scales = LoraField.read(body, "body");
        withLease(rc, lease -> {
            lease.lora().setGlobal(scales);
            return "{\"success\":true}";
        });
    }

    private interface Step {
        String answer(ModelScheduler.Lease lease);
    }

    private void withLease(RoutingContext rc, Step step) {
        String name = rc.queryParams().get("model");
        if (name == null || name.isEmpty()) {
            name = sc.config().defaultModel();
        }
        if (name == null || name.isEmpty()) {
            throw ApiException.badParameter("model", "the model is required: /lora-adapters?model=NAME");
        }
        ModelNames.require(name);
        RequestLog.model(rc, name);
        sc.findModel(name).compose(this::lease).onComplete(leased -> Guard.run(rc, () -> {
            if (leased.failed()) {
                rc.fail(Errors.toApi(leased.cause()));
                return;
            }
            ModelScheduler.Lease lease = leased.result();
            try {
                Responses.json(rc, 200, step.answer(lease));
            } finally {
                lease.release();
            }
        }));
    }

    private Future<ModelScheduler.Lease> lease(CatalogModel model) {
        return sc.blocking(() -> sc.options().parse(model.parameters(), null).load())
                .compose(load -> sc.lease(model, load, sc.keepAlive(null)));
    }
}
