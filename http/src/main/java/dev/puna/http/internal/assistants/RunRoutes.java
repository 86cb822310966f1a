package dev.puna.http.internal.assistants;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.ModelNames;
import dev.puna.http.internal.Responses;
import dev.puna.http.internal.stateful.Lists;
import dev.puna.http.internal.stateful.Metadata;
import dev.puna.http.internal.stateful.NamedSse;
import dev.puna.state.Collection;
import dev.puna.state.Document;
import dev.puna.state.Ids;
import dev.puna.state.PageRequest;
import dev.puna.state.Transaction;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs and their steps: create (also together with a new thread), list, retrieve, modify, cancel,
 * submit_tool_outputs, and the steps' list and retrieve. A create or a submission answers at once with the queued
 * run and executes it in the background ({@link RunExecutor}), or with {@code "stream": true} streams its events
 * until it rests (completed, requires_action, ...). Run answers carry {@code openai-poll-after-ms}, so that pollers
 * do not wait their default 5 s.
 */
final class RunRoutes {
    private static final Set<String> RUN_FIELDS = Set.of("assistant_id", "model", "instructions",
            "additional_instructions", "additional_messages", "tools", "metadata", "temperature", "top_p", "stream",
            "max_prompt_tokens", "max_completion_tokens", "truncation_strategy", "tool_choice",
            "parallel_tool_calls", "response_format", "reasoning_effort", "tool_resources");
    private static final Set<String> THREAD_AND_RUN_FIELDS;
    /** The only {@code include[]} value OpenAI defines for runs and steps. */
    private static final String FILE_SEARCH_CONTENT = "step_details.tool_calls[*].file_search.results[*].content";

    static {
        Set<String> s = new HashSet<>(RUN_FIELDS);
        s.removeAll(Set.of("additional_instructions", "additional_messages"));
        s.add("thread");
        THREAD_AND_RUN_FIELDS = Set.copyOf(s);
    }

    private final AssistantsApi api;

    RunRoutes(AssistantsApi api) {
        this.api = api;
    }

