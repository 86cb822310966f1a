package dev.puna.http.internal.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.CatalogModel;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.Errors;
import dev.puna.http.internal.GenerationStream;
import dev.puna.http.internal.ModelScheduler;
import dev.puna.http.internal.RequestLog;
import dev.puna.http.internal.RequestOptions;
import dev.puna.http.internal.Responses;
import dev.puna.http.internal.ServerContext;
import dev.puna.http.internal.ServerLifecycle;
import dev.puna.runtime.FinishReason;
import dev.puna.http.internal.output.OutputPlan;
import dev.puna.runtime.GenerateRequest;
import dev.puna.runtime.GenerationResult;
import dev.puna.runtime.TokenEvent;
import dev.puna.runtime.TokenLogprob;
import dev.puna.runtime.tools.ToolCallParser;
import io.vertx.core.AsyncResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One OpenAI generation request from lease to last byte, shared by chat and legacy completions: lease the model,
 * plan the choices on a worker thread (render and tokenize prompts), submit every choice to the engine through one
 * {@link GenerationStream} (so {@code n} choices decode in the same batches, share the client's cancellation and are
 * paused together when it reads slowly), then write server-sent events or one JSON object, and release the lease
 * once every choice has ended.
 *
 * <p>Streams follow OpenAI: every chunk has the same {@code id}, {@code created}, {@code model} and
 * {@code system_fingerprint}; each choice opens with its role (chat), carries text deltas with their
 * {@code index}, and ends with a chunk holding only its {@code finish_reason}; with
 * {@code stream_options.include_usage} every chunk has {@code usage: null} and a last chunk has no choices and the
 * {@code usage}; {@code data: [DONE]} ends the stream. An error after the first byte is an SSE error event before
 * {@code [DONE]}; so is a choice a server shutdown cancels (a 503 when nothing was sent yet).
 *
 * <p>Everything but {@link #plan} runs on the request's context.
 */
final class GenerationRun {
    /**
     * One generation to submit: choice {@code index} completes prompt {@code prompt}, after {@code echo}; its
     * output is searched for tool calls with {@code toolCalls} when the model may call tools, else it is
     * {@code null}.
     */
    record Planned(int index, int prompt, String echo, GenerateRequest request, ToolCallParser toolCalls,
                   OutputPlan.Thinking thinking) {
        /** A choice whose reasoning, if any, stays in its content. */
        Planned(int index, int prompt, String echo, GenerateRequest request, ToolCallParser toolCalls) {
            this(index, prompt, echo, request, toolCalls, null);
        }
    }

    /**
     * What a route plans once the model is loaded.
     *
     * @param choices one entry per choice, in index order
     * @param promptTokens prompt tokens of the request, each prompt counted once however many choices it has
     */
    record Plan(List<Planned> choices, int promptTokens) {
    }

    /** Renders and tokenizes the request's prompts; runs on a worker thread. */
    interface Planner {
        Plan plan(ModelScheduler.Lease lease);
    }

    private final RoutingContext rc;
    private final GenerationStream gs;
    private final ModelScheduler.Lease lease;
    private final ChoiceFormat format;
    private final boolean stream;
    private final boolean includeUsage;
    private final boolean logprobs;
    private final String id;
    private final long created = Instant.now().getEpochSecond();
    private final String model;
    private final String fingerprint;
    private final int choiceCount;
    /** Filled on the worker thread before each submission; read on the context after the events it posts. */
    private final ChoiceState[] states;
    private final AtomicInteger submitted = new AtomicInteger();

    // Context only.
    private int expected = -1;
    private int ended;
    private int promptTokens;
    private int completionTokens;
    private ApiException error;
    private boolean opened;
    private boolean finished;

    private final java.util.Map<Integer, Float> lora;

    private GenerationRun(RoutingContext rc, GenerationStream gs, ModelScheduler.Lease lease, ChoiceFormat format,
                          String idPrefix, String model, CatalogModel entry, SamplingFields fields, boolean logprobs,
                          int choiceCount) {
        this.rc = rc;
        this.gs = gs;
        this.lease = lease;
        this.format = format;
        this.stream = fields.stream();
        this.includeUsage = fields.includeUsage();
        this.lora = fields.lora();
        this.logprobs = logprobs;
        this.id = OpenAiJson.id(idPrefix);
        this.model = model;
        this.fingerprint = OpenAiJson.fingerprint(entry);
        this.choiceCount = choiceCount;
        this.states = new ChoiceState[choiceCount];
    }

    /**
     * Runs a request (call on its context).
     *
     * @param model the model name as the client wrote it, echoed in {@code model}
     * @param idPrefix {@code chatcmpl} or {@code cmpl}
     * @param choiceCount how many choices {@code planner} will plan
     */
    static void start(ServerContext sc, RoutingContext rc, CatalogModel entry, String model, RequestOptions options,
                      SamplingFields fields, boolean logprobs, int choiceCount, String idPrefix, ChoiceFormat format,
                      Planner planner) {
        GenerationStream gs = GenerationStream.open(rc);
        sc.lease(entry, options.load(), sc.keepAlive(null)).onComplete(leased -> {
            if (leased.failed()) {
                Responses.fail(rc, Errors.toApi(leased.cause()), OpenAiErrors.INSTANCE);
                return;
            }
            ModelScheduler.Lease lease = leased.result();
            if (gs.clientGone()) {
                lease.release();
                return;
            }
            GenerationRun run = new GenerationRun(rc, gs, lease, format, idPrefix, model, entry, fields, logprobs,
                    choiceCount);
            sc.preparing(lease, () -> run.plan(planner)).onComplete(run::planned);
        });
    }

    /** Worker thread: plans, then submits every choice. */
    private Plan plan(Planner planner) {
        Plan plan = planner.plan(lease);
        if (plan.choices().size() != choiceCount) {
            throw new IllegalStateException("planned " + plan.choices().size() + " choices, expected " + choiceCount);
        }
        for (Planned p : plan.choices()) {
            ChoiceState state = new ChoiceState(p.index(), p.prompt(), p.echo(), logprobs, p.toolCalls(),
                    p.thinking());
            states[p.index()] = state;
            gs.submit(lease.engine(), lease.withAdapters(p.request(), lora), new Sink(state));
            submitted.incrementAndGet();
        }
        return plan;
    }

    private void planned(AsyncResult<Plan> outcome) {
        if (outcome.failed()) {
            fail(outcome.cause());
            expected = submitted.get();
        } else {
            expected = choiceCount;
            promptTokens = outcome.result().promptTokens();
            if (stream && error == null) {
                open();
            }
        }
        maybeFinish();
    }

    /** Receives one choice's events on the request's context. */
    private final class Sink implements GenerationStream.Sink {
        private final ChoiceState state;

        Sink(ChoiceState state) {
            this.state = state;
        }

        @Override
        public void onToken(TokenEvent event) {
            if (event.logprob() != null && state.logprobs) {
                state.pending.add(event.logprob());
            }
            if (event.text().isEmpty() || error != null) {
                return; // held-back text (a partial character or stop string) comes with a later event
            }
            List<TokenLogprob> released = new ArrayList<>(state.pending);
            state.pending.clear();
            if (stream) {
                open();
                for (ObjectNode c : format.delta(state, event.text(), released)) {
                    gs.write(chunk(c));
                }
            }
            state.released.addAll(released);
            state.text.append(event.text());
            state.offset += event.text().codePointCount(0, event.text().length());
        }

        @Override
        public void onEnd(GenerationResult result) {
            if (gs.cancelledByShutdown() && result.finishReason() == FinishReason.CANCELLED) {
                completionTokens += result.completionTokens();
                onFailure(ServerLifecycle.shuttingDown());
                return;
            }
            state.result = result;
            ended++;
            completionTokens += result.completionTokens();
            if (stream && error == null) {
                open();
                for (ObjectNode c : format.flush(state)) {
                    gs.write(chunk(c));
                }
                ObjectNode finish = chunkObject(format.finish(state, format.finishReason(state)));
                if (!includeUsage && ended == choiceCount) {
                    finish.set("timings", timings()); // llama-server's place: the stream's last chunk
                }
                gs.write(Buffer.buffer(Sse.event(finish)));
            }
            maybeFinish();
        }

        @Override
        public void onFailure(Throwable failure) {
            ended++;
            fail(failure);
            maybeFinish();
        }
    }

    /** Records the first failure and stops the other choices: one failed choice fails the response. */
    private void fail(Throwable failure) {
        if (error == null) {
            error = Errors.toApi(failure);
        }
        gs.cancellation().cancel();
    }

    /** Writes the stream's head and each choice's opening chunk, once. */
    private void open() {
        if (opened) {
            return;
        }
        opened = true;
        if (rc.response().closed()) {
            return;
        }
        Sse.head(rc.response());
        for (int i = 0; i < choiceCount; i++) {
            ObjectNode opening = format.opening(i);
            if (opening != null) {
                gs.write(chunk(opening));
            }
        }
    }

    private Buffer chunk(ObjectNode choice) {
        return Buffer.buffer(Sse.event(chunkObject(choice)));
    }

    private ObjectNode chunkObject(ObjectNode choice) {
        ObjectNode o = envelope(format.chunkObject());
        o.putArray("choices").add(choice);
        if (includeUsage) {
            o.putNull("usage");
        }
        return o;
    }

    private ObjectNode envelope(String object) {
        ObjectNode o = OpenAiJson.object();
        o.put("id", id);
        o.put("object", object);
        o.put("created", created);
        o.put("model", model);
        o.put("system_fingerprint", fingerprint);
        return o;
    }

    private void maybeFinish() {
        if (finished || expected < 0 || ended < expected) {
            return;
        }
        finished = true;
        lease.release();
        RequestLog.tokens(rc, promptTokens, completionTokens);
        if (error != null) {
            Responses.fail(rc, error, OpenAiErrors.INSTANCE);
            return;
        }
        if (rc.response().closed()) {
            return;
        }
        if (stream) {
            if (includeUsage) {
                ObjectNode last = envelope(format.chunkObject());
                last.putArray("choices");
                last.set("usage", OpenAiJson.usage(promptTokens, completionTokens));
                last.set("timings", timings());
                gs.write(Buffer.buffer(Sse.event(last)));
            }
            gs.end(Buffer.buffer(Sse.DONE));
            return;
        }
        ObjectNode o = envelope(format.object());
        ArrayNode choices = o.putArray("choices");
        for (ChoiceState state : states) {
            choices.add(format.whole(state, format.finishReason(state)));
        }
        o.set("usage", OpenAiJson.usage(promptTokens, completionTokens));
        o.set("timings", timings());
        Responses.json(rc, 200, OpenAiJson.write(o));
    }

    /** llama-server's {@code timings} of the choices that ended. */
    private ObjectNode timings() {
        List<GenerationResult> results = new ArrayList<>(states.length);
        for (ChoiceState state : states) {
            if (state != null && state.result != null) {
                results.add(state.result);
            }
        }
        return ResponseTimings.of(results);
    }
}
