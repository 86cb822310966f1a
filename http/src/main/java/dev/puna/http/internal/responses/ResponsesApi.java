package dev.puna.http.internal.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.Responses;
import dev.puna.http.internal.ServerContext;
import dev.puna.http.internal.stateful.Lists;
import dev.puna.http.internal.stateful.NamedSse;
import dev.puna.http.internal.stateful.PathIds;
import dev.puna.http.internal.stateful.Replies;
import dev.puna.http.internal.stateful.StateService;
import dev.puna.http.internal.stateful.TurnRunner;
import dev.puna.runtime.CancellationToken;
import dev.puna.state.Collection;
import dev.puna.state.Document;
import dev.puna.state.Ids;
import dev.puna.state.PageRequest;
import dev.puna.state.Transaction;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OpenAI's Responses API ({@code /v1/responses}: create, streamed or not, in the background or not; retrieve,
 * delete, cancel, input items) and Conversations API ({@code /v1/conversations} and their items), on the same state
 * database and serving engine as the Assistants API. {@code previous_response_id} continues a stored response's
 * whole chain, tool calls and their outputs included; {@code conversation} continues a conversation's items and
 * appends the new ones.
 */
public final class ResponsesApi {
    private static final int MAX_CHAIN = 10_000;

    private final ServerContext sc;
    private final StateService state;
    private final TurnRunner turns;

    public ResponsesApi(ServerContext sc, StateService state, TurnRunner turns) {
        this.sc = sc;
        this.state = state;
        this.turns = turns;
        state.register(new BackgroundRecovery());
    }

    /** The bare paths (without {@code /v1}) whose errors are OpenAI's. */
    public static Set<String> barePaths() {
        return Set.of("/responses", "/conversations");
    }

    /** Adds the routes under {@code prefix} ({@code /v1} or {@code ""}). */
    public void register(Router router, String prefix) {
        String r = prefix + "/responses";
        router.route(HttpMethod.POST, r).handler(this::create);
        router.route(HttpMethod.GET, r + "/:response_id").handler(this::retrieve);
        router.route(HttpMethod.DELETE, r + "/:response_id").handler(this::delete);
        router.route(HttpMethod.POST, r + "/:response_id/cancel").handler(this::cancel);
        router.route(HttpMethod.GET, r + "/:response_id/input_items").handler(this::inputItems);
        new ConversationRoutes(state).register(router, prefix + "/conversations");
    }

    static String write(ObjectNode o) {
        return Replies.write(o);
    }

    static void respond(RoutingContext rc, Future<ObjectNode> result) {
        Replies.respond(rc, result);
    }

    static ApiException responseNotFound(String id) {
        return ApiException.notFound("Response with id '" + id + "' not found.");
    }

    /** What a response continues, and its own input, read against that history. */
    private record Prepared(List<ObjectNode> history, List<ObjectNode> input) {
    }

    private void create(RoutingContext rc) {
        JsonBody body = JsonBody.parse(rc.body().buffer());
        sc.limits().checkTools("tools", body.raw("tools"));
        ResponseRequest req = ResponseRequest.read(body);
        if (req.maxOutputTokens() != null) {
            sc.limits().checkNumPredict("max_output_tokens", req.maxOutputTokens());
        }
        boolean stateless = !req.store() && req.previousResponseId() == null && req.conversationId() == null;
        Future<Prepared> prepared = sc.findModel(req.model()).compose(model -> stateless
                ? Future.succeededFuture(new Prepared(List.of(), Items.read(req.input(), "input", null)))
                : state.read(tx -> prepare(tx, req)));
        prepared.onFailure(rc::fail).onSuccess(p -> {
            String id = Ids.next("resp");
            CancellationToken cancellation = new CancellationToken();
            if (!req.background()) {
                rc.response().closeHandler(v -> cancellation.cancel()); // the request is the response's only owner
                ResponseSink sink = req.stream() ? streamSink(rc) : ResponseSink.json(rc);
                new ResponseRun(state, req, ResponseObject.create(id, req, "in_progress"), p.history(), p.input(),
                        sink, cancellation).start(turns);
                return;
            }
            ObjectNode queued = ResponseObject.create(id, req, "queued");
            state.write(tx -> {
                tx.insert(Collection.RESPONSES, Document.of(id, null, queued));
                for (ObjectNode item : p.input()) {
                    tx.insert(Collection.RESPONSE_ITEMS, Document.of(item.path("id").asText(), id, item));
                }
                tx.claim(Collection.RESPONSES, id, state.nodeId(), state.leaseUntil());
                return queued;
            }).onFailure(rc::fail).onSuccess(stored -> {
                ResponseSink sink = ResponseSink.NONE;
                if (req.stream()) {
                    sink = streamSink(rc);
                    sink.event("response.created", ResponseRun.wrap(stored.deepCopy()));
                    sink.event("response.queued", ResponseRun.wrap(stored.deepCopy()));
                } else {
                    Responses.json(rc, 200, write(stored));
                }
                new ResponseRun(state, req, stored.deepCopy(), p.history(), p.input(), sink, cancellation)
                        .start(turns);
            });
        });
    }

    private static ResponseSink streamSink(RoutingContext rc) {
        NamedSse sse = new NamedSse(rc.response(), rc.vertx().getOrCreateContext());
        sse.open();
        return ResponseSink.stream(sse);
    }