    /** A run-create body, checked; {@code null} for what it leaves out. */
    private record Input(String assistantId, String model, String instructions, String additionalInstructions,
                         List<ThreadRoutes.NewMessage> additionalMessages, ArrayNode tools, ObjectNode metadata,
                         Double temperature, Double topP, boolean stream, Integer maxPromptTokens,
                         Integer maxCompletionTokens, ObjectNode truncation, JsonBody body, JsonNode responseFormat,
                         Boolean parallelToolCalls) {
        static Input read(JsonBody b, Set<String> fields) {
            Fields.known(b, fields, "");
            String assistantId = b.string("assistant_id");
            if (assistantId == null) {
                throw ApiException.badParameter("assistant_id", "\"assistant_id\" is required");
            }
            String model = b.string("model");
            if (model != null) {
                ModelNames.require(model);
            }
            List<ThreadRoutes.NewMessage> additional = new ArrayList<>();
            ArrayNode am = b.array("additional_messages");
            if (am != null) {
                for (int i = 0; i < am.size(); i++) {
                    additional.add(ThreadRoutes.NewMessage.read(am.get(i), "additional_messages[" + i + "]"));
                }
            }
            Boolean stream = b.bool("stream");
            Fields.reasoningEffort(b);
            Fields.noToolResources(b, "tool_resources");
            Input in = new Input(assistantId, model, Fields.text(b, "instructions", 256_000),
                    Fields.text(b, "additional_instructions", 256_000), additional, Fields.tools(b, "tools"),
                    Metadata.read(b, "metadata", "metadata"), Fields.range(b, "temperature", 0, 2),
                    Fields.range(b, "top_p", 0, 1), stream != null && stream, Fields.atLeast(b, "max_prompt_tokens", 1),
                    Fields.atLeast(b, "max_completion_tokens", 1), Fields.truncation(b), b, Fields.responseFormat(b),
                    b.bool("parallel_tool_calls"));
            // tool_choice's shape now; whether it names one of the tools once the assistant's are known.
            Fields.toolChoice(b, null);
            return in;
        }

        /** The run object for this request on {@code assistant}, queued in {@code threadId}. */
        ObjectNode run(String id, String threadId, ObjectNode assistant, long expiresIn) {
            ArrayNode effectiveTools = tools != null ? tools : (ArrayNode) assistant.path("tools");
            JsonNode toolChoice = Fields.toolChoice(body, effectiveTools);
            String base = instructions != null ? instructions : assistant.path("instructions").asText("");
            String effective = additionalInstructions == null || additionalInstructions.isEmpty() ? base
                    : base.isEmpty() ? additionalInstructions : base + "\n\n" + additionalInstructions;
            JsonNode format = responseFormat != null ? responseFormat : assistant.get("response_format");
            if (!Fields.answerFormat(format).isText() && forcesCalls(toolChoice)) {
                throw ApiException.badParameter("response_format", "\"response_format\" cannot be combined with a "
                        + "\"tool_choice\" that forces tool calls: both would constrain the same output");
            }
            ObjectNode r = Shapes.object();
            r.put("id", id);
            r.put("object", "thread.run");
            long created = Shapes.createdAt(id);
            r.put("created_at", created);
            r.put("thread_id", threadId);
            r.put("assistant_id", assistant.path("id").asText());
            r.put("status", "queued");
            r.put("model", model != null ? model : assistant.path("model").asText());
            r.put("instructions", effective);
            r.set("tools", effectiveTools);
            r.set("metadata", metadata == null ? Shapes.object() : metadata);
            r.putNull("started_at");
            r.put("expires_at", created + expiresIn);
            r.putNull("cancelled_at");
            r.putNull("failed_at");
            r.putNull("completed_at");
            r.putNull("required_action");
            r.putNull("last_error");
            r.putNull("incomplete_details");
            r.putNull("usage");
            r.put("temperature", temperature != null ? temperature : assistant.path("temperature").asDouble(1.0));
            r.put("top_p", topP != null ? topP : assistant.path("top_p").asDouble(1.0));
            putNumber(r, "max_prompt_tokens", maxPromptTokens);
            putNumber(r, "max_completion_tokens", maxCompletionTokens);
            r.set("truncation_strategy", truncation);
            r.set("response_format", format == null ? r.textNode("auto") : format);
            r.set("tool_choice", toolChoice);
            r.put("parallel_tool_calls", parallelToolCalls == null || parallelToolCalls);
            r.putNull("reasoning_effort");
            if (body.has("reasoning_effort")) {
                r.put("reasoning_effort", body.string("reasoning_effort"));
            }
            return r;
        }
    }

    private static boolean forcesCalls(JsonNode toolChoice) {
        return toolChoice.isObject() || toolChoice.asText().equals("required");
    }

    private static void putNumber(ObjectNode o, String field, Integer v) {
        if (v == null) {
            o.putNull(field);
        } else {
            o.put(field, v);
        }
    }

    private static void requireInclude(RoutingContext rc) {
        for (String name : List.of("include[]", "include")) {
            for (String v : rc.queryParam(name)) {
                if (!v.equals(FILE_SEARCH_CONTENT)) {
                    throw ApiException.badParameter("include", "invalid value for \"include\": expected \""
                            + FILE_SEARCH_CONTENT + "\", got \"" + v + "\"");
                }
            }
        }
    }

    /** A new run committed, with the thread when create-and-run made one. */
    private record Created(ObjectNode run, ObjectNode thread) {
    }

