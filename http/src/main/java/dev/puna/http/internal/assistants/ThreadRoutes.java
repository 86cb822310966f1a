package dev.puna.http.internal.assistants;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.stateful.Lists;
import dev.puna.http.internal.stateful.Metadata;
import dev.puna.http.internal.stateful.PathIds;
import dev.puna.state.Collection;
import dev.puna.state.Document;
import dev.puna.state.Ids;
import dev.puna.state.Page;
import dev.puna.state.PageRequest;
import dev.puna.state.Transaction;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /v1/threads} (create with initial messages, retrieve, modify, delete with everything in them; there is no
 * list, as in OpenAI's API) and {@code /v1/threads/{thread_id}/messages} (create, list with a {@code run_id} filter,
 * retrieve, modify, delete). A thread with an active run takes no messages (400, as OpenAI answers).
 */
final class ThreadRoutes {
    private static final Set<String> THREAD_FIELDS = Set.of("messages", "metadata", "tool_resources");
    private static final Set<String> MESSAGE_FIELDS = Set.of("role", "content", "attachments", "metadata");
    /** OpenAI's cap on the messages a thread is created with. */
    static final int MAX_INITIAL_MESSAGES = 32;

    private final AssistantsApi api;

    ThreadRoutes(AssistantsApi api) {
        this.api = api;
    }

    /** A message to add, checked. */
    record NewMessage(String role, ArrayNode content, ObjectNode metadata) {
        static NewMessage read(JsonNode node, String path) {
            if (node == null || !node.isObject()) {
                throw ApiException.badParameter(path, "invalid value for \"" + path + "\": expected an object, got "
                        + JsonBody.describe(node));
            }
            JsonBody m = JsonBody.of((ObjectNode) node, path);
            Fields.known(m, MESSAGE_FIELDS, path);
            String role = m.string("role");
            String at = path.isEmpty() ? "" : path + ".";
            if (role == null) {
                throw ApiException.badParameter(at + "role", "\"" + at + "role\" is required");
            }
            if (!role.equals("user") && !role.equals("assistant")) {
                throw ApiException.badParameter(at + "role", "invalid value for \"" + at + "role\": expected \"user\" "
                        + "or \"assistant\", got \"" + role + "\"");
            }
            ArrayNode content = Fields.content(m.raw("content"), at + "content");
            Fields.noAttachments(m, at + "attachments");
            return new NewMessage(role, content, Metadata.read(m, "metadata", at + "metadata"));
        }

        Document toDocument(String threadId) {
            String id = Ids.next("msg");
            return Document.of(id, threadId, Shapes.message(id, threadId, role, content, null, null, "completed",
                    metadata));
        }
    }

