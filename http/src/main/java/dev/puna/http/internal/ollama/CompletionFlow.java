package dev.puna.http.internal.ollama;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.CatalogModel;
import dev.puna.http.internal.Errors;
import dev.puna.http.internal.GenerationStream;
import dev.puna.http.internal.ModelScheduler;
import dev.puna.http.internal.RequestLog;
import dev.puna.http.internal.RequestOptions;
import dev.puna.http.internal.Responses;
import dev.puna.http.internal.ServerContext;
import dev.puna.http.internal.ServerLifecycle;
import dev.puna.http.internal.output.OutputPlan;
import dev.puna.http.internal.output.ReplyStream;
import dev.puna.runtime.FinishReason;
import dev.puna.runtime.GenerateRequest;
import dev.puna.runtime.GenerationResult;
import dev.puna.runtime.TokenEvent;
import dev.puna.runtime.TokenLogprob;
import dev.puna.runtime.tools.ParsedOutput;
import dev.puna.runtime.tools.ToolCallEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code /api/generate} and {@code /api/chat} share once their request is read: lease the model, build the
 * prompt on a worker thread, submit it, then stream NDJSON chunks (or collect one object) through a
 * {@link GenerationStream}, and release the lease however the request ends.
 *
 * <p>The output goes through the request's {@link OutputPlan}: streamed text is split into content chunks and, when
 * the request has tools, one chunk per completed tool call (Ollama sends each call whole; tool-call text never
 * appears as content); a non-streamed reply is split once at the end.
 *
 * <p>A generation that a server shutdown cancels ends a stream that began with a final object whose
 * {@code done_reason} is {@code "shutdown"}; a request that has sent nothing yet gets a 503.
 */
final class CompletionFlow {
    /**
     * The engine request, the prompt tokens it holds (for {@code context} and {@code input_tokens}), and how its
     * output is read.
     */
    record Prepared(GenerateRequest request, int[] promptTokens, OutputPlan plan) {
    }

    /** The route-specific steps. */
    interface Route {
        /** Renders the prompt and builds the engine request; runs on a worker thread. */
        Prepared prepare(ModelScheduler.Lease lease);

        /** A streamed chunk carrying {@code text}. */
        ObjectNode chunk(String text);

        /** A streamed chunk carrying reasoning ({@code thinking}); only asked of routes whose plans split it. */
        default ObjectNode thinkingChunk(String thinking) {
            throw new UnsupportedOperationException("this route does not split reasoning");
        }

        /** A streamed chunk carrying completed tool calls; only asked of routes whose plans have tools. */
        default ObjectNode toolCallChunk(ArrayNode toolCalls) {
            throw new UnsupportedOperationException("this route has no tools");
        }

        /**
         * The final object: {@code reply} is the whole completion (reasoning, content and tool calls) when not
         * streaming, empty when streaming.
         */
        ObjectNode last(OutputPlan.Reply reply, GenerationResult result, Prepared prepared);
    }

    private static final OutputPlan.Reply STREAMED = new OutputPlan.Reply("", new ParsedOutput("", List.of()));
    /** The {@code done_reason} of a stream a server shutdown cut short (Ollama has none for it). */
    static final String SHUTDOWN = "shutdown";

    private CompletionFlow() {
    }

    static void run(ServerContext sc, RoutingContext rc, CatalogModel model, RequestOptions options,
                    Duration keepAlive, boolean stream, boolean logprobs, Route route) {
        GenerationStream gs = GenerationStream.open(rc);
        sc.lease(model, options.load(), sc.keepAlive(keepAlive)).onComplete(leased -> {
            if (leased.failed()) {
                Responses.fail(rc, Errors.toApi(leased.cause()), OllamaErrors.INSTANCE);
                return;
            }
            ModelScheduler.Lease lease = leased.result();
            if (gs.clientGone()) {
                lease.release();
                return;
            }
            Sink sink = new Sink(rc, gs, lease, route, stream, logprobs);
            sc.preparing(lease, () -> {
                Prepared p = route.prepare(lease);
                sink.prepared = p;
                gs.submit(lease.engine(), lease.withAdapters(p.request(), null), sink);
                return p;
            }).onFailure(e -> {
                lease.release();
                Responses.fail(rc, Errors.toApi(e), OllamaErrors.INSTANCE);
            });
        });
    }

