package dev.puna.http.internal.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.Errors;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.stateful.StateService;
import dev.puna.http.internal.stateful.Truncation;
import dev.puna.http.internal.stateful.Turn;
import dev.puna.http.internal.stateful.TurnListener;
import dev.puna.http.internal.stateful.TurnOutcome;
import dev.puna.http.internal.stateful.TurnRunner;
import dev.puna.runtime.CancellationToken;
import dev.puna.runtime.chat.ChatMessage;
import dev.puna.runtime.tools.ParsedToolCall;
import dev.puna.runtime.tools.ToolCallEvent;
import dev.puna.runtime.tools.ToolSpec;
import dev.puna.state.Collection;
import dev.puna.state.Document;
import dev.puna.state.Ids;
import dev.puna.state.Transaction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One response from its turn to its stored end: the history (a previous response's chain or a conversation's items)
 * and the input rendered as one {@link Turn}, the reply turned into output items (an assistant message, function
 * calls) as it streams, then, in one transaction, the response stored with its input items (with {@code store}) and
 * the input and output appended to its conversation. The tool loop has no waiting state here: a reply with calls
 * completes, and the client sends the outputs in a next response.
 *
 * <p>Used on one Vert.x context.
 */
final class ResponseRun implements TurnListener {
    private static final Logger LOG = LogManager.getLogger(ResponseRun.class);

    private final StateService state;
    private final ResponseRequest req;
    private final ObjectNode response;
    private final List<ObjectNode> history;
    private final List<ObjectNode> input;
    private final ResponseSink sink;
    private final CancellationToken cancellation;
    private final ArrayNode output;
    /** Function call items by their index in the reply. */
    private final Map<Integer, ObjectNode> calls = new HashMap<>();
    private final Map<Integer, Integer> callOutputIndex = new HashMap<>();
    private ObjectNode message;
    private int messageIndex;
    private final StringBuilder text = new StringBuilder();
    private boolean streamedAnything;

    ResponseRun(StateService state, ResponseRequest req, ObjectNode response, List<ObjectNode> history,
                List<ObjectNode> input, ResponseSink sink, CancellationToken cancellation) {
        this.state = state;
        this.req = req;
        this.response = response;
        this.history = history;
        this.input = input;
        this.sink = sink;
        this.cancellation = cancellation;
        this.output = (ArrayNode) response.get("output");
    }

    String id() {
        return response.path("id").asText();
    }

    /**
     * Starts the turn. A background response (whose {@code response.created} and {@code response.queued} went out
     * when it was queued) first moves from queued to in progress.
     */
    void start(TurnRunner turns) {
        if (!req.background()) {
            sink.event("response.created", wrap(response.deepCopy()));
            begin(turns);
            return;
        }
        state.track(id(), cancellation::cancel);
        state.write(tx -> {
            Optional<Document> d = tx.lock(Collection.RESPONSES, null, id());
            if (d.isEmpty() || !d.get().body().path("status").asText().equals("queued")) {
                return false;
            }
            d.get().body().put("status", "in_progress");
            tx.update(Collection.RESPONSES, d.get());
            tx.claim(Collection.RESPONSES, id(), state.nodeId(), state.leaseUntil());
            return true;
        }).onComplete(ar -> {
            if (ar.failed() || !ar.result()) {
                state.untrack(id());
                if (ar.failed()) {
                    LOG.error("response {} could not start", id(), ar.cause());
                }
                sink.finish(response);
                return;
            }
            response.put("status", "in_progress");
            begin(turns);
        });
    }

    private void begin(TurnRunner turns) {
        sink.event("response.in_progress", wrap(response.deepCopy()));
        List<ChatMessage> messages = new ArrayList<>();
        if (req.instructions() != null && !req.instructions().isEmpty()) {
            messages.add(ChatMessage.system(req.instructions()));
        }
        List<ObjectNode> all = new ArrayList<>(history);
        all.addAll(input);
        messages.addAll(Items.toChat(all));
        turns.start(new Turn(req.model(), messages, ToolSpec.listFrom(req.chatTools()), req.chatTools(),
                req.toolChoice(), req.parallelToolCalls(), req.answer(), req.temperature(), req.topP(),
                req.maxOutputTokens() == null ? -1 : req.maxOutputTokens(), -1,
                req.truncationAuto() ? new Truncation.Auto() : new Truncation.Disabled(), cancellation), this);
    }

