package dev.puna.http.internal.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.CatalogModel;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.Errors;
import dev.puna.http.internal.GenerationStream;
import dev.puna.http.internal.ModelScheduler;
import dev.puna.http.internal.PromptTemplates;
import dev.puna.http.internal.RequestLog;
import dev.puna.http.internal.RequestOptions;
import dev.puna.http.internal.Responses;
import dev.puna.http.internal.ServerContext;
import dev.puna.http.internal.ServerLifecycle;
import dev.puna.http.internal.output.AnswerFormat;
import dev.puna.http.internal.output.OutputPlan;
import dev.puna.http.internal.output.ReplyStream;
import dev.puna.runtime.FinishReason;
import dev.puna.runtime.GenerateRequest;
import dev.puna.runtime.GenerationResult;
import dev.puna.runtime.Model;
import dev.puna.runtime.SamplingParams;
import dev.puna.runtime.TokenEvent;
import dev.puna.runtime.tools.ParsedToolCall;
import dev.puna.runtime.tools.ToolCallEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * One {@code POST /v1/messages} from lease to last byte: lease the model, render the conversation with its template
 * and plan the output on a worker thread (the tools in the prompt, the tool-call format from the template, a grammar
 * when {@code tool_choice} forces calls), submit it through a {@link GenerationStream}, and turn the reply into
 * content blocks as it streams: text becomes {@code text} blocks, each tool call the parser finds a {@code tool_use}
 * block with a fresh {@code toolu_} id and its arguments as {@code input}, a thinking model's reasoning a
 * {@code thinking} block (with an empty {@code signature}). The same blocks make the whole
 * {@code message} or, streamed, Anthropic's events: {@code message_start}, then per block
 * {@code content_block_start}, {@code content_block_delta}s ({@code text_delta}, {@code input_json_delta},
 * {@code thinking_delta} and a last {@code signature_delta}) and
 * {@code content_block_stop}, one {@code ping} after the first block opens, then {@code message_delta} (the
 * {@code stop_reason}, {@code stop_sequence} and final {@code usage}) and {@code message_stop}. A failure after the
 * stream began is an {@code event: error}.
 *
 * <p>{@code stop_reason}: {@code tool_use} when the reply called tools, {@code stop_sequence} (with
 * {@code stop_sequence}) when one of the request's {@code stop_sequences} ended it, {@code max_tokens} at the token
 * limit or a full context, else {@code end_turn} (a Modelfile {@code stop} string included: that is the model's own
 * end of turn).
 *
 * <p>Everything but the planning runs on the request's context.
 */
final class MessagesRun implements GenerationStream.Sink {
    private final RoutingContext rc;
    private final GenerationStream gs;
    private final ModelScheduler.Lease lease;
    private final MessagesRequest req;
    private final RequestOptions options;
    private final String id = AnthropicJson.id("msg");
    private final ArrayNode content = AnthropicJson.object().arrayNode();
    /** Set on the worker thread before the generation is submitted. */
    private volatile OutputPlan plan;
    private volatile int promptTokens;

    // Context only.
    private ReplyStream reply;
    /** The block open now, or null. */
    private ObjectNode open;
    private StringBuilder openText;
    private boolean started;
    private boolean pinged;
    private boolean calledTools;
    private boolean ended;

    private MessagesRun(RoutingContext rc, GenerationStream gs, ModelScheduler.Lease lease, MessagesRequest req,
                        RequestOptions options) {
        this.rc = rc;
        this.gs = gs;
        this.lease = lease;
        this.req = req;
        this.options = options;
    }

    /** Runs a request (call on its context). */
    static void start(ServerContext sc, RoutingContext rc, CatalogModel entry, MessagesRequest req,
                      RequestOptions options) {
        GenerationStream gs = GenerationStream.open(rc);
        sc.lease(entry, options.load(), sc.keepAlive(null)).onComplete(leased -> {
            if (leased.failed()) {
                Responses.fail(rc, Errors.toApi(leased.cause()), AnthropicErrors.INSTANCE);
                return;
            }
            ModelScheduler.Lease lease = leased.result();
            if (gs.clientGone()) {
                lease.release();
                return;
            }
            MessagesRun run = new MessagesRun(rc, gs, lease, req, options);
            sc.preparing(lease, () -> {
                run.submit(entry);
                return null;
            }).onComplete(submitted -> {
                if (submitted.failed()) {
                    run.onFailure(submitted.cause());
                } else if (req.stream() && !run.ended) {
                    run.messageStart();
                }
            });
        });
    }