    /** Turns the generation's events into NDJSON lines or one JSON object; runs on the request's context. */
    private static final class Sink implements GenerationStream.Sink {
        private final RoutingContext rc;
        private final GenerationStream gs;
        private final ModelScheduler.Lease lease;
        private final Route route;
        private final boolean stream;
        private final boolean logprobs;
        private final List<TokenLogprob> pendingLogprobs = new ArrayList<>();
        private final List<TokenLogprob> allLogprobs = new ArrayList<>();
        volatile Prepared prepared;
        /** The streamed reply; created on the request's context with the first event. */
        private ReplyStream reply;

        Sink(RoutingContext rc, GenerationStream gs, ModelScheduler.Lease lease, Route route, boolean stream,
             boolean logprobs) {
            this.rc = rc;
            this.gs = gs;
            this.lease = lease;
            this.route = route;
            this.stream = stream;
            this.logprobs = logprobs;
        }

        @Override
        public void onToken(TokenEvent event) {
            if (event.logprob() != null) {
                pendingLogprobs.add(event.logprob());
                allLogprobs.add(event.logprob());
            }
            if (!stream || event.text().isEmpty()) {
                return; // held-back text (a partial character or stop string) comes with a later event
            }
            emit(reply().push(event.text()));
        }

        private ReplyStream reply() {
            if (reply == null) {
                reply = prepared.plan().stream();
            }
            return reply;
        }

        /** Writes the reasoning found (it precedes all content), then a chunk per piece of content and tool call. */
        private void emit(List<ToolCallEvent> events) {
            String thinking = reply().takeThinking();
            if (!thinking.isEmpty()) {
                write(route.thinkingChunk(thinking));
            }
            for (ToolCallEvent e : events) {
                switch (e) {
                    case ToolCallEvent.Content c -> write(route.chunk(c.text()));
                    case ToolCallEvent.CallEnded end -> {
                        ArrayNode calls = OllamaJson.toolCalls(List.of(end.call()));
                        if (!calls.isEmpty()) {
                            write(route.toolCallChunk(calls));
                        }
                    }
                    default -> {
                        // a call's start and argument fragments: Ollama sends the call once it is complete
                    }
                }
            }
        }

        private void write(ObjectNode chunk) {
            takeLogprobs(chunk);
            head();
            gs.write(Buffer.buffer(OllamaJson.write(chunk) + "\n"));
        }

        @Override
        public void onEnd(GenerationResult result) {
            lease.release();
            RequestLog.tokens(rc, result.timings().promptTokensEvaluated(), result.completionTokens());
            if (gs.clientGone()) {
                return;
            }
            boolean shutdown = gs.cancelledByShutdown() && result.finishReason() == FinishReason.CANCELLED;
            if (shutdown && !rc.response().headWritten()) {
                Responses.fail(rc, ServerLifecycle.shuttingDown(), OllamaErrors.INSTANCE);
                return;
            }
            if (stream) {
                emit(reply().finish());
            }
            ObjectNode last = route.last(stream ? STREAMED : prepared.plan().reply(result.text()), result, prepared);
            if (shutdown) {
                last.put("done_reason", SHUTDOWN);
            }
            OllamaJson.metrics(last, result, System.nanoTime() - RequestLog.startNanos(rc), lease.loadNanos());
            if (stream) {
                takeLogprobs(last);
                head();
                gs.end(Buffer.buffer(OllamaJson.write(last) + "\n"));
            } else {
                if (logprobs) {
                    last.set("logprobs", OllamaJson.logprobs(allLogprobs));
                }
                Responses.json(rc, 200, OllamaJson.write(last));
            }
        }

        @Override
        public void onFailure(Throwable error) {
            lease.release();
            Responses.fail(rc, Errors.toApi(error), OllamaErrors.INSTANCE);
        }

        private void takeLogprobs(ObjectNode chunk) {
            if (logprobs && !pendingLogprobs.isEmpty()) {
                chunk.set("logprobs", OllamaJson.logprobs(pendingLogprobs));
                pendingLogprobs.clear();
            }
        }

        private void head() {
            HttpServerResponse r = rc.response();
            if (!r.headWritten()) {
                r.setChunked(true).setStatusCode(200).putHeader("Content-Type", "application/x-ndjson");
            }
        }
    }
}