    static ObjectNode wrap(ObjectNode response) {
        ObjectNode o = JsonBody.MAPPER.createObjectNode();
        o.set("response", response);
        return o;
    }

    // ---- the reply as it streams ----

    @Override
    public void onEvent(ToolCallEvent event) {
        streamedAnything = true;
        switch (event) {
            case ToolCallEvent.Content c -> {
                openMessage();
                text.append(c.text());
                ObjectNode d = partRef(message, messageIndex);
                d.put("delta", c.text());
                d.putArray("logprobs");
                sink.event("response.output_text.delta", d);
            }
            case ToolCallEvent.CallStarted c -> {
                closeMessage();
                ObjectNode item = JsonBody.MAPPER.createObjectNode();
                item.put("type", "function_call");
                item.put("id", Ids.next("fc"));
                item.put("call_id", c.id());
                item.put("name", c.name());
                item.put("arguments", "");
                item.put("status", "in_progress");
                int index = output.size();
                output.add(item);
                calls.put(c.index(), item);
                callOutputIndex.put(c.index(), index);
                ObjectNode e = JsonBody.MAPPER.createObjectNode();
                e.put("output_index", index);
                e.set("item", item.deepCopy());
                sink.event("response.output_item.added", e);
            }
            case ToolCallEvent.ArgumentsDelta a -> {
                ObjectNode item = calls.get(a.index());
                if (item == null) {
                    return;
                }
                item.put("arguments", item.path("arguments").asText() + a.text());
                ObjectNode e = JsonBody.MAPPER.createObjectNode();
                e.put("item_id", item.path("id").asText());
                e.put("output_index", callOutputIndex.get(a.index()));
                e.put("delta", a.text());
                sink.event("response.function_call_arguments.delta", e);
            }
            case ToolCallEvent.CallEnded c -> {
                ObjectNode item = calls.get(c.call().index());
                if (item == null) {
                    return;
                }
                ParsedToolCall call = c.call();
                item.put("arguments", call.arguments());
                item.put("status", call.complete() ? "completed" : "incomplete");
                int index = callOutputIndex.get(call.index());
                ObjectNode e = JsonBody.MAPPER.createObjectNode();
                e.put("item_id", item.path("id").asText());
                e.put("output_index", index);
                e.put("arguments", call.arguments());
                sink.event("response.function_call_arguments.done", e);
                ObjectNode done = JsonBody.MAPPER.createObjectNode();
                done.put("output_index", index);
                done.set("item", item.deepCopy());
                sink.event("response.output_item.done", done);
            }
        }
    }

    private static ObjectNode partRef(ObjectNode item, int outputIndex) {
        ObjectNode d = JsonBody.MAPPER.createObjectNode();
        d.put("item_id", item.path("id").asText());
        d.put("output_index", outputIndex);
        d.put("content_index", 0);
        return d;
    }

    private void openMessage() {
        if (message != null) {
            return;
        }
        message = JsonBody.MAPPER.createObjectNode();
        message.put("type", "message");
        message.put("id", Ids.next("msg"));
        message.put("status", "in_progress");
        message.put("role", "assistant");
        message.putArray("content");
        messageIndex = output.size();
        output.add(message);
        ObjectNode added = JsonBody.MAPPER.createObjectNode();
        added.put("output_index", messageIndex);
        added.set("item", message.deepCopy());
        sink.event("response.output_item.added", added);
        ObjectNode part = partRef(message, messageIndex);
        part.set("part", textPart(""));
        sink.event("response.content_part.added", part);
    }

    private static ObjectNode textPart(String text) {
        ObjectNode p = JsonBody.MAPPER.createObjectNode();
        p.put("type", "output_text");
        p.put("text", text);
        p.putArray("annotations");
        return p;
    }