    void create(RoutingContext rc) {
        String threadId = rc.pathParam("thread_id");
        requireInclude(rc);
        Input in = Input.read(limited(JsonBody.parse(rc.body().buffer())), RUN_FIELDS);
        start(rc, in, modelChecked(in).compose(v -> api.state().write(tx -> {
            AssistantsApi.lock(tx, Collection.THREADS, null, threadId, "thread");
            ThreadRoutes.requireNoActiveRun(tx, threadId, true);
            Document assistant = AssistantsApi.require(tx, Collection.ASSISTANTS, null, in.assistantId(), "assistant");
            for (ThreadRoutes.NewMessage m : in.additionalMessages()) {
                tx.insert(Collection.MESSAGES, m.toDocument(threadId));
            }
            return new Created(queue(tx, in, threadId, assistant.body()), null);
        })));
    }

    void createThreadAndRun(RoutingContext rc) {
        JsonBody b = limited(JsonBody.parse(rc.body().buffer()));
        Input in = Input.read(b, THREAD_AND_RUN_FIELDS);
        ObjectNode threadNode = b.object("thread");
        ThreadRoutes.NewThread thread = ThreadRoutes.NewThread.read(threadNode == null
                ? JsonBody.of(JsonBody.MAPPER.createObjectNode(), "thread") : JsonBody.of(threadNode, "thread"),
                "thread");
        start(rc, in, modelChecked(in).compose(v -> api.state().write(tx -> {
            Document assistant = AssistantsApi.require(tx, Collection.ASSISTANTS, null, in.assistantId(), "assistant");
            ObjectNode t = ThreadRoutes.newThread(tx, thread.body(), thread.messages(), thread.metadata());
            return new Created(queue(tx, in, t.path("id").asText(), assistant.body()), t);
        })));
    }

    /** Checks the server's ceilings ({@code PUNA_MAX_TOOLS}, {@code PUNA_MAX_NUM_PREDICT}) on a run body. */
    private JsonBody limited(JsonBody b) {
        api.sc().limits().checkTools("tools", b.raw("tools"));
        Integer max = b.raw("max_completion_tokens") != null && b.raw("max_completion_tokens").isInt()
                ? b.raw("max_completion_tokens").intValue() : null;
        if (max != null) {
            api.sc().limits().checkNumPredict("max_completion_tokens", max);
        }
        return b;
    }

    /** The model the request names exists (the assistant's is checked when the run starts). */
    private Future<Void> modelChecked(Input in) {
        return in.model() == null ? Future.succeededFuture() : api.sc().findModel(in.model()).mapEmpty();
    }

    /** Inserts the queued run, claimed by this server, which executes it. */
    private ObjectNode queue(Transaction tx, Input in, String threadId, ObjectNode assistant) {
        String id = Ids.next("run");
        ObjectNode r = in.run(id, threadId, assistant, api.state().config().runExpiry().toSeconds());
        tx.insert(Collection.RUNS, Document.of(id, threadId, r));
        tx.claim(Collection.RUNS, id, api.state().nodeId(), api.state().leaseUntil());
        return r;
    }

    /** Answers with the queued run, or streams it, and starts executing it. */
    private void start(RoutingContext rc, Input in, Future<Created> created) {
        AssistantsApi.noRetryOnServerError(rc);
        created.onFailure(rc::fail).onSuccess(c -> {
            String threadId = c.run().path("thread_id").asText();
            String runId = c.run().path("id").asText();
            if (!in.stream()) {
                rc.response().putHeader("openai-poll-after-ms", AssistantsApi.POLL_AFTER_MS);
                Responses.json(rc, 200, AssistantsApi.write(c.run()));
                api.executor().start(threadId, runId, RunSink.NONE);
                return;
            }
            NamedSse sse = new NamedSse(rc.response(), rc.vertx().getOrCreateContext());
            sse.open();
            if (c.thread() != null) {
                sse.event("thread.created", c.thread());
            }
            sse.event("thread.run.created", c.run());
            sse.event("thread.run.queued", c.run());
            api.executor().start(threadId, runId, RunSink.of(sse));
        });
    }

    void list(RoutingContext rc) {
        String threadId = rc.pathParam("thread_id");
        PageRequest page = Lists.page(rc, false);
        AssistantsApi.respond(rc, api.state().read(tx -> {
            AssistantsApi.require(tx, Collection.THREADS, null, threadId, "thread");
            return Lists.envelope(tx.list(Collection.RUNS, threadId, page), Document::body);
        }));
    }