    /** Worker thread: plans the output, renders and tokenizes the prompt, submits it. */
    private void submit(CatalogModel entry) {
        Model model = lease.engine().model();
        OutputPlan planned = OutputPlan.forChat(PromptTemplates.templateText(model, entry), req.toolsJson(), req.tools(),
                req.toolChoice(), req.parallelToolCalls(), AnswerFormat.text());
        MessagesRequest.Prompt prompt = req.prompt(lease, entry, planned.templateTools());
        int[] tokens = prompt.textTokens();
        OutputPlan p;
        try {
            // As on /v1/chat/completions, a thinking model's reasoning is split off whether or not it was asked for;
            // asked for from a model that cannot think, it is a 400.
            OutputPlan.Thinking thinking = req.think().enabled()
                    ? PromptTemplates.thinking(model, entry, null, req.think(), req.model(), tokens)
                    : PromptTemplates.thinkingTags(model, entry, null)
                            .map(t -> PromptTemplates.thinking(model, t, tokens)).orElse(null);
            p = planned.withThinking(thinking);
        } catch (RuntimeException e) {
            if (prompt.vision() != null) {
                prompt.vision().close(); // no generation took it
            }
            throw e;
        }
        SamplingParams sampling = p.grammar().map(g -> options.sampling().toBuilder().grammar(g).build())
                .orElse(options.sampling());
        // No silent truncation: Anthropic answers a prompt that does not fit with an error, and clients (coding
        // agents) compact their history on it.
        GenerateRequest.Builder request = GenerateRequest.builder().promptTokens(tokens).sampling(sampling)
                .maxTokens(options.numPredict()).stop(options.stop()).numKeep(options.numKeep())
                .truncate(false).shift(false);
        if (prompt.vision() != null) {
            request.visionPrompt(prompt.vision()); // the stream closes it when the generation ends
        } else {
            request.userMessageStarts(req.userMessageStarts(lease, entry, planned.templateTools(), tokens));
        }
        plan = p;
        promptTokens = prompt.tokenCount();
        gs.submit(lease.engine(), request.build(), this);
    }

    /** The stream's head and {@code message_start}; usage so far is the prompt, as no token is generated yet. */
    private void messageStart() {
        if (started || rc.response().closed()) {
            return;
        }
        started = true;
        AnthropicJson.head(rc.response());
        ObjectNode event = AnthropicJson.object().put("type", "message_start");
        ObjectNode message = message();
        message.set("usage", AnthropicJson.usage(promptTokens, 0, 0));
        event.set("message", message);
        write("message_start", event);
    }

    private ObjectNode message() {
        ObjectNode m = AnthropicJson.object();
        m.put("id", id);
        m.put("type", "message");
        m.put("role", "assistant");
        m.put("model", req.model());
        m.set("content", req.stream() ? AnthropicJson.object().arrayNode() : content);
        m.putNull("stop_reason");
        m.putNull("stop_sequence");
        return m;
    }

    @Override
    public void onToken(TokenEvent event) {
        if (ended || event.text().isEmpty()) {
            return; // held-back text (a partial character or stop string) comes with a later event
        }
        if (reply == null) {
            reply = plan.stream();
        }
        take(reply.push(event.text()));
    }

    /** What the reply stream found: its reasoning first (it comes before any content), then the rest. */
    private void take(List<ToolCallEvent> events) {
        String thought = reply.takeThinking();
        if (!thought.isEmpty()) {
            if (open == null || !open.path("type").asText().equals("thinking")) {
                close();
                openBlock(AnthropicJson.object().put("type", "thinking").put("thinking", "").put("signature", ""));
                openText = new StringBuilder();
            }
            openText.append(thought);
            open.put("thinking", openText.toString());
            delta(AnthropicJson.object().put("type", "thinking_delta").put("thinking", thought));
        }
        events.forEach(this::block);
    }

    /** Turns one piece of the reply into content blocks (and, streaming, their events). */
    private void block(ToolCallEvent e) {
        switch (e) {
            case ToolCallEvent.Content c -> {
                if (open == null || !open.path("type").asText().equals("text")) {
                    close();
                    ObjectNode b = AnthropicJson.object().put("type", "text").put("text", "");
                    openBlock(b);
                    openText = new StringBuilder();
                }
                openText.append(c.text());
                open.put("text", openText.toString());
                delta(AnthropicJson.object().put("type", "text_delta").put("text", c.text()));
            }
            case ToolCallEvent.CallStarted start -> {
                close();
                calledTools = true;
                ObjectNode b = AnthropicJson.object().put("type", "tool_use").put("id", AnthropicJson.id("toolu"))
                        .put("name", start.name());
                b.putObject("input");
                openBlock(b);
                openText = new StringBuilder();
            }
            case ToolCallEvent.ArgumentsDelta args -> {
                if (open != null && open.path("type").asText().equals("tool_use")) {
                    openText.append(args.text());
                    delta(AnthropicJson.object().put("type", "input_json_delta").put("partial_json", args.text()));
                }
            }
            case ToolCallEvent.CallEnded end -> {
                if (open != null && open.path("type").asText().equals("tool_use")) {
                    open.set("input", input(end.call()));
                    close();
                }
            }
        }
    }

