package dev.puna.http.internal.stateful;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.CatalogModel;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.Errors;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.ModelScheduler;
import dev.puna.http.internal.PromptTemplates;
import dev.puna.http.internal.RequestOptions;
import dev.puna.http.internal.ServerContext;
import dev.puna.http.internal.UserMessageStarts;
import dev.puna.http.internal.output.OutputPlan;
import dev.puna.http.internal.output.ReplyStream;
import dev.puna.runtime.FinishReason;
import dev.puna.runtime.GenerateRequest;
import dev.puna.runtime.GenerationHandle;
import dev.puna.runtime.GenerationResult;
import dev.puna.runtime.InvalidParameterException;
import dev.puna.runtime.Model;
import dev.puna.runtime.SamplingParams;
import dev.puna.runtime.chat.ChatMessage;
import dev.puna.runtime.tools.ParsedToolCall;
import dev.puna.runtime.tools.ToolCallEvent;
import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs {@link Turn}s on the same serving engine as chat completions: the model is looked up and leased through the
 * scheduler (loaded on first use, shared with every other request, its sequences batched with theirs), the
 * conversation rendered with the model's template (the Modelfile's {@code TEMPLATE}, else the GGUF's chat template;
 * the Modelfile's {@code SYSTEM} when there is no system message, the tools when the model may call them) and cut down to what fits, the reply generated under the grammar
 * the answer format or a forced tool choice asks for, and split into text and tool calls as it streams. Because a
 * thread's next turn renders the same history plus the new messages, its prompt shares a prefix with the previous
 * turn's, and the engine reuses that prefix's KV cache from the slot or the host-RAM prompt cache.
 *
 * <p>Everything happens off the event loop except the listener calls, which come on the context the turn was started
 * on (a fresh event-loop context when started from a thread Vert.x does not own). Thread-safe.
 */
public final class TurnRunner {
    private final ServerContext sc;

    public TurnRunner(ServerContext sc) {
        this.sc = sc;
    }

    /** Starts {@code turn}; {@code listener} then hears of it on the current (or a new) Vert.x context. */
    public void start(Turn turn, TurnListener listener) {
        Context ctx = sc.vertx().getOrCreateContext();
        ctx.runOnContext(v -> new Running(turn, listener, ctx).begin());
    }

    /** One turn in flight; its fields are used on its context, except where noted. */
    private final class Running {
        private final Turn turn;
        private final TurnListener listener;
        private final Context ctx;
        private final StringBuilder content = new StringBuilder();
        private final List<ParsedToolCall> calls = new ArrayList<>();
        private ModelScheduler.Lease lease;
        private ReplyStream reply;
        private boolean ended;

        Running(Turn turn, TurnListener listener, Context ctx) {
            this.turn = turn;
            this.listener = listener;
            this.ctx = ctx;
        }

        void begin() {
            sc.findModel(turn.model()).onComplete(found -> {
                if (found.failed()) {
                    fail(found.cause());
                    return;
                }
                RequestOptions options;
                try {
                    options = options(found.result());
                } catch (RuntimeException e) {
                    fail(e);
                    return;
                }
                if (turn.cancellation().isCancelled()) {
                    end(cancelledOutcome());
                    return;
                }
                sc.lease(found.result(), options.load(), sc.keepAlive(null)).onComplete(leased -> {
                    if (leased.failed()) {
                        fail(leased.cause());
                        return;
                    }
                    lease = leased.result();
                    if (turn.cancellation().isCancelled()) {
                        end(cancelledOutcome());
                        return;
                    }
                    CatalogModel entry = found.result();
                    sc.blocking(() -> submit(entry, options)).onComplete(submitted -> {
                        if (submitted.failed()) {
                            fail(submitted.cause());
                        } else if (submitted.result() != null) {
                            end(submitted.result()); // nothing to generate
                        }
                    });
                });
            });
        }

        /** The request's options over the model's Modelfile parameters over OpenAI's sampling defaults. */
        private RequestOptions options(CatalogModel entry) {
            Map<String, Object> base = new LinkedHashMap<>();
            base.put("temperature", 1.0);
            base.put("top_p", 1.0);
            base.putAll(entry.parameters());
            ObjectNode request = JsonBody.MAPPER.createObjectNode();
            if (turn.temperature() != null) {
                request.put("temperature", turn.temperature());
            }
            if (turn.topP() != null) {
                request.put("top_p", turn.topP());
            }
            if (turn.maxTokens() > 0) {
                request.put("num_predict", turn.maxTokens());
            }
            return sc.options().parse(base, request);
        }