    void retrieve(RoutingContext rc) {
        String threadId = rc.pathParam("thread_id");
        String runId = rc.pathParam("run_id");
        rc.response().putHeader("openai-poll-after-ms", AssistantsApi.POLL_AFTER_MS);
        AssistantsApi.respond(rc, api.state().read(tx -> {
            AssistantsApi.require(tx, Collection.THREADS, null, threadId, "thread");
            return AssistantsApi.require(tx, Collection.RUNS, threadId, runId, "run").body();
        }));
    }

    void modify(RoutingContext rc) {
        String threadId = rc.pathParam("thread_id");
        String runId = rc.pathParam("run_id");
        JsonBody b = JsonBody.parse(rc.body().buffer());
        Fields.known(b, Set.of("metadata"), "");
        ObjectNode metadata = Metadata.read(b, "metadata", "metadata");
        AssistantsApi.respond(rc, api.state().write(tx -> {
            AssistantsApi.require(tx, Collection.THREADS, null, threadId, "thread");
            Document r = AssistantsApi.lock(tx, Collection.RUNS, threadId, runId, "run");
            if (metadata != null) {
                r.body().set("metadata", metadata);
            }
            tx.update(Collection.RUNS, r);
            return r.body();
        }));
    }

    void cancel(RoutingContext rc) {
        String threadId = rc.pathParam("thread_id");
        String runId = rc.pathParam("run_id");
        AssistantsApi.respond(rc, api.state().write(tx -> {
            AssistantsApi.require(tx, Collection.THREADS, null, threadId, "thread");
            Document r = AssistantsApi.lock(tx, Collection.RUNS, threadId, runId, "run");
            String status = RunStates.status(r);
            switch (status) {
                case "queued", "in_progress" -> {
                    // The executing server ends it: this one at once, another when it polls (within a second).
                    r.body().put("status", "cancelling");
                    tx.update(Collection.RUNS, r);
                }
                case "requires_action" -> RunStates.cancel(tx, r);
                case "cancelling" -> {
                }
                default -> throw ApiException.badRequest("Cannot cancel run with status '" + status + "'.");
            }
            return r.body();
        }).map(run -> {
            if (run.path("status").asText().equals("cancelling")) {
                api.state().cancelLocal(runId);
            }
            return run;
        }));
    }

    void submitToolOutputs(RoutingContext rc) {
        String threadId = rc.pathParam("thread_id");
        String runId = rc.pathParam("run_id");
        JsonBody b = JsonBody.parse(rc.body().buffer());
        Fields.known(b, Set.of("tool_outputs", "stream"), "");
        Map<String, String> outputs = toolOutputs(b);
        Boolean streamField = b.bool("stream");
        boolean stream = streamField != null && streamField;
        AssistantsApi.noRetryOnServerError(rc);
        api.state().write(tx -> {
            AssistantsApi.require(tx, Collection.THREADS, null, threadId, "thread");
            Document r = AssistantsApi.lock(tx, Collection.RUNS, threadId, runId, "run");
            String status = RunStates.status(r);
            if (!status.equals("requires_action")) {
                throw ApiException.badRequest("Runs in status \"" + status + "\" do not accept tool outputs.");
            }
            List<String> pending = new ArrayList<>();
            for (JsonNode call : r.body().path("required_action").path("submit_tool_outputs").path("tool_calls")) {
                pending.add(call.path("id").asText());
            }
            if (!new HashSet<>(pending).equals(outputs.keySet())) {
                throw ApiException.badParameter("tool_outputs", "Expected tool outputs for call_ids " + pending
                        + ", got " + List.copyOf(outputs.keySet()) + ".");
            }
            Document step = null;
            for (Document s : tx.all(Collection.RUN_STEPS, runId)) {
                if (s.body().path("type").asText().equals("tool_calls")
                        && s.body().path("status").asText().equals("in_progress")) {
                    step = s;
                }
            }
            if (step != null) {
                for (JsonNode call : step.body().path("step_details").path("tool_calls")) {
                    ((ObjectNode) call.path("function")).put("output", outputs.get(call.path("id").asText()));
                }
                step.body().put("status", "completed");
                step.body().put("completed_at", Shapes.now());
                tx.update(Collection.RUN_STEPS, step);
            }
            r.body().put("status", "queued");
            r.body().putNull("required_action");
            tx.update(Collection.RUNS, r);
            tx.claim(Collection.RUNS, runId, api.state().nodeId(), api.state().leaseUntil());
            return new Submitted(r.body(), step == null ? null : step.body());
        }).onFailure(rc::fail).onSuccess(result -> {
            ObjectNode run = result.run();
            if (!stream) {
                rc.response().putHeader("openai-poll-after-ms", AssistantsApi.POLL_AFTER_MS);
                Responses.json(rc, 200, AssistantsApi.write(run));
                api.executor().start(threadId, runId, RunSink.NONE);
                return;
            }
            NamedSse sse = new NamedSse(rc.response(), rc.vertx().getOrCreateContext());
            sse.open();
            sse.event("thread.run.queued", run);
            if (result.toolStep() != null) {
                sse.event("thread.run.step.completed", result.toolStep());
            }
            api.executor().start(threadId, runId, RunSink.of(sse));
        });
    }

