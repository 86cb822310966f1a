package dev.puna.http.internal.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.CatalogModel;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.Guard;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.ModelNames;
import dev.puna.http.internal.ModelScheduler;
import dev.puna.http.internal.PromptTemplates;
import dev.puna.http.internal.RequestLimits;
import dev.puna.http.internal.RequestLog;
import dev.puna.http.internal.RequestOptions;
import dev.puna.http.internal.ServerContext;
import dev.puna.http.internal.UserMessageStarts;
import dev.puna.http.internal.gotemplate.OllamaTemplate;
import dev.puna.http.internal.output.AnswerFormat;
import dev.puna.http.internal.output.OutputPlan;
import dev.puna.runtime.GenerateRequest;
import dev.puna.runtime.GenerationResult;
import dev.puna.http.internal.vision.ImageInputs;
import dev.puna.http.internal.vision.VisionTokens;
import dev.puna.runtime.Model;
import dev.puna.runtime.vision.Image;
import dev.puna.runtime.vision.ImagePlacement;
import dev.puna.runtime.vision.VisionPrompt;
import dev.puna.runtime.SamplingParams;
import dev.puna.runtime.chat.ChatMessage;
import dev.puna.runtime.chat.ChatRequest;
import dev.puna.runtime.chat.ToolCall;
import dev.puna.runtime.tools.ToolChoice;
import dev.puna.runtime.tools.ToolSpec;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /api/chat}: the conversation rendered with the model's chat template; chunks carry
 * {@code message:{role:"assistant", content}}. Empty {@code messages} load or unload the model like an empty
 * generate prompt.
 *
 * <p>{@code tools} are rendered by the chat template (its {@code tools} variable) and the model's calls, in the format
 * the template teaches, are read from its output into {@code message.tool_calls}: streamed, each call comes whole in
 * a chunk of its own once it is complete, and call text never appears in {@code content}. History messages carry
 * {@code tool_calls} (assistant) and {@code tool_name}/{@code tool_call_id} (tool results) to the template.
 * {@code format} constrains the answer with a grammar; with tools as well, the model may either call tools or answer
 * in the format (see {@link OutputPlan}).
 */
final class ChatRoute implements Handler<RoutingContext> {
    private final ServerContext sc;

    ChatRoute(ServerContext sc) {
        this.sc = sc;
    }

    /**
     * The request's fields, read and checked on the event loop.
     *
     * @param toolsJson the {@code tools} array as sent (the chat template renders it), or {@code null}
     * @param tools the same tools, validated
     */
    record Request(String model, List<ChatMessage> messages, boolean stream, Duration keepAlive, ObjectNode options,
                   OllamaTemplate.Think think, Boolean truncate, Boolean shift, boolean logprobs, int topLogprobs,
                   AnswerFormat format, ArrayNode toolsJson, List<ToolSpec> tools, List<Image> images) {
    }

    @Override
    public void handle(RoutingContext rc) {
        Request req = read(sc.requestBody(rc.body().buffer()), sc.limits());
        RequestLog.model(rc, req.model);
        sc.findModel(req.model).onSuccess(model -> Guard.run(rc, () -> chat(rc, req, model))).onFailure(rc::fail);
    }

    static Request read(JsonBody body) {
        return read(body, RequestLimits.DEFAULTS);
    }

    /** Reads a request, refusing more tools or images than {@code limits} allow. */
    static Request read(JsonBody body, RequestLimits limits) {
        String model = body.string("model");
        ArrayNode messages = body.array("messages");
        boolean stream = OllamaFields.stream(body);
        Duration keepAlive = OllamaFields.keepAlive(body);
        ObjectNode options = body.object("options");
        OllamaTemplate.Think think = OllamaFields.think(body);
        Boolean truncate = body.bool("truncate");
        Boolean shift = body.bool("shift");
        Boolean logprobs = body.bool("logprobs");
        int topLogprobs = OllamaFields.topLogprobs(body);
        ModelNames.require(model);
        ArrayNode tools = body.array("tools");
        limits.checkTools("tools", tools);
        limits.checkImages("messages", OllamaFields.images(messages));
        List<Image> images = new ArrayList<>();
        List<ChatMessage> parsed = messages == null ? List.of() : messages(messages, images);
        AnswerFormat format = OllamaFields.format(body);
        List<ToolSpec> specs = ToolSpec.listFrom(tools);
        return new Request(model, parsed, stream, keepAlive, options, think, truncate, shift,
                logprobs != null && logprobs, topLogprobs, format, tools, specs, List.copyOf(images));
    }