        /**
         * Worker thread: renders, fits and tokenizes the prompt and submits it; returns an outcome when there is
         * nothing to generate (the prompt does not fit its budget), else {@code null}.
         */
        private TurnOutcome submit(CatalogModel entry, RequestOptions options) {
            Model model = lease.engine().model();
            OutputPlan plan;
            try {
                plan = OutputPlan.forChat(PromptTemplates.templateText(model, entry), turn.toolsJson(), turn.tools(),
                        turn.toolChoice(), turn.parallelToolCalls(), turn.answer());
            } catch (InvalidParameterException e) {
                throw ApiException.badParameter(e.parameter(), e.getMessage());
            }
            List<ChatMessage> messages = PromptTemplates.withModelfileSystem(entry, turn.messages());
            int context = lease.engine().slotContextSize();
            Function<List<ChatMessage>, int[]> render = m -> PromptTemplates.chatTokens(model, entry, m,
                    plan.templateTools());
            PromptFit.Fitted fitted = PromptFit.fit(messages, turn.truncation(), budget(context),
                    turn.maxPromptTokens(), render);
            if (fitted.overBudget()) {
                return new TurnOutcome("", List.of(), FinishReason.STOP, fitted.tokens().length, 0, 0, true);
            }
            SamplingParams sampling = options.sampling();
            if (plan.grammar().isPresent()) {
                sampling = sampling.toBuilder().grammar(plan.grammar().get()).build();
            }
            GenerateRequest request = GenerateRequest.builder().promptTokens(fitted.tokens()).sampling(sampling)
                    .maxTokens(options.numPredict()).stop(options.stop()).numKeep(options.numKeep())
                    .truncate(!(turn.truncation() instanceof Truncation.Disabled)).shift(true)
                    .cancellation(turn.cancellation())
                    .userMessageStarts(UserMessageStarts.of(lease.engine(), fitted.messages(), fitted.tokens(), render))
                    .build();
            reply = plan.stream();
            GenerationHandle handle = lease.engine().submit(lease.withAdapters(request, null), event -> ctx.runOnContext(v -> token(
                    event.text())));
            // The engine completes the result after its last listener call, so this comes after every token.
            handle.result().whenComplete((result, error) -> ctx.runOnContext(v -> {
                if (error != null) {
                    fail(Errors.unwrap(error));
                } else {
                    finish(result);
                }
            }));
            return null;
        }

        /** Room for the prompt in a slot: what the answer may need is kept free. */
        private int budget(int context) {
            int reserve = turn.maxTokens() > 0 ? Math.min(turn.maxTokens(), context / 2) : Math.max(1, context / 8);
            return Math.max(1, context - reserve);
        }

        private void token(String text) {
            if (ended || text.isEmpty()) {
                return;
            }
            for (ToolCallEvent e : reply.push(text)) {
                deliver(e);
            }
        }

        private void deliver(ToolCallEvent e) {
            switch (e) {
                case ToolCallEvent.Content c -> content.append(c.text());
                case ToolCallEvent.CallEnded c -> calls.add(c.call());
                default -> {
                }
            }
            listener.onEvent(e);
        }

        private void finish(GenerationResult result) {
            if (ended) {
                return;
            }
            for (ToolCallEvent e : reply.finish()) {
                deliver(e);
            }
            FinishReason reason = turn.cancellation().isCancelled() ? FinishReason.CANCELLED : result.finishReason();
            end(new TurnOutcome(content.toString(), calls, reason, result.promptTokens(),
                    result.cachedPromptTokens(), result.completionTokens(), false));
        }

        private TurnOutcome cancelledOutcome() {
            return new TurnOutcome("", List.of(), FinishReason.CANCELLED, 0, 0, 0, false);
        }

        private void end(TurnOutcome outcome) {
            if (ended) {
                return;
            }
            ended = true;
            release();
            listener.onEnd(outcome);
        }

        private void fail(Throwable error) {
            if (ended) {
                return;
            }
            ended = true;
            release();
            listener.onFailure(Errors.unwrap(error));
        }

        private void release() {
            if (lease != null) {
                lease.release();
                lease = null;
            }
        }
    }
}
