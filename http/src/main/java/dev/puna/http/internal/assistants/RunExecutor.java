package dev.puna.http.internal.assistants;

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
import dev.puna.runtime.chat.ToolCall;
import dev.puna.runtime.tools.ParsedToolCall;
import dev.puna.runtime.tools.ToolCallEvent;
import dev.puna.runtime.tools.ToolChoice;
import dev.puna.runtime.tools.ToolSpec;
import dev.puna.state.Collection;
import dev.puna.state.Document;
import dev.puna.state.Ids;
import dev.puna.state.Transaction;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Executes runs on this server: takes a queued run (claimed by this process in the transaction that queued it),
 * renders its thread through the model's chat template as one {@link Turn} on the shared engine, and records what the
 * model does as OpenAI's steps and messages, streaming the events to the client that asked for them.
 *
 * <p>Persistence follows the events: the step and message a reply opens are written when they open, and the end of a
 * turn (message text, step usage, the run's new status and usage) is one transaction, committed before the terminal
 * event is sent, so a client that reads the thread after {@code thread.run.completed} sees the answer. A client that
 * disconnects does not stop a run; cancelling does, within one decode step ({@link StateService#cancelLocal}, or the
 * fleet's cancellation polling).
 */
final class RunExecutor {
    private static final Logger LOG = LogManager.getLogger(RunExecutor.class);

    private final StateService state;
    private final TurnRunner turns;

    RunExecutor(StateService state, TurnRunner turns) {
        this.state = state;
        this.turns = turns;
    }

    /** Executes run {@code runId} of {@code threadId}, sending its events to {@code sink}. Call on a Vert.x context. */
    void start(String threadId, String runId, RunSink sink) {
        new Execution(threadId, runId, sink).begin();
    }

    /** What the run needs from the database to render its turn. */
    private record Snapshot(Document run, List<Document> messages, List<Document> steps, boolean cancelled) {
    }

    /** One execution of one run, from queued to its next resting state. Used on one context. */
    private final class Execution implements TurnListener {
        private final String threadId;
        private final String runId;
        private final RunSink sink;
        private final CancellationToken cancellation = new CancellationToken();
        /** The writes made as the reply goes, in order. */
        private Future<?> writes = Future.succeededFuture();
        private Document run;
        private Document message;
        private Document messageStep;
        private Document toolStep;
        private final StringBuilder text = new StringBuilder();
        /** Whether the message's closing events went out already (it closed when a tool call began). */
        private boolean messageEventsSent;

        Execution(String threadId, String runId, RunSink sink) {
            this.threadId = threadId;
            this.runId = runId;
            this.sink = sink;
        }

        void begin() {
            state.track(runId, cancellation::cancel);
            state.write(this::claim).onComplete(ar -> {
                if (ar.failed()) {
                    LOG.error("run {} could not start", runId, ar.cause());
                    end(null);
                    return;
                }
                Snapshot s = ar.result();
                if (s == null) {
                    end(null); // no longer queued: cancelled, deleted or taken by another server
                    return;
                }
                run = s.run();
                if (s.cancelled()) {
                    end(run);
                    return;
                }
                sink.event("thread.run.in_progress", run.body());
                Turn turn;
                try {
                    turn = turn(s);
                } catch (RuntimeException e) {
                    onFailure(e);
                    return;
                }
                if (turn == null) {
                    finishIncomplete("max_completion_tokens");
                    return;
                }
                turns.start(turn, this);
            });
        }

        /** Takes the run from queued to in progress, with what its turn needs. */
        private Snapshot claim(Transaction tx) {
            Optional<Document> found = tx.lock(Collection.RUNS, threadId, runId);
            if (found.isEmpty()) {
                return null;
            }
            Document r = found.get();
            String status = RunStates.status(r);
            if (status.equals("cancelling")) {
                RunStates.cancel(tx, r);
                return new Snapshot(r, List.of(), List.of(), true);
            }
            if (!status.equals("queued")) {
                return null;
            }
            ObjectNode b = r.body();
            b.put("status", "in_progress");
            if (b.path("started_at").isNull() || b.path("started_at").isMissingNode()) {
                b.put("started_at", Shapes.now());
            }
            tx.update(Collection.RUNS, r);
            tx.claim(Collection.RUNS, runId, state.nodeId(), state.leaseUntil());
            return new Snapshot(r, tx.all(Collection.MESSAGES, threadId), tx.all(Collection.RUN_STEPS, runId), false);
        }

        /** The run's next model call, or {@code null} when its completion budget is spent. */
        private Turn turn(Snapshot s) {
            ObjectNode r = s.run().body();
            List<ChatMessage> messages = new ArrayList<>();
            String instructions = r.path("instructions").asText("");
            if (!instructions.isEmpty()) {
                messages.add(ChatMessage.system(instructions));
            }
            messages.addAll(conversation(s));
            int used = 0;
            boolean calledTools = false;
            for (Document step : s.steps()) {
                used += step.body().path("usage").path("completion_tokens").asInt(0);
                calledTools |= step.body().path("type").asText().equals("tool_calls");
            }
            int maxTokens = -1;
            if (r.path("max_completion_tokens").isInt()) {
                maxTokens = r.path("max_completion_tokens").asInt() - used;
                if (maxTokens <= 0) {
                    return null;
                }
            }
            ArrayNode tools = r.path("tools").isArray() ? (ArrayNode) r.get("tools") : JsonBody.MAPPER.createArrayNode();
            ToolChoice choice = Fields.toolChoiceOf(r.get("tool_choice"));
            // A forced choice makes the run's first call; once the outputs are in, the model answers freely.
            if (calledTools && !(choice instanceof ToolChoice.None)) {
                choice = ToolChoice.auto();
            }
            JsonNode ts = r.path("truncation_strategy");
            Truncation truncation = ts.path("type").asText("auto").equals("last_messages")
                    ? new Truncation.LastMessages(ts.path("last_messages").asInt(1)) : new Truncation.Auto();
            return new Turn(r.path("model").asText(), messages, ToolSpec.listFrom(tools), tools, choice,
                    r.path("parallel_tool_calls").asBoolean(true), Fields.answerFormat(r.get("response_format")),
                    number(r, "temperature"), number(r, "top_p"), maxTokens,
                    r.path("max_prompt_tokens").isInt() ? r.path("max_prompt_tokens").asInt() : -1, truncation,
                    cancellation);
        }

        private static Double number(ObjectNode o, String field) {
            JsonNode v = o.get(field);
            return v != null && v.isNumber() ? v.doubleValue() : null;
        }

        /**
         * The thread as chat messages: every message in order, with this run's tool calls and their outputs where
         * they happened (a call joins the assistant text written just before it in the same run).
         */
        private List<ChatMessage> conversation(Snapshot s) {
            record Entry(long seq, Document doc, boolean isStep) {
            }
            List<Entry> entries = new ArrayList<>();
            s.messages().forEach(m -> entries.add(new Entry(m.seq(), m, false)));
            for (Document step : s.steps()) {
                if (step.body().path("type").asText().equals("tool_calls")
                        && step.body().path("status").asText().equals("completed")) {
                    entries.add(new Entry(step.seq(), step, true));
                }
            }
            entries.sort(Comparator.comparingLong(Entry::seq));
            List<ChatMessage> out = new ArrayList<>();
            for (Entry e : entries) {
                ObjectNode b = e.doc().body();
                if (!e.isStep()) {
                    out.add(new ChatMessage(b.path("role").asText(), Fields.plainText(b.path("content")), List.of(),
                            null, null));
                    continue;
                }
                List<ToolCall> calls = new ArrayList<>();
                List<ChatMessage> results = new ArrayList<>();
                for (JsonNode call : b.path("step_details").path("tool_calls")) {
                    JsonNode fn = call.path("function");
                    calls.add(new ToolCall(call.path("id").asText(), fn.path("name").asText(),
                            dev.puna.http.internal.stateful.Replies.arguments(fn.path("arguments").asText("{}"))));
                    results.add(ChatMessage.tool(fn.path("output").asText(""), call.path("id").asText(),
                            fn.path("name").asText()));
                }
                ChatMessage last = out.isEmpty() ? null : out.getLast();
                if (last != null && last.role().equals("assistant") && last.toolCalls().isEmpty()) {
                    out.set(out.size() - 1, ChatMessage.assistant(last.content(), calls));
                } else {
                    out.add(ChatMessage.assistant("", calls));
                }
                out.addAll(results);
            }
            return out;
        }

        // ---- the reply as it streams ----

        @Override
        public void onEvent(ToolCallEvent event) {
            switch (event) {
                case ToolCallEvent.Content c -> {
                    if (toolStep != null) {
                        return; // one open step at a time: text after the calls is not a message of its own
                    }
                    openMessage();
                    text.append(c.text());
                    sink.event("thread.message.delta", messageDelta(c.text()));
                }
                case ToolCallEvent.CallStarted c -> {
                    closeMessageBeforeCall();
                    openToolStep();
                    ObjectNode call = JsonBody.MAPPER.createObjectNode();
                    call.put("index", c.index());
                    call.put("id", c.id());
                    call.put("type", "function");
                    ObjectNode fn = call.putObject("function");
                    fn.put("name", c.name());
                    fn.put("arguments", "");
                    fn.putNull("output");
                    sink.event("thread.run.step.delta", stepDelta(call));
                }
                case ToolCallEvent.ArgumentsDelta a -> {
                    ObjectNode call = JsonBody.MAPPER.createObjectNode();
                    call.put("index", a.index());
                    call.putObject("function").put("arguments", a.text());
                    sink.event("thread.run.step.delta", stepDelta(call));
                }
                case ToolCallEvent.CallEnded c -> {
                }
            }
        }

        private ObjectNode messageDelta(String chunk) {
            ObjectNode d = JsonBody.MAPPER.createObjectNode();
            d.put("id", message.id());
            d.put("object", "thread.message.delta");
            ObjectNode part = d.putObject("delta").putArray("content").addObject();
            part.put("index", 0);
            part.put("type", "text");
            part.putObject("text").put("value", chunk);
            return d;
        }

        private ObjectNode stepDelta(ObjectNode call) {
            ObjectNode d = JsonBody.MAPPER.createObjectNode();
            d.put("id", toolStep.id());
            d.put("object", "thread.run.step.delta");
            ObjectNode details = d.putObject("delta").putObject("step_details");
            details.put("type", "tool_calls");
            details.putArray("tool_calls").add(call);
            return d;
        }

        private void openMessage() {
            if (message != null) {
                return;
            }
            String messageId = Ids.next("msg");
            messageStep = stepDocument(Shapes.messageCreation(messageId));
            ObjectNode m = Shapes.message(messageId, threadId, "assistant", JsonBody.MAPPER.createArrayNode(),
                    run.body().path("assistant_id").asText(), runId, "in_progress", null);
            message = Document.of(messageId, threadId, m);
            Document step = messageStep;
            Document msg = message;
            persist(tx -> {
                tx.insert(Collection.RUN_STEPS, step);
                tx.insert(Collection.MESSAGES, msg);
                return null;
            });
            sink.event("thread.run.step.created", messageStep.body());
            sink.event("thread.run.step.in_progress", messageStep.body());
            sink.event("thread.message.created", message.body());
            sink.event("thread.message.in_progress", message.body());
        }

        private Document stepDocument(ObjectNode details) {
            String stepId = Ids.next("step");
            return Document.of(stepId, runId, Shapes.step(stepId, run.body(), details));
        }

        /** Text written before a tool call is a message of its own, complete once the call begins. */
        private void closeMessageBeforeCall() {
            if (message == null || !message.body().path("status").asText().equals("in_progress")) {
                return;
            }
            completeMessage("completed", null);
            messageStep.body().set("usage", Shapes.usage(0, 0));
            Document step = messageStep;
            Document msg = message;
            persist(tx -> {
                tx.update(Collection.MESSAGES, msg);
                tx.update(Collection.RUN_STEPS, step);
                return null;
            });
            sink.event("thread.message.completed", message.body());
            sink.event("thread.run.step.completed", messageStep.body());
            messageEventsSent = true;
        }

        private void completeMessage(String status, String incompleteReason) {
            long now = Shapes.now();
            ObjectNode m = message.body();
            ArrayNode content = m.putArray("content");
            content.add(Fields.textPart(text.toString()));
            if (incompleteReason == null) {
                m.put("status", status);
                m.put("completed_at", now);
            } else {
                RunStates.incomplete(m, incompleteReason, now);
            }
            ObjectNode s = messageStep.body();
            s.put("status", "completed");
            s.put("completed_at", now);
        }

        private void openToolStep() {
            if (toolStep != null) {
                return;
            }
            toolStep = stepDocument(Shapes.toolCalls());
            Document step = toolStep;
            persist(tx -> {
                tx.insert(Collection.RUN_STEPS, step);
                return null;
            });
            sink.event("thread.run.step.created", toolStep.body());
            sink.event("thread.run.step.in_progress", toolStep.body());
        }

        private void persist(Function<Transaction, ?> write) {
            writes = writes.transform(ar -> state.write(write)).onFailure(e ->
                    LOG.warn("run {}: a write failed ({}); the run's end writes its state again", runId, e.toString()));
        }

        // ---- the end of the turn ----

        @Override
        public void onEnd(TurnOutcome outcome) {
            if (outcome.cancelled()) {
                finish(tx -> {
                    Document r = tx.lock(Collection.RUNS, threadId, runId).orElse(null);
                    if (r == null) {
                        return null;
                    }
                    writeOpen(tx);
                    if (state.closing()) {
                        RunStates.fail(tx, r, "server_error", "The server shut down while the run was in progress.");
                    } else {
                        RunStates.cancel(tx, r);
                    }
                    return r;
                });
                return;
            }
            if (outcome.promptTooLong()) {
                finishIncomplete("max_prompt_tokens");
                return;
            }
            List<ParsedToolCall> calls = outcome.toolCalls();
            boolean callsComplete = !calls.isEmpty() && calls.stream().allMatch(ParsedToolCall::complete);
            ObjectNode usage = Shapes.usage(outcome.promptTokens(), outcome.completionTokens());
            if (callsComplete) {
                finish(tx -> requireAction(tx, calls, usage));
                return;
            }
            boolean cutOff = outcome.cutOff();
            if (toolStep == null) {
                openMessage();
            }
            finish(tx -> {
                Document r = tx.lock(Collection.RUNS, threadId, runId).orElse(null);
                if (r == null) {
                    return null;
                }
                if (toolStep != null) {
                    // Cut off inside a call: the partial call is kept, the step ends with the run.
                    setCalls(toolStep, calls);
                    toolStep.body().put("status", "completed");
                    toolStep.body().put("completed_at", Shapes.now());
                    toolStep.body().set("usage", usage);
                } else {
                    completeMessage("completed", cutOff ? "max_tokens" : null);
                    messageStep.body().set("usage", usage);
                }
                writeOpen(tx);
                if (RunStates.status(r).equals("cancelling")) {
                    RunStates.cancel(tx, r);
                    return r;
                }
                ObjectNode b = r.body();
                if (cutOff) {
                    b.put("status", "incomplete");
                    b.putObject("incomplete_details").put("reason", "max_completion_tokens");
                } else {
                    b.put("status", "completed");
                    b.put("completed_at", Shapes.now());
                }
                b.putNull("expires_at");
                RunStates.finish(tx, r);
                return r;
            });
        }

        private Document requireAction(Transaction tx, List<ParsedToolCall> calls, ObjectNode usage) {
            Document r = tx.lock(Collection.RUNS, threadId, runId).orElse(null);
            if (r == null) {
                return null;
            }
            setCalls(toolStep, calls);
            toolStep.body().set("usage", usage);
            writeOpen(tx);
            if (RunStates.status(r).equals("cancelling")) {
                RunStates.cancel(tx, r);
                return r;
            }
            ObjectNode b = r.body();
            b.put("status", "requires_action");
            b.put("expires_at", Shapes.now() + state.config().runExpiry().toSeconds());
            ObjectNode action = b.putObject("required_action");
            action.put("type", "submit_tool_outputs");
            ArrayNode list = action.putObject("submit_tool_outputs").putArray("tool_calls");
            calls.forEach(c -> list.add(callJson(c, false)));
            tx.update(Collection.RUNS, r);
            tx.release(Collection.RUNS, runId);
            return r;
        }

        /** A call as OpenAI shows it; a step's calls also carry their {@code output}, null until submitted. */
        private static ObjectNode callJson(ParsedToolCall c, boolean withOutput) {
            ObjectNode call = JsonBody.MAPPER.createObjectNode();
            call.put("id", c.id());
            call.put("type", "function");
            ObjectNode fn = call.putObject("function");
            fn.put("name", c.name());
            fn.put("arguments", c.arguments());
            if (withOutput) {
                fn.putNull("output");
            }
            return call;
        }

        private static void setCalls(Document step, List<ParsedToolCall> calls) {
            ArrayNode list = step.body().putObject("step_details").put("type", "tool_calls").putArray("tool_calls");
            calls.forEach(c -> list.add(callJson(c, true)));
        }

        /**
         * Writes the step and message this turn opened (inserting them if their first write was lost), the message
         * with the text written so far.
         */
        private void writeOpen(Transaction tx) {
            if (message != null && message.body().path("status").asText().equals("in_progress")) {
                message.body().putArray("content").add(Fields.textPart(text.toString()));
            }
            for (Document d : new Document[] {messageStep, toolStep}) {
                if (d != null) {
                    upsert(tx, Collection.RUN_STEPS, d);
                }
            }
            if (message != null) {
                upsert(tx, Collection.MESSAGES, message);
            }
        }

        private static void upsert(Transaction tx, Collection c, Document d) {
            if (tx.get(c, d.parentId(), d.id()).isPresent()) {
                tx.update(c, d);
            } else {
                tx.insert(c, d);
            }
        }

        private void finishIncomplete(String reason) {
            finish(tx -> {
                Document r = tx.lock(Collection.RUNS, threadId, runId).orElse(null);
                if (r == null) {
                    return null;
                }
                writeOpen(tx);
                r.body().put("status", "incomplete");
                r.body().putObject("incomplete_details").put("reason", reason);
                r.body().putNull("expires_at");
                RunStates.finish(tx, r);
                return r;
            });
        }

        @Override
        public void onFailure(Throwable error) {
            ApiException api = Errors.toApi(error);
            String code = api.status() == 503 ? "rate_limit_exceeded"
                    : api.status() >= 400 && api.status() < 500 ? "invalid_prompt" : "server_error";
            String why = api.getMessage();
            finish(tx -> {
                Document r = tx.lock(Collection.RUNS, threadId, runId).orElse(null);
                if (r == null) {
                    return null;
                }
                writeOpen(tx);
                RunStates.fail(tx, r, code, why);
                return r;
            });
        }

        /** After the writes made so far, runs the final transaction, then sends the closing events. */
        private void finish(Function<Transaction, Document> last) {
            writes.transform(ar -> state.write(tx -> {
                Document r = last.apply(tx);
                if (r != null) {
                    reread(tx);
                }
                return r;
            })).onComplete(ar -> {
                if (ar.failed()) {
                    LOG.error("run {}: its final state could not be written", runId, ar.cause());
                    end(null);
                    return;
                }
                end(ar.result());
            });
        }

        /** The step and message as the final transaction left them (ending a run ends what it left open). */
        private void reread(Transaction tx) {
            if (message != null) {
                message = tx.get(Collection.MESSAGES, threadId, message.id()).orElse(message);
            }
            if (messageStep != null) {
                messageStep = tx.get(Collection.RUN_STEPS, runId, messageStep.id()).orElse(messageStep);
            }
            if (toolStep != null) {
                toolStep = tx.get(Collection.RUN_STEPS, runId, toolStep.id()).orElse(toolStep);
            }
        }

        /** Sends the events that close the run's stream (run {@code r} as stored, or none) and forgets the run. */
        private void end(Document r) {
            state.untrack(runId);
            if (r != null) {
                closingEvents(r);
            }
            sink.done();
        }

        private void closingEvents(Document r) {
            String status = RunStates.status(r);
            if (message != null && !messageEventsSent) {
                String s = message.body().path("status").asText();
                sink.event(s.equals("incomplete") ? "thread.message.incomplete" : "thread.message.completed",
                        message.body());
                stepEvent(messageStep);
            }
            if (toolStep != null && !status.equals("requires_action")) {
                stepEvent(toolStep);
            }
            sink.event("thread.run." + status, r.body());
        }

        private void stepEvent(Document step) {
            String s = step.body().path("status").asText();
            sink.event(s.equals("in_progress") ? "thread.run.step.in_progress" : "thread.run.step." + s, step.body());
        }
    }
}
