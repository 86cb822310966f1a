package dev.puna.http.internal.assistants;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.ModelNames;
import dev.puna.http.internal.stateful.Lists;
import dev.puna.http.internal.stateful.Metadata;
import dev.puna.state.Collection;
import dev.puna.state.Document;
import dev.puna.state.Ids;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/** {@code /v1/assistants}: create, list, retrieve, modify (a partial update) and delete. */
final class AssistantRoutes {
    private static final Set<String> FIELDS = Set.of("model", "name", "description", "instructions", "tools",
            "tool_resources", "metadata", "temperature", "top_p", "response_format", "reasoning_effort");

    private final AssistantsApi api;

    AssistantRoutes(AssistantsApi api) {
        this.api = api;
    }

    /** The fields of a create or modify request, checked; {@code null} for what it leaves out. */
    private record Input(String model, String name, String description, String instructions, ArrayNode tools,
                         ObjectNode metadata, Double temperature, Double topP, JsonNode responseFormat,
                         String reasoningEffort, JsonBody body) {
        static Input read(JsonBody b) {
            Fields.known(b, FIELDS, "");
            String model = b.string("model");
            if (model != null) {
                ModelNames.require(model);
            }
            Input in = new Input(model, Fields.text(b, "name", 256), Fields.text(b, "description", 512),
                    Fields.text(b, "instructions", 256_000), Fields.tools(b, "tools"),
                    Metadata.read(b, "metadata", "metadata"), Fields.range(b, "temperature", 0, 2),
                    Fields.range(b, "top_p", 0, 1), Fields.responseFormat(b), Fields.reasoningEffort(b), b);
            Fields.noToolResources(b, "tool_resources");
            return in;
        }

        /** Writes the given fields over {@code a}. */
        void apply(ObjectNode a) {
            if (model != null) {
                a.put("model", model);
            }
            for (String f : new String[] {"name", "description", "instructions"}) {
                if (body.node().has(f)) {
                    a.set(f, body.node().get(f));
                }
            }
            if (tools != null) {
                a.set("tools", tools);
            }
            if (metadata != null) {
                a.set("metadata", metadata);
            }
            if (temperature != null) {
                a.put("temperature", temperature);
            }
            if (topP != null) {
                a.put("top_p", topP);
            }
            if (responseFormat != null) {
                a.set("response_format", responseFormat);
            }
            if (reasoningEffort != null) {
                a.put("reasoning_effort", reasoningEffort);
            }
        }
    }

    void create(RoutingContext rc) {
        JsonBody body = JsonBody.parse(rc.body().buffer());
        api.sc().limits().checkTools("tools", body.raw("tools"));
        Input in = Input.read(body);
        if (in.model() == null) {
            throw ApiException.badParameter("model", "\"model\" is required");
        }
        AssistantsApi.respond(rc, api.sc().findModel(in.model()).compose(found -> {
            String id = Ids.next("asst");
            ObjectNode a = Shapes.object();
            a.put("id", id);
            a.put("object", "assistant");
            a.put("created_at", Shapes.createdAt(id));
            a.putNull("name");
            a.putNull("description");
            a.put("model", in.model());
            a.putNull("instructions");
            a.putArray("tools");
            a.set("metadata", Shapes.object());
            a.putNull("tool_resources");
            a.put("temperature", 1.0);
            a.put("top_p", 1.0);
            a.put("response_format", "auto");
            a.putNull("reasoning_effort");
            in.apply(a);
            return api.state().write(tx -> {
                tx.insert(Collection.ASSISTANTS, Document.of(id, null, a));
                return a;
            });
        }));
    }

    void list(RoutingContext rc) {
        var page = Lists.page(rc, false);
        AssistantsApi.respond(rc, api.state().read(tx -> Lists.envelope(tx.list(Collection.ASSISTANTS, null, page),
                Document::body)));
    }

    void retrieve(RoutingContext rc) {
        String id = rc.pathParam("assistant_id");
        AssistantsApi.respond(rc, api.state().read(tx -> AssistantsApi.require(tx, Collection.ASSISTANTS, null, id,
                "assistant").body()));
    }

    void modify(RoutingContext rc) {
        String id = rc.pathParam("assistant_id");
        JsonBody body = JsonBody.parse(rc.body().buffer());
        api.sc().limits().checkTools("tools", body.raw("tools"));
        Input in = Input.read(body);
        Future<?> model = in.model() == null ? Future.succeededFuture() : api.sc().findModel(in.model());
        AssistantsApi.respond(rc, model.compose(v -> api.state().write(tx -> {
            Document d = AssistantsApi.lock(tx, Collection.ASSISTANTS, null, id, "assistant");
            in.apply(d.body());
            tx.update(Collection.ASSISTANTS, d);
            return d.body();
        })));
    }

    void delete(RoutingContext rc) {
        String id = rc.pathParam("assistant_id");
        AssistantsApi.respond(rc, api.state().write(tx -> {
            AssistantsApi.require(tx, Collection.ASSISTANTS, null, id, "assistant");
            tx.delete(Collection.ASSISTANTS, null, id);
            return Shapes.deleted(id, "assistant.deleted");
        }));
    }
}