    /** The messages; their images are added to {@code images} in order, and marked before their text. */
    private static List<ChatMessage> messages(ArrayNode array, List<Image> images) {
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            String path = "messages[" + i + "]";
            JsonNode node = array.get(i);
            if (!node.isObject()) {
                throw ApiException.badParameter(path, "invalid value for \"" + path + "\": expected an object, got "
                        + JsonBody.describe(node));
            }
            JsonBody m = JsonBody.of((ObjectNode) node, path);
            String role = m.string("role");
            if (role == null || role.isBlank()) {
                throw ApiException.badParameter(path + ".role", path + ".role is required");
            }
            String content = m.string("content");
            List<Image> own = OllamaFields.images(m.array("images"), path + ".images");
            if (!own.isEmpty()) {
                // Ollama's rule: each image takes the next [img] of the text, the rest go before it.
                ImagePlacement.Placed placed = ImagePlacement.place(content, own.size(), ImageInputs.SENTINEL);
                images.addAll(placed.arrange(own));
                content = placed.text();
            }
            String thinking = m.string("thinking"); // a previous turn's reasoning, passed back to the template
            String toolName = m.string("tool_name");
            String toolCallId = m.string("tool_call_id");
            out.add(new ChatMessage(role, content == null ? "" : content, toolCalls(m, path), toolName, toolCallId,
                    thinking == null || thinking.isEmpty() ? null : thinking));
        }
        return out;
    }

    private static List<ToolCall> toolCalls(JsonBody m, String path) {
        ArrayNode calls = m.array("tool_calls");
        if (calls == null) {
            return List.of();
        }
        List<ToolCall> out = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            String at = path + ".tool_calls[" + i + "]";
            if (!calls.get(i).isObject()) {
                throw ApiException.badParameter(at, "invalid value for \"" + at + "\": expected an object");
            }
            JsonBody call = JsonBody.of((ObjectNode) calls.get(i), at);
            String id = call.string("id");
            ObjectNode function = call.object("function");
            if (function == null) {
                throw ApiException.badParameter(at + ".function", at + ".function is required");
            }
            JsonBody f = JsonBody.of(function, at + ".function");
            String name = f.string("name");
            if (name == null || name.isEmpty()) {
                throw ApiException.badParameter(at + ".function.name", at + ".function.name is required");
            }
            ObjectNode args = f.object("arguments");
            @SuppressWarnings("unchecked")
            Map<String, Object> arguments = args == null ? Map.of() : JsonBody.MAPPER.convertValue(args, Map.class);
            out.add(new ToolCall(id, name, arguments));
        }
        return out;
    }

    private void chat(RoutingContext rc, Request req, CatalogModel model) {
        RequestOptions options = sc.options().parse(model.parameters(), req.options);
        if (req.messages.isEmpty()) {
            GenerateRoute.loadOrUnload(sc, rc, req.model, model, options, req.keepAlive, "message");
            return;
        }
        CompletionFlow.run(sc, rc, model, options, req.keepAlive, req.stream, req.logprobs, new CompletionFlow.Route() {
            @Override
            public CompletionFlow.Prepared prepare(ModelScheduler.Lease lease) {
                Model m = lease.engine().model();
                OutputPlan plan = OutputPlan.forChat(PromptTemplates.templateText(m, model), req.toolsJson, req.tools,
                        ToolChoice.auto(), true, req.format);
                VisionPrompt vision = null;
                int[] tokens;
                int[] userStarts = new int[0];
                if (req.images.isEmpty()) {
                    List<ChatMessage> conversation = conversation(model, req);
                    tokens = promptTokens(m, model, conversation, req, plan);
                    OutputPlan rendering = plan;
                    userStarts = UserMessageStarts.of(lease.engine(), conversation, tokens,
                            c -> promptTokens(m, model, c, req, rendering));
                } else {
                    ImageInputs.requireProjector(lease, req.model);
                    PromptTemplates.Rendered prompt = PromptTemplates.chat(m, model, conversation(model, req),
                            plan.templateTools(), req.think);
                    vision = ImageInputs.tokenize(lease, req.model, prompt.text(), req.images, prompt.addBos());
                    tokens = VisionTokens.textTokens(vision);
                }
                plan = plan.withThinking(PromptTemplates.thinking(m, model, null, req.think, req.model, tokens));
                SamplingParams sampling = plan.grammar().map(g -> options.sampling().toBuilder().grammar(g).build())
                        .orElse(options.sampling());
                GenerateRequest.Builder request = GenerateRequest.builder()
                        .sampling(sampling).maxTokens(options.numPredict()).stop(options.stop())
                        .numKeep(options.numKeep())
                        .truncate(req.truncate == null || req.truncate).shift(req.shift == null || req.shift)
                        .logprobs(req.logprobs).topLogprobs(req.topLogprobs).userMessageStarts(userStarts);
                if (vision != null) {
                    request.visionPrompt(vision);
                } else {
                    request.promptTokens(tokens);
                }
                return new CompletionFlow.Prepared(request.build(), tokens, plan);
            }

            @Override
            public ObjectNode chunk(String text) {
                ObjectNode o = OllamaJson.object();
                o.put("model", req.model);
                o.put("created_at", OllamaJson.now());
                o.putObject("message").put("role", "assistant").put("content", text);
                o.put("done", false);
                return o;
            }

            @Override
            public ObjectNode toolCallChunk(ArrayNode toolCalls) {
                ObjectNode o = chunk("");
                ((ObjectNode) o.get("message")).set("tool_calls", toolCalls);
                return o;
            }

            @Override
            public ObjectNode thinkingChunk(String thinking) {
                ObjectNode o = chunk("");
                ((ObjectNode) o.get("message")).put("thinking", thinking);
                return o;
            }

            @Override
            public ObjectNode last(OutputPlan.Reply reply, GenerationResult result, CompletionFlow.Prepared prepared) {
                ObjectNode o = chunk(reply.output().content());
                if (!reply.thinking().isEmpty()) {
                    ((ObjectNode) o.get("message")).put("thinking", reply.thinking());
                }
                ArrayNode calls = OllamaJson.toolCalls(reply.output().toolCalls());
                if (!calls.isEmpty()) {
                    ((ObjectNode) o.get("message")).set("tool_calls", calls);
                }
                o.put("done", true);
                o.put("done_reason", OllamaJson.doneReason(result.finishReason()));
                return o;
            }
        });
    }

    /** The prompt tokens of {@code messages} (a {@link #conversation} or the start of one). */
    private static int[] promptTokens(Model model, CatalogModel entry, List<ChatMessage> messages, Request req,
                                      OutputPlan plan) {
        PromptTemplates.Rendered prompt = PromptTemplates.chat(model, entry, messages, plan.templateTools(),
                req.think);
        return model.tokenize(prompt.text(), prompt.addBos(), true);
    }

    /** The messages a template renders: the Modelfile's MESSAGEs, then the request's; its SYSTEM if none has one. */
    static List<ChatMessage> conversation(CatalogModel entry, Request req) {
        List<ChatMessage> messages = req.messages;
        boolean hasSystem = messages.stream().anyMatch(m -> m.role().equals("system"));
        if (!entry.messages().isEmpty()) {
            // The Modelfile's MESSAGEs are the conversation the model starts from, as in Ollama.
            List<ChatMessage> all = new ArrayList<>();
            entry.messages().forEach(m -> all.add(new ChatMessage(m.role(), m.content(), List.of(), null, null)));
            all.addAll(messages);
            messages = all;
        }
        if (!hasSystem && entry.system() != null && !entry.system().isEmpty()) {
            messages = new ArrayList<>(messages);
            messages.addFirst(ChatMessage.system(entry.system()));
        }
        return messages;
    }

    /** What the GGUF's chat template renders: the conversation, tools and {@code enable_thinking}. */
    static ChatRequest chatRequest(CatalogModel entry, Request req, OutputPlan plan) {
        ChatRequest.Builder chat = ChatRequest.builder(conversation(entry, req)).tools(plan.templateTools());
        if (req.think.set()) {
            chat.variable("enable_thinking", req.think.enabled());
        }
        return chat.build();
    }
}