    /** The history behind {@code req} (a chain of stored responses, or a conversation) and its input items. */
    private Prepared prepare(Transaction tx, ResponseRequest req) {
        List<ObjectNode> history = new ArrayList<>();
        if (req.previousResponseId() != null) {
            Deque<List<ObjectNode>> chain = new ArrayDeque<>();
            String id = req.previousResponseId();
            for (int depth = 0; id != null; depth++) {
                if (depth > MAX_CHAIN) {
                    throw ApiException.badParameter("previous_response_id", "the chain of previous responses is "
                            + "longer than " + MAX_CHAIN);
                }
                Document r = tx.get(Collection.RESPONSES, null, id).orElse(null);
                if (r == null) {
                    throw ResponseRequest.previousNotFound(req.previousResponseId());
                }
                String status = r.body().path("status").asText();
                if (status.equals("queued") || status.equals("in_progress")) {
                    throw ApiException.badParameter("previous_response_id", "Previous response with id '" + id
                            + "' is still " + status + ".");
                }
                List<ObjectNode> segment = new ArrayList<>();
                tx.all(Collection.RESPONSE_ITEMS, r.id()).forEach(d -> segment.add(d.body()));
                r.body().path("output").forEach(o -> segment.add((ObjectNode) o));
                chain.addFirst(segment);
                JsonNode prev = r.body().get("previous_response_id");
                id = prev == null || prev.isNull() ? null : prev.asText();
            }
            chain.forEach(history::addAll);
        } else if (req.conversationId() != null) {
            if (tx.get(Collection.CONVERSATIONS, null, req.conversationId()).isEmpty()) {
                throw ConversationRoutes.notFound(req.conversationId());
            }
            tx.all(Collection.CONVERSATION_ITEMS, req.conversationId()).forEach(d -> history.add(d.body()));
        }
        Map<String, ObjectNode> byId = new HashMap<>();
        history.forEach(i -> byId.put(i.path("id").asText(), i));
        return new Prepared(history, Items.read(req.input(), "input", byId::get));
    }

    private void retrieve(RoutingContext rc) {
        String id = rc.pathParam("response_id");
        if (rc.queryParam("stream").contains("true")) {
            throw ApiException.badParameter("stream", "streaming a stored response again is not supported: "
                    + "retrieve it without \"stream\"");
        }
        respond(rc, state.read(tx -> find(tx, id).body()));
    }

    private static Document find(Transaction tx, String id) {
        if (!PathIds.isWellFormed(id)) {
            throw responseNotFound(id);
        }
        return tx.get(Collection.RESPONSES, null, id).orElseThrow(() -> responseNotFound(id));
    }

    private void delete(RoutingContext rc) {
        String id = rc.pathParam("response_id");
        respond(rc, state.write(tx -> {
            Document r = find(tx, id);
            tx.delete(Collection.RESPONSES, null, id);
            return r;
        }).map(r -> {
            state.cancelLocal(id);
            ObjectNode o = JsonBody.MAPPER.createObjectNode();
            o.put("id", id);
            o.put("object", "response");
            o.put("deleted", true);
            return o;
        }));
    }

    private void cancel(RoutingContext rc) {
        String id = rc.pathParam("response_id");
        respond(rc, state.write(tx -> {
            if (!PathIds.isWellFormed(id)) {
                throw responseNotFound(id);
            }
            Document r = tx.lock(Collection.RESPONSES, null, id).orElseThrow(() -> responseNotFound(id));
            if (!r.body().path("background").asBoolean(false)) {
                throw ApiException.badRequest("Only responses created with background=true can be cancelled.");
            }
            String status = r.body().path("status").asText();
            switch (status) {
                case "queued", "in_progress" -> {
                    // The executing server stops it: this one at once, another when it polls.
                    r.body().put("status", "cancelled");
                    tx.update(Collection.RESPONSES, r);
                }
                case "cancelled" -> {
                }
                default -> throw ApiException.badRequest("Cannot cancel a response with status '" + status + "'.");
            }
            return r.body();
        }).map(body -> {
            state.cancelLocal(id);
            return body;
        }));
    }

    private void inputItems(RoutingContext rc) {
        String id = rc.pathParam("response_id");
        PageRequest page = Lists.page(rc, false);
        respond(rc, state.read(tx -> {
            find(tx, id);
            return Lists.envelope(tx.list(Collection.RESPONSE_ITEMS, id, page), Document::body);
        }));
    }

    /** Background responses whose server is gone are failed. */
    private static final class BackgroundRecovery implements StateService.Recovery {
        @Override
        public Collection collection() {
            return Collection.RESPONSES;
        }

        @Override
        public Set<String> executingStatuses() {
            return Set.of("queued", "in_progress");
        }

        @Override
        public String cancelStatus() {
            return "cancelled";
        }

        @Override
        public String expiringStatus() {
            return null;
        }

        @Override
        public void orphaned(Transaction tx, Document job, String why) {
            job.body().put("status", "failed");
            job.body().set("error", ResponseObject.error("server_error", why));
            tx.update(Collection.RESPONSES, job);
            tx.release(Collection.RESPONSES, job.id());
        }

        @Override
        public void expired(Transaction tx, Document job) {
        }
    }
}