    /** A call's arguments as the {@code input} object; arguments that are not a JSON object (cut off) give {}. */
    private static JsonNode input(ParsedToolCall call) {
        return call.argumentsJson().filter(JsonNode::isObject).orElseGet(AnthropicJson::object);
    }

    private void openBlock(ObjectNode b) {
        open = b;
        content.add(b);
        if (req.stream()) {
            ObjectNode event = AnthropicJson.object().put("type", "content_block_start")
                    .put("index", content.size() - 1);
            event.set("content_block", b.deepCopy());
            write("content_block_start", event);
            ping();
        }
    }

    private void ping() {
        if (!pinged) {
            pinged = true;
            write("ping", AnthropicJson.object().put("type", "ping"));
        }
    }

    private void delta(ObjectNode delta) {
        if (req.stream()) {
            ObjectNode event = AnthropicJson.object().put("type", "content_block_delta")
                    .put("index", content.size() - 1);
            event.set("delta", delta);
            write("content_block_delta", event);
        }
    }

    private void close() {
        if (open == null) {
            return;
        }
        if (open.path("type").asText().equals("thinking")) {
            // Anthropic signs its reasoning so that it can be sent back unaltered; a local model's needs no
            // signature, and clients expect the delta before the block ends.
            delta(AnthropicJson.object().put("type", "signature_delta").put("signature", ""));
        }
        open = null;
        openText = null;
        if (req.stream()) {
            write("content_block_stop", AnthropicJson.object().put("type", "content_block_stop")
                    .put("index", content.size() - 1));
        }
    }

    /** Writes one event, after {@code message_start} (token events may come before the planning's completion). */
    private void write(String type, ObjectNode event) {
        if (!type.equals("message_start")) {
            messageStart();
        }
        gs.write(Buffer.buffer(AnthropicJson.event(type, event)));
    }

    @Override
    public void onEnd(GenerationResult result) {
        if (ended) {
            return;
        }
        if (gs.cancelledByShutdown() && result.finishReason() == FinishReason.CANCELLED) {
            onFailure(ServerLifecycle.shuttingDown());
            return;
        }
        ended = true;
        String stopSequence = result.finishReason() == FinishReason.STOP ? matchedStop(result) : null;
        lease.release();
        RequestLog.tokens(rc, result.promptTokens(), result.completionTokens());
        if (gs.clientGone()) {
            return;
        }
        if (reply != null) {
            take(reply.finish());
        }
        close();
        String stopReason = calledTools && result.finishReason() != FinishReason.LENGTH
                && result.finishReason() != FinishReason.CONTEXT_FULL ? "tool_use"
                : stopSequence != null ? "stop_sequence" : AnthropicJson.stopReason(result.finishReason());
        ObjectNode usage = AnthropicJson.usage(result.promptTokens(), result.cachedPromptTokens(),
                result.completionTokens());
        if (!req.stream()) {
            ObjectNode m = message();
            m.put("stop_reason", stopReason);
            m.put("stop_sequence", stopSequence);
            m.set("usage", usage);
            Responses.json(rc, 200, AnthropicJson.write(m));
            return;
        }
        ping();
        ObjectNode event = AnthropicJson.object().put("type", "message_delta");
        event.putObject("delta").put("stop_reason", stopReason).put("stop_sequence", stopSequence);
        event.set("usage", usage);
        write("message_delta", event);
        gs.end(Buffer.buffer(AnthropicJson.event("message_stop", AnthropicJson.object().put("type",
                "message_stop"))));
    }

    /**
     * Which of the request's {@code stop_sequences} ended the generation, or null when a Modelfile stop string did:
     * the engine cut the text at the earliest stop string in the generated tokens' text.
     */
    private String matchedStop(GenerationResult result) {
        if (req.stopSequences().isEmpty()) {
            return null;
        }
        String full = lease.engine().model().detokenize(result.tokens(), false, false);
        String first = null;
        int at = Integer.MAX_VALUE;
        for (String s : options.stop()) {
            int i = full.indexOf(s);
            if (i >= 0 && (i < at || (i == at && s.length() > first.length()))) {
                at = i;
                first = s;
            }
        }
        return first != null && req.stopSequences().contains(first) ? first : null;
    }

    @Override
    public void onFailure(Throwable error) {
        if (ended) {
            return;
        }
        ended = true;
        lease.release();
        ApiException api = Errors.toApi(error);
        Responses.fail(rc, api, AnthropicErrors.INSTANCE);
    }
}