    /** {@code messages} of a thread to create, checked ({@code field} as errors name it). */
    static List<NewMessage> initialMessages(JsonBody body, String field) {
        ArrayNode messages = body.array("messages");
        if (messages == null) {
            return List.of();
        }
        if (messages.size() > MAX_INITIAL_MESSAGES) {
            throw ApiException.badParameter(field, "\"" + field + "\" may hold at most " + MAX_INITIAL_MESSAGES
                    + " messages, got " + messages.size());
        }
        List<NewMessage> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            out.add(NewMessage.read(messages.get(i), field + "[" + i + "]"));
        }
        return out;
    }

    /** A new thread from a create body ({@code path} prefixes error names: {@code thread} in create-and-run). */
    static ObjectNode newThread(Transaction tx, JsonBody b, List<NewMessage> messages, ObjectNode metadata) {
        String id = Ids.next("thread");
        ObjectNode t = Shapes.thread(id, metadata == null ? Shapes.object() : metadata);
        tx.insert(Collection.THREADS, Document.of(id, null, t));
        for (NewMessage m : messages) {
            tx.insert(Collection.MESSAGES, m.toDocument(id));
        }
        return t;
    }

    /** Reads a thread-create body: its messages and metadata, checked. */
    record NewThread(List<NewMessage> messages, ObjectNode metadata, JsonBody body) {
        static NewThread read(JsonBody b, String path) {
            Fields.known(b, THREAD_FIELDS, path);
            String at = path.isEmpty() ? "" : path + ".";
            List<NewMessage> messages = initialMessages(b, at + "messages");
            ObjectNode metadata = Metadata.read(b, "metadata", at + "metadata");
            Fields.noToolResources(b, at + "tool_resources");
            return new NewThread(messages, metadata, b);
        }
    }

    void create(RoutingContext rc) {
        NewThread in = NewThread.read(rc.body().buffer() == null || rc.body().length() == 0
                ? JsonBody.of(JsonBody.MAPPER.createObjectNode(), "") : JsonBody.parse(rc.body().buffer()), "");
        AssistantsApi.respond(rc, api.state().write(tx -> newThread(tx, in.body(), in.messages(), in.metadata())));
    }

    void retrieve(RoutingContext rc) {
        String id = rc.pathParam("thread_id");
        AssistantsApi.respond(rc, api.state().read(tx -> AssistantsApi.require(tx, Collection.THREADS, null, id,
                "thread").body()));
    }

    void modify(RoutingContext rc) {
        String id = rc.pathParam("thread_id");
        JsonBody b = JsonBody.parse(rc.body().buffer());
        Fields.known(b, Set.of("metadata", "tool_resources"), "");
        ObjectNode metadata = Metadata.read(b, "metadata", "metadata");
        Fields.noToolResources(b, "tool_resources");
        AssistantsApi.respond(rc, api.state().write(tx -> {
            Document t = AssistantsApi.lock(tx, Collection.THREADS, null, id, "thread");
            if (metadata != null) {
                t.body().set("metadata", metadata);
            }
            tx.update(Collection.THREADS, t);
            return t.body();
        }));
    }

    void delete(RoutingContext rc) {
        String id = rc.pathParam("thread_id");
        AssistantsApi.respond(rc, api.state().write(tx -> {
            AssistantsApi.lock(tx, Collection.THREADS, null, id, "thread");
            List<String> active = new ArrayList<>();
            for (Document run : tx.all(Collection.RUNS, id)) {
                if (RunStates.EXECUTING.contains(RunStates.status(run))) {
                    active.add(run.id());
                }
            }
            tx.delete(Collection.THREADS, null, id);
            return active;
        }).map(active -> {
            active.forEach(api.state()::cancelLocal); // their writes then find nothing: the thread is gone
            return Shapes.deleted(id, "thread.deleted");
        }));
    }

    /** 400 when the thread has an active run: nothing may be added to it meanwhile. */
    static void requireNoActiveRun(Transaction tx, String threadId, boolean forRun) {
        Optional<Document> active = tx.firstWithStatus(Collection.RUNS, threadId, RunStates.ACTIVE);
        if (active.isPresent()) {
            throw ApiException.badRequest(forRun
                    ? "Thread " + threadId + " already has an active run " + active.get().id() + "."
                    : "Can't add messages to " + threadId + " while a run " + active.get().id() + " is active.");
        }
    }

    void createMessage(RoutingContext rc) {
        String threadId = rc.pathParam("thread_id");
        NewMessage in = NewMessage.read(JsonBody.parse(rc.body().buffer()).node(), "");
        AssistantsApi.respond(rc, api.state().write(tx -> {
            AssistantsApi.lock(tx, Collection.THREADS, null, threadId, "thread");
            requireNoActiveRun(tx, threadId, false);
            Document m = in.toDocument(threadId);
            tx.insert(Collection.MESSAGES, m);
            return m.body();
        }));
    }

    void listMessages(RoutingContext rc) {
        String threadId = rc.pathParam("thread_id");
        PageRequest page = Lists.page(rc, false);
        List<String> runIds = rc.queryParam("run_id");
        String runId = runIds.isEmpty() ? null : runIds.getFirst();
        if (runId != null && !PathIds.isWellFormed(runId)) {
            throw ApiException.badParameter("run_id", "invalid value for \"run_id\": expected a run id");
        }
        AssistantsApi.respond(rc, api.state().read(tx -> {
            AssistantsApi.require(tx, Collection.THREADS, null, threadId, "thread");
            Page p = runId == null ? tx.list(Collection.MESSAGES, threadId, page)
                    : tx.listByRun(threadId, runId, page);
            return Lists.envelope(p, Document::body);
        }));
    }

    void retrieveMessage(RoutingContext rc) {
        String threadId = rc.pathParam("thread_id");
        String id = rc.pathParam("message_id");
        AssistantsApi.respond(rc, api.state().read(tx -> {
            AssistantsApi.require(tx, Collection.THREADS, null, threadId, "thread");
            return AssistantsApi.require(tx, Collection.MESSAGES, threadId, id, "message").body();
        }));
    }

    void modifyMessage(RoutingContext rc) {
        String threadId = rc.pathParam("thread_id");
        String id = rc.pathParam("message_id");
        JsonBody b = JsonBody.parse(rc.body().buffer());
        Fields.known(b, Set.of("metadata"), "");
        ObjectNode metadata = Metadata.read(b, "metadata", "metadata");
        AssistantsApi.respond(rc, api.state().write(tx -> {
            AssistantsApi.require(tx, Collection.THREADS, null, threadId, "thread");
            Document m = AssistantsApi.lock(tx, Collection.MESSAGES, threadId, id, "message");
            if (metadata != null) {
                m.body().set("metadata", metadata);
            }
            tx.update(Collection.MESSAGES, m);
            return m.body();
        }));
    }

    void deleteMessage(RoutingContext rc) {
        String threadId = rc.pathParam("thread_id");
        String id = rc.pathParam("message_id");
        AssistantsApi.respond(rc, api.state().write(tx -> {
            AssistantsApi.require(tx, Collection.THREADS, null, threadId, "thread");
            AssistantsApi.require(tx, Collection.MESSAGES, threadId, id, "message");
            tx.delete(Collection.MESSAGES, threadId, id);
            return Shapes.deleted(id, "thread.message.deleted");
        }));
    }
}