    /** A run taking its tool outputs: queued again, and the tool step they completed. */
    private record Submitted(ObjectNode run, ObjectNode toolStep) {
    }

    /** {@code tool_outputs}: call id to output, each id once. */
    private static Map<String, String> toolOutputs(JsonBody b) {
        ArrayNode list = b.array("tool_outputs");
        if (list == null) {
            throw ApiException.badParameter("tool_outputs", "\"tool_outputs\" is required");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "tool_outputs[" + i + "]";
            JsonNode o = list.get(i);
            if (!o.isObject()) {
                throw ApiException.badParameter(at, "invalid value for \"" + at + "\": expected an object, got "
                        + JsonBody.describe(o));
            }
            JsonBody item = JsonBody.of((ObjectNode) o, at);
            Fields.known(item, Set.of("tool_call_id", "output"), at);
            String id = item.string("tool_call_id");
            String output = item.string("output");
            if (id == null) {
                throw ApiException.badParameter(at + ".tool_call_id", "\"" + at + ".tool_call_id\" is required");
            }
            if (output == null) {
                throw ApiException.badParameter(at + ".output", "\"" + at + ".output\" is required");
            }
            if (out.put(id, output) != null) {
                throw ApiException.badParameter(at + ".tool_call_id", "tool call '" + id + "' has two outputs");
            }
        }
        return out;
    }

    void listSteps(RoutingContext rc) {
        String threadId = rc.pathParam("thread_id");
        String runId = rc.pathParam("run_id");
        requireInclude(rc);
        PageRequest page = Lists.page(rc, false);
        AssistantsApi.respond(rc, api.state().read(tx -> {
            AssistantsApi.require(tx, Collection.THREADS, null, threadId, "thread");
            AssistantsApi.require(tx, Collection.RUNS, threadId, runId, "run");
            return Lists.envelope(tx.list(Collection.RUN_STEPS, runId, page), Document::body);
        }));
    }

    void retrieveStep(RoutingContext rc) {
        String threadId = rc.pathParam("thread_id");
        String runId = rc.pathParam("run_id");
        String stepId = rc.pathParam("step_id");
        requireInclude(rc);
        AssistantsApi.respond(rc, api.state().read(tx -> {
            AssistantsApi.require(tx, Collection.THREADS, null, threadId, "thread");
            AssistantsApi.require(tx, Collection.RUNS, threadId, runId, "run");
            return AssistantsApi.require(tx, Collection.RUN_STEPS, runId, stepId, "run step").body();
        }));
    }
}
