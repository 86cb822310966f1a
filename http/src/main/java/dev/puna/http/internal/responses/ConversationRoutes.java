package dev.puna.http.internal.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.stateful.Lists;
import dev.puna.http.internal.stateful.Metadata;
import dev.puna.http.internal.stateful.PathIds;
import dev.puna.http.internal.stateful.StateService;
import dev.puna.state.Collection;
import dev.puna.state.Document;
import dev.puna.state.Ids;
import dev.puna.state.PageRequest;
import dev.puna.state.Transaction;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;

/**
 * {@code /v1/conversations}: create (with up to 20 items), retrieve, update its metadata, delete; and its items:
 * add (up to 20), list (newest first by default), retrieve, delete (which answers with the conversation). There is no
 * list of conversations, as in OpenAI's API.
 */
final class ConversationRoutes {
    static final int MAX_ITEMS = 20;

    private final StateService state;

    ConversationRoutes(StateService state) {
        this.state = state;
    }

    void register(Router router, String base) {
        router.route(HttpMethod.POST, base).handler(this::create);
        router.route(HttpMethod.GET, base + "/:conversation_id").handler(this::retrieve);
        router.route(HttpMethod.POST, base + "/:conversation_id").handler(this::update);
        router.route(HttpMethod.DELETE, base + "/:conversation_id").handler(this::delete);
        router.route(HttpMethod.POST, base + "/:conversation_id/items").handler(this::addItems);
        router.route(HttpMethod.GET, base + "/:conversation_id/items").handler(this::listItems);
        router.route(HttpMethod.GET, base + "/:conversation_id/items/:item_id").handler(this::retrieveItem);
        router.route(HttpMethod.DELETE, base + "/:conversation_id/items/:item_id").handler(this::deleteItem);
    }

    static ApiException notFound(String id) {
        return ApiException.notFound("Conversation with id '" + id + "' not found.");
    }

    private static Document find(Transaction tx, String id, boolean lock) {
        if (!PathIds.isWellFormed(id)) {
            throw notFound(id);
        }
        return (lock ? tx.lock(Collection.CONVERSATIONS, null, id) : tx.get(Collection.CONVERSATIONS, null, id))
                .orElseThrow(() -> notFound(id));
    }

    private static JsonBody body(RoutingContext rc) {
        return rc.body() == null || rc.body().length() == 0 ? JsonBody.of(JsonBody.MAPPER.createObjectNode(), "")
                : JsonBody.parse(rc.body().buffer());
    }

    private static void known(JsonBody b, Set<String> fields) {
        dev.puna.http.internal.stateful.Replies.knownFields(b, fields, "");
    }

    /** {@code items}: at most 20, read as Responses items; {@code required}: whether it must be there. */
    private static List<ObjectNode> items(JsonBody b, boolean required) {
        JsonNode v = b.raw("items");
        if (v == null) {
            if (required) {
                throw ApiException.badParameter("items", "\"items\" is required");
            }
            return List.of();
        }
        if (v.isArray() && v.size() > MAX_ITEMS) {
            throw ApiException.badParameter("items", "\"items\" may hold at most " + MAX_ITEMS + " items, got "
                    + v.size());
        }
        if (!v.isArray()) {
            throw ApiException.badParameter("items", "invalid value for \"items\": expected an array, got "
                    + JsonBody.describe(v));
        }
        return Items.read(v, "items", null);
    }

    private static void insertItems(Transaction tx, String conversationId, List<ObjectNode> items) {
        for (ObjectNode item : items) {
            String id = item.path("id").asText();
            if (tx.get(Collection.CONVERSATION_ITEMS, conversationId, id).isPresent()) {
                throw ApiException.badParameter("items", "the conversation already has an item with id '" + id + "'");
            }
            tx.insert(Collection.CONVERSATION_ITEMS, Document.of(id, conversationId, item));
        }
    }

    private void create(RoutingContext rc) {
        JsonBody b = body(rc);
        known(b, Set.of("items", "metadata"));
        List<ObjectNode> items = items(b, false);
        ObjectNode metadata = Metadata.orEmpty(b);
        ResponsesApi.respond(rc, state.write(tx -> {
            String id = Ids.next("conv");
            ObjectNode c = JsonBody.MAPPER.createObjectNode();
            c.put("id", id);
            c.put("object", "conversation");
            c.put("created_at", Ids.epochSeconds(Ids.seqOf(id)));
            c.set("metadata", metadata);
            tx.insert(Collection.CONVERSATIONS, Document.of(id, null, c));
            insertItems(tx, id, items);
            return c;
        }));
    }

    private void retrieve(RoutingContext rc) {
        String id = rc.pathParam("conversation_id");
        ResponsesApi.respond(rc, state.read(tx -> find(tx, id, false).body()));
    }

    private void update(RoutingContext rc) {
        String id = rc.pathParam("conversation_id");
        JsonBody b = JsonBody.parse(rc.body().buffer());
        known(b, Set.of("metadata"));
        ObjectNode metadata = Metadata.read(b, "metadata", "metadata");
        if (metadata == null) {
            throw ApiException.badParameter("metadata", "\"metadata\" is required");
        }
        ResponsesApi.respond(rc, state.write(tx -> {
            Document c = find(tx, id, true);
            c.body().set("metadata", metadata);
            tx.update(Collection.CONVERSATIONS, c);
            return c.body();
        }));
    }

    private void delete(RoutingContext rc) {
        String id = rc.pathParam("conversation_id");
        ResponsesApi.respond(rc, state.write(tx -> {
            find(tx, id, true);
            tx.delete(Collection.CONVERSATIONS, null, id);
            ObjectNode o = JsonBody.MAPPER.createObjectNode();
            o.put("id", id);
            o.put("object", "conversation.deleted");
            o.put("deleted", true);
            return o;
        }));
    }

    private void addItems(RoutingContext rc) {
        String id = rc.pathParam("conversation_id");
        JsonBody b = JsonBody.parse(rc.body().buffer());
        known(b, Set.of("items"));
        List<ObjectNode> items = items(b, true);
        ResponsesApi.respond(rc, state.write(tx -> {
            find(tx, id, true);
            insertItems(tx, id, items);
            return Lists.envelope(items, false);
        }));
    }

    private void listItems(RoutingContext rc) {
        String id = rc.pathParam("conversation_id");
        PageRequest page = Lists.page(rc, false);
        ResponsesApi.respond(rc, state.read(tx -> {
            find(tx, id, false);
            return Lists.envelope(tx.list(Collection.CONVERSATION_ITEMS, id, page), Document::body);
        }));
    }

    private void retrieveItem(RoutingContext rc) {
        String id = rc.pathParam("conversation_id");
        String itemId = rc.pathParam("item_id");
        ResponsesApi.respond(rc, state.read(tx -> {
            find(tx, id, false);
            return item(tx, id, itemId).body();
        }));
    }

    private static Document item(Transaction tx, String conversationId, String itemId) {
        ApiException missing = ApiException.notFound("Item with id '" + itemId + "' not found.");
        if (!PathIds.isWellFormed(itemId)) {
            throw missing;
        }
        return tx.get(Collection.CONVERSATION_ITEMS, conversationId, itemId).orElseThrow(() -> missing);
    }

    private void deleteItem(RoutingContext rc) {
        String id = rc.pathParam("conversation_id");
        String itemId = rc.pathParam("item_id");
        ResponsesApi.respond(rc, state.write(tx -> {
            Document c = find(tx, id, true);
            item(tx, id, itemId);
            tx.delete(Collection.CONVERSATION_ITEMS, id, itemId);
            return c.body();
        }));
    }
}