    /** Ends the open message: its text done, its part done, the item done. */
    private void closeMessage() {
        if (message == null || !message.path("status").asText().equals("in_progress")) {
            return;
        }
        String full = text.toString();
        message.put("status", "completed");
        ((ArrayNode) message.get("content")).removeAll().add(textPart(full));
        ObjectNode done = partRef(message, messageIndex);
        done.put("text", full);
        done.putArray("logprobs");
        sink.event("response.output_text.done", done);
        ObjectNode partDone = partRef(message, messageIndex);
        partDone.set("part", textPart(full));
        sink.event("response.content_part.done", partDone);
        ObjectNode itemDone = JsonBody.MAPPER.createObjectNode();
        itemDone.put("output_index", messageIndex);
        itemDone.set("item", message.deepCopy());
        sink.event("response.output_item.done", itemDone);
    }

    // ---- the end ----

    @Override
    public void onEnd(TurnOutcome outcome) {
        if (outcome.cancelled() && !req.background()) {
            return; // the client went away: nothing to answer, nothing to store
        }
        if (outcome.toolCalls().isEmpty() && message == null && !outcome.cancelled()) {
            openMessage(); // an empty reply is still a message
        }
        closeMessage();
        long now = ResponseObject.now();
        if (outcome.cancelled()) {
            response.put("status", state.closing() ? "failed" : "cancelled");
            if (state.closing()) {
                response.set("error", ResponseObject.error("server_error", "The server shut down while the response "
                        + "was in progress."));
            }
        } else if (outcome.cutOff()) {
            response.put("status", "incomplete");
            response.putObject("incomplete_details").put("reason", "max_output_tokens");
        } else {
            response.put("status", "completed");
            response.put("completed_at", now);
        }
        response.set("usage", ResponseObject.usage(outcome.promptTokens(), outcome.cachedTokens(),
                outcome.completionTokens()));
        store();
    }

    @Override
    public void onFailure(Throwable error) {
        ApiException api = Errors.toApi(error);
        if (!req.background() && !streamedAnything) {
            sink.fail(api); // nothing happened: the request failed, as a chat completion would
            return;
        }
        closeMessage();
        response.put("status", "failed");
        response.set("error", ResponseObject.error(api.status() >= 500 ? "server_error" : "invalid_prompt",
                api.getMessage()));
        store();
    }

    /** Stores what the response became, then tells the client. */
    private void store() {
        if (!req.store() && req.conversationId() == null) {
            sink.finish(response);
            return;
        }
        state.write(this::persist).onComplete(ar -> {
            state.untrack(id());
            if (ar.failed()) {
                LOG.error("response {} could not be stored", id(), ar.cause());
                sink.fail(Errors.toApi(ar.cause()));
                return;
            }
            sink.finish(ar.result());
        });
    }

    private ObjectNode persist(Transaction tx) {
        ObjectNode stored = response;
        if (req.background()) {
            Optional<Document> d = tx.lock(Collection.RESPONSES, null, id());
            if (d.isEmpty()) {
                return response; // deleted meanwhile
            }
            if (d.get().body().path("status").asText().equals("cancelled")) {
                // Cancelled while it ran: it stays cancelled, with what it had written.
                response.put("status", "cancelled");
                response.putNull("completed_at");
            }
            tx.update(Collection.RESPONSES, d.get().withBody(stored));
            tx.release(Collection.RESPONSES, id());
        } else if (req.store()) {
            tx.insert(Collection.RESPONSES, Document.of(id(), null, stored));
            for (ObjectNode item : input) {
                tx.insert(Collection.RESPONSE_ITEMS, Document.of(item.path("id").asText(), id(), item));
            }
        }
        if (req.conversationId() != null) {
            if (tx.lock(Collection.CONVERSATIONS, null, req.conversationId()).isPresent()) {
                List<JsonNode> appended = new ArrayList<>(input);
                output.forEach(appended::add);
                for (JsonNode item : appended) {
                    String itemId = item.path("id").asText();
                    if (tx.get(Collection.CONVERSATION_ITEMS, req.conversationId(), itemId).isEmpty()) {
                        tx.insert(Collection.CONVERSATION_ITEMS, Document.of(itemId, req.conversationId(),
                                (ObjectNode) item));
                    }
                }
            }
        }
        return stored;
    }
}
