package dev.puna.http.internal.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.CatalogModel;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.ModelNames;
import dev.puna.http.internal.ModelScheduler;
import dev.puna.http.internal.PromptTemplates;
import dev.puna.http.internal.RequestLimits;
import dev.puna.http.internal.UserMessageStarts;
import dev.puna.http.internal.gotemplate.OllamaTemplate;
import dev.puna.http.internal.vision.ImageInputs;
import dev.puna.http.internal.vision.VisionTokens;
import dev.puna.runtime.Model;
import dev.puna.runtime.chat.ChatMessage;
import dev.puna.runtime.chat.ToolCall;
import dev.puna.runtime.tools.ToolChoice;
import dev.puna.runtime.tools.ToolSpec;
import dev.puna.runtime.vision.VisionPrompt;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A {@code POST /v1/messages} (or {@code /v1/messages/count_tokens}) body, read strictly with Anthropic's types and
 * ranges (a 400 {@code invalid_request_error} naming the field) and turned into what the chat machinery takes: the
 * conversation as {@link ChatMessage}s, the tools in the {@code {"type":"function","function":{...}}} shape chat
 * templates and tool-call parsers know, and the sampling fields as Ollama options.
 *
 * <ul>
 *   <li>{@code system}: a string or text blocks, the conversation's first (system) message.</li>
 *   <li>{@code messages}: {@code user} and {@code assistant} turns, {@code content} a string or blocks:
 *       {@code text}; {@code image} (read into {@link ImageBlock}s and marked in the text where it stands); {@code tool_use} (assistant: a
 *       tool call, {@code input} its arguments); {@code tool_result} (user: a {@code tool} message for the template,
 *       named after the call it answers; {@code is_error} results are marked {@code Error: }); {@code thinking}
 *       (assistant: the turn's reasoning, passed back to the template); {@code redacted_thinking} is dropped, as
 *       it carries nothing a local model can read. A last {@code assistant} message without tool calls is a
 *       prefill: the reply continues it ({@link #promptTokens}).</li>
 *   <li>{@code max_tokens} (required on {@code /v1/messages}), {@code stop_sequences}, {@code temperature} (0 to 1),
 *       {@code top_p}, {@code top_k}.</li>
 *   <li>{@code tools} ({@code name}, {@code description}, {@code input_schema}; Anthropic's server tools are
 *       refused) and {@code tool_choice} ({@code auto}, {@code any}, {@code tool}, {@code none}, with
 *       {@code disable_parallel_tool_use}).</li>
 *   <li>{@code thinking} ({@code enabled} with {@code budget_tokens}, or {@code disabled}): Ollama's {@code think}
 *       for the template. {@code metadata}, {@code service_tier} and {@code cache_control} marks are accepted: they
 *       cannot change the output.</li>
 * </ul>
 *
 * @param model the model name as the client wrote it (or {@code PUNA_DEFAULT_MODEL})
 * @param messages the conversation, the system prompt first when there is one
 * @param maxTokens {@code max_tokens}, or -1 when absent (count_tokens)
 * @param options the sampling fields as Ollama options, for {@link dev.puna.http.internal.OptionsParser}
 * @param stopSequences {@code stop_sequences} (empty when none)
 * @param toolsJson the tools in the chat shape, or {@code null} when there are none
 * @param tools the same tools, as specs
 * @param toolChoice {@code tool_choice}, {@code auto} by default
 * @param parallelToolCalls false with {@code disable_parallel_tool_use}
 * @param stream whether to stream events
 * @param images every image block, in order
 * @param think {@code thinking}: enabled, disabled, or unset when absent
 */
record MessagesRequest(String model, List<ChatMessage> messages, int maxTokens, ObjectNode options,
                       List<String> stopSequences, ArrayNode toolsJson, List<ToolSpec> tools, ToolChoice toolChoice,
                       boolean parallelToolCalls, boolean stream, List<ImageBlock> images,
                       OllamaTemplate.Think think) {
    /**
     * The conversation the template renders and the prefill the reply continues: a last assistant message without
     * tool calls is the start of the answer (Anthropic's prefill), not a finished turn.
     */
    List<ChatMessage> history() {
        return prefill() == null ? messages : messages.subList(0, messages.size() - 1);
    }

    /** The text of a last assistant message the reply continues, or null. */
    String prefill() {
        ChatMessage last = messages.getLast();
        return last.role().equals("assistant") && last.toolCalls().isEmpty() ? last.content() : null;
    }

    /**
     * The prompt on the leased model (on a worker thread), with {@code tools} in the template's tool list: its text
     * tokens, or, with images, text and images tokenized by the model's projector (a 400 for a model without one).
     * The caller owns the returned prompt's vision part and closes it unless a generation takes it.
     */
    Prompt prompt(ModelScheduler.Lease lease, CatalogModel entry, List<Map<String, Object>> tools) {
        Model model = lease.engine().model();
        PromptTemplates.Rendered rendered = PromptTemplates.chatPrompt(model, entry, history(), tools, think,
                prefill());
        if (images.isEmpty()) {
            int[] tokens = model.tokenize(rendered.text(), rendered.addBos(), true);
            return new Prompt(tokens, tokens.length, null);
        }
        ImageInputs.requireProjector(lease, model());
        VisionPrompt vision = ImageInputs.tokenize(lease, model(), rendered.text(),
                images.stream().map(ImageBlock::image).toList(), rendered.addBos());
        return new Prompt(VisionTokens.textTokens(vision), vision.tokenCount(), vision);
    }

    /**
     * Where the user messages of {@link #prompt}'s text tokens start, for the engine's checkpoints
     * ({@link UserMessageStarts}); worker thread.
     */
    int[] userMessageStarts(ModelScheduler.Lease lease, CatalogModel entry, List<Map<String, Object>> tools,
                            int[] tokens) {
        Model model = lease.engine().model();
        return UserMessageStarts.of(lease.engine(), history(), tokens,
                m -> PromptTemplates.chatTokens(model, entry, m, tools, think, null));
    }

    /**
     * A tokenized prompt.
     *
     * @param textTokens its text tokens (images left out)
     * @param tokenCount every position it takes, image cells included
     * @param vision the prompt with its images, or null without images
     */
    record Prompt(int[] textTokens, int tokenCount, VisionPrompt vision) {
    }

    /** Anthropic's rule for tool names. */
    private static final Pattern TOOL_NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

    /**
     * Reads a body.
     *
     * @param requireMaxTokens whether {@code max_tokens} is required (it is on {@code /v1/messages})
     */
    static MessagesRequest read(JsonBody body, RequestLimits limits, boolean requireMaxTokens) {
        String model = body.string("model");
        ModelNames.require(model);
        Integer maxTokens = body.integer("max_tokens");
        if (maxTokens == null && requireMaxTokens) {
            throw ApiException.badParameter("max_tokens", "max_tokens: Field required");
        }
        if (maxTokens != null) {
            if (maxTokens < 1) {
                throw ApiException.badParameter("max_tokens", "max_tokens: must be at least 1, got " + maxTokens);
            }
            limits.checkNumPredict("max_tokens", maxTokens);
        }
        ObjectNode options = JsonBody.MAPPER.createObjectNode();
        Double temperature = range(body, "temperature", 0, 1);
        Double topP = range(body, "top_p", 0, 1);
        Integer topK = body.integer("top_k");
        if (topK != null && topK < 0) {
            throw ApiException.badParameter("top_k", "top_k: must be at least 0, got " + topK);
        }
        List<String> stop = body.strings("stop_sequences");
        if (stop == null) {
            stop = List.of();
        }
        limits.checkStop("stop_sequences", stop.size());
        stop = stop.stream().filter(s -> !s.isEmpty()).toList();
        if (temperature != null) {
            options.put("temperature", temperature);
        }
        if (topP != null) {
            options.put("top_p", topP);
        }
        if (topK != null) {
            options.put("top_k", topK);
        }
        if (maxTokens != null) {
            options.put("num_predict", maxTokens);
        }
        if (!stop.isEmpty()) {
            options.set("stop", JsonBody.tree(stop));
        }
        Boolean stream = body.bool("stream");
        ObjectNode metadata = body.object("metadata");
        if (metadata != null) {
            JsonBody.of(metadata, "metadata").string("user_id");
        }
        body.string("service_tier");
        OllamaTemplate.Think think = thinking(body.object("thinking"), maxTokens);

        ArrayNode toolsNode = body.array("tools");
        limits.checkTools("tools", toolsNode);
        ArrayNode toolsJson = toolsNode == null || toolsNode.isEmpty() ? null : tools(toolsNode);
        List<ToolSpec> specs = ToolSpec.listFrom(toolsJson);
        ObjectNode choiceNode = body.object("tool_choice");
        ToolChoice choice = ToolChoice.auto();
        boolean parallel = true;
        if (choiceNode != null) {
            JsonBody c = JsonBody.of(choiceNode, "tool_choice");
            String type = c.string("type");
            Boolean disableParallel = c.bool("disable_parallel_tool_use");
            parallel = disableParallel == null || !disableParallel;
            choice = switch (type == null ? "" : type) {
                case "auto" -> ToolChoice.auto();
                case "any" -> ToolChoice.required();
                case "none" -> ToolChoice.none();
                case "tool" -> {
                    String name = c.string("name");
                    if (name == null || name.isEmpty()) {
                        throw ApiException.badParameter("tool_choice.name", "tool_choice.name: Field required");
                    }
                    if (specs.stream().noneMatch(t -> t.name().equals(name))) {
                        throw ApiException.badParameter("tool_choice.name", "tool_choice names the tool '" + name
                                + "', which is not among the tools");
                    }
                    yield ToolChoice.function(name);
                }
                default -> throw ApiException.badParameter("tool_choice.type", "tool_choice.type: expected "
                        + "\"auto\", \"any\", \"tool\" or \"none\", got " + (type == null ? "nothing"
                        : "\"" + type + "\""));
            };
            if (choice instanceof ToolChoice.Required && specs.isEmpty()) {
                throw ApiException.badParameter("tool_choice", "tool_choice \"any\" needs tools");
            }
        }

        List<ImageBlock> images = new ArrayList<>();
        List<ChatMessage> messages = new ArrayList<>();
        String system = system(body.raw("system"));
        if (system != null && !system.isEmpty()) {
            messages.add(ChatMessage.system(system));
        }
        messages.addAll(new Conversation(images).read(body.array("messages")));
        limits.checkImages("messages", images.size());
        return new MessagesRequest(model, messages, maxTokens == null ? -1 : maxTokens, options, stop, toolsJson, specs,
                choice, parallel, stream != null && stream, List.copyOf(images), think);
    }

    private static Double range(JsonBody body, String field, double min, double max) {
        Double v = body.number(field);
        if (v != null && !(v >= min && v <= max)) {
            throw ApiException.badParameter(field, field + ": must be between " + (int) min + " and " + (int) max
                    + ", got " + v);
        }
        return v;
    }

    /**
     * {@code thinking}: {@code {"type":"enabled","budget_tokens":N}} (N at least 1024 and below {@code max_tokens},
     * Anthropic's rule; the reasoning is not cut at N, {@code max_tokens} bounds the whole output) or
     * {@code {"type":"disabled"}}, told to the template as Ollama's {@code think}.
     */
    private static OllamaTemplate.Think thinking(ObjectNode thinking, Integer maxTokens) {
        if (thinking == null) {
            return OllamaTemplate.Think.UNSET;
        }
        JsonBody t = JsonBody.of(thinking, "thinking");
        String type = t.string("type");
        Integer budget = t.integer("budget_tokens");
        if ("disabled".equals(type)) {
            return new OllamaTemplate.Think(false, "", true);
        }
        if (!"enabled".equals(type)) {
            throw ApiException.badParameter("thinking.type", "thinking.type: expected \"enabled\" or \"disabled\", "
                    + "got " + (type == null ? "nothing" : "\"" + type + "\""));
        }
        if (budget == null) {
            throw ApiException.badParameter("thinking.budget_tokens", "thinking.budget_tokens: Field required");
        }
        if (budget < 1024) {
            throw ApiException.badParameter("thinking.budget_tokens", "thinking.budget_tokens: must be at least 1024, "
                    + "got " + budget);
        }
        if (maxTokens != null && budget >= maxTokens) {
            throw ApiException.badParameter("thinking.budget_tokens", "thinking.budget_tokens: must be less than "
                    + "max_tokens (" + maxTokens + "), got " + budget);
        }
        return new OllamaTemplate.Think(true, "", true);
    }

    /** {@code system}: a string or an array of text blocks, joined. */
    private static String system(JsonNode v) {
        if (v == null) {
            return null;
        }
        if (v.isTextual()) {
            return v.textValue();
        }
        if (!v.isArray()) {
            throw ApiException.badParameter("system", "system: expected a string or an array of text blocks, got "
                    + JsonBody.describe(v));
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < v.size(); i++) {
            String at = "system[" + i + "]";
            JsonBody block = block(v.get(i), at);
            String type = block.string("type");
            if (!"text".equals(type)) {
                throw ApiException.badParameter(at + ".type", at + ".type: expected \"text\", got "
                        + (type == null ? "nothing" : "\"" + type + "\""));
            }
            if (i > 0) {
                text.append("\n\n");
            }
            text.append(requiredString(block, "text", at));
        }
        return text.toString();
    }

    /** Anthropic's tools in the chat shape: {@code {"type":"function","function":{name, description, parameters}}}. */
    private static ArrayNode tools(ArrayNode tools) {
        ArrayNode out = JsonBody.MAPPER.createArrayNode();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tools.size(); i++) {
            String at = "tools[" + i + "]";
            JsonBody t = block(tools.get(i), at);
            String type = t.string("type");
            if (type != null && !type.equals("custom")) {
                throw ApiException.badParameter(at + ".type", at + ".type: server tools (\"" + type + "\") are not "
                        + "supported: declare client tools with name, description and input_schema");
            }
            String name = requiredString(t, "name", at);
            if (!TOOL_NAME.matcher(name).matches()) {
                throw ApiException.badParameter(at + ".name", at + ".name: must be 1 to 64 letters, digits, '_' or "
                        + "'-', got \"" + name + "\"");
            }
            if (!names.add(name)) {
                throw ApiException.badParameter(at + ".name", at + ".name: duplicate tool name '" + name + "'");
            }
            String description = t.string("description");
            ObjectNode schema = t.object("input_schema");
            if (schema == null) {
                throw ApiException.badParameter(at + ".input_schema", at + ".input_schema: Field required");
            }
            ObjectNode function = out.addObject().put("type", "function").putObject("function");
            function.put("name", name);
            if (description != null) {
                function.put("description", description);
            }
            function.set("parameters", schema);
        }
        return out;
    }

    private static JsonBody block(JsonNode node, String at) {
        if (node == null || !node.isObject()) {
            throw ApiException.badParameter(at, at + ": expected an object, got " + JsonBody.describe(node));
        }
        return JsonBody.of((ObjectNode) node, at);
    }

    private static String requiredString(JsonBody b, String field, String at) {
        String v = b.string(field);
        if (v == null) {
            throw ApiException.badParameter(at + "." + field, at + "." + field + ": Field required");
        }
        return v;
    }

    /** Reads {@code messages}, remembering each tool call's name for the results that answer it. */
    private static final class Conversation {
        private final List<ImageBlock> images;
        private final Map<String, String> toolNames = new HashMap<>();

        Conversation(List<ImageBlock> images) {
            this.images = images;
        }

        List<ChatMessage> read(ArrayNode messages) {
            if (messages == null) {
                throw ApiException.badParameter("messages", "messages: Field required");
            }
            if (messages.isEmpty()) {
                throw ApiException.badParameter("messages", "messages: at least one message is required");
            }
            List<ChatMessage> out = new ArrayList<>();
            for (int i = 0; i < messages.size(); i++) {
                String at = "messages[" + i + "]";
                JsonBody m = block(messages.get(i), at);
                String role = m.string("role");
                if (role == null) {
                    throw ApiException.badParameter(at + ".role", at + ".role: Field required");
                }
                JsonNode content = m.raw("content");
                if (content == null) {
                    throw ApiException.badParameter(at + ".content", at + ".content: Field required");
                }
                switch (role) {
                    case "user" -> user(content, at + ".content", out);
                    case "assistant" -> out.add(assistant(content, at + ".content"));
                    default -> throw ApiException.badParameter(at + ".role", at + ".role: expected \"user\" or "
                            + "\"assistant\", got \"" + role + "\"");
                }
            }
            return out;
        }

        /** A user turn: its tool results as {@code tool} messages and its text as a user message, in order. */
        private void user(JsonNode content, String at, List<ChatMessage> out) {
            if (content.isTextual()) {
                out.add(ChatMessage.user(content.textValue()));
                return;
            }
            StringBuilder text = new StringBuilder();
            boolean[] pending = {false};
            eachBlock(content, at, (b, bat, type) -> {
                switch (type) {
                    case "text" -> {
                        text.append(requiredString(b, "text", bat));
                        pending[0] = true;
                    }
                    case "image" -> {
                        images.add(ImageBlock.read(b, bat));
                        text.append(ImageInputs.SENTINEL);
                        pending[0] = true;
                    }
                    case "tool_result" -> {
                        if (pending[0]) {
                            out.add(ChatMessage.user(text.toString()));
                            text.setLength(0);
                            pending[0] = false;
                        }
                        out.add(toolResult(b, bat));
                    }
                    case "document", "search_result" -> throw ApiException.badParameter(bat + ".type", bat
                            + ".type: " + type + " blocks are not supported");
                    default -> throw ApiException.badParameter(bat + ".type", bat + ".type: expected \"text\", "
                            + "\"image\" or \"tool_result\" in a user message, got \"" + type + "\"");
                }
            });
            if (pending[0]) {
                out.add(ChatMessage.user(text.toString()));
            }
        }

        private ChatMessage toolResult(JsonBody b, String at) {
            String id = requiredString(b, "tool_use_id", at);
            String name = toolNames.get(id);
            if (name == null) {
                throw ApiException.badParameter(at + ".tool_use_id", at + ".tool_use_id: no tool_use block with id '"
                        + id + "' comes before this tool_result");
            }
            Boolean isError = b.bool("is_error");
            String result = resultContent(b.raw("content"), at + ".content");
            return ChatMessage.tool(isError != null && isError ? "Error: " + result : result, id, name);
        }

        /** A tool result's {@code content}: absent, a string, or text (and image) blocks. */
        private String resultContent(JsonNode v, String at) {
            if (v == null || (v.isArray() && v.isEmpty())) {
                return ""; // a tool may return nothing
            }
            if (v.isTextual()) {
                return v.textValue();
            }
            StringBuilder text = new StringBuilder();
            eachBlock(v, at, (b, bat, type) -> {
                switch (type) {
                    case "text" -> text.append(requiredString(b, "text", bat));
                    case "image" -> {
                        images.add(ImageBlock.read(b, bat));
                        text.append(ImageInputs.SENTINEL);
                    }
                    default -> throw ApiException.badParameter(bat + ".type", bat + ".type: expected \"text\" or "
                            + "\"image\" in a tool_result, got \"" + type + "\"");
                }
            });
            return text.toString();
        }

        /** An assistant turn: its text, tool calls and reasoning. */
        private ChatMessage assistant(JsonNode content, String at) {
            if (content.isTextual()) {
                return ChatMessage.assistant(content.textValue());
            }
            StringBuilder text = new StringBuilder();
            StringBuilder thinking = new StringBuilder();
            List<ToolCall> calls = new ArrayList<>();
            eachBlock(content, at, (b, bat, type) -> {
                switch (type) {
                    case "text" -> text.append(requiredString(b, "text", bat));
                    case "tool_use" -> calls.add(toolUse(b, bat));
                    case "thinking" -> thinking.append(requiredString(b, "thinking", bat));
                    case "redacted_thinking" -> requiredString(b, "data", bat);
                    default -> throw ApiException.badParameter(bat + ".type", bat + ".type: expected \"text\", "
                            + "\"tool_use\" or \"thinking\" in an assistant message, got \"" + type + "\"");
                }
            });
            return new ChatMessage("assistant", text.toString(), calls, null, null,
                    thinking.isEmpty() ? null : thinking.toString());
        }

        /** A {@code tool_use} block as a tool call, remembered for the results that answer it. */
        private ToolCall toolUse(JsonBody b, String at) {
            String id = requiredString(b, "id", at);
            String name = requiredString(b, "name", at);
            ObjectNode input = b.object("input");
            if (input == null) {
                throw ApiException.badParameter(at + ".input", at + ".input: Field required");
            }
            toolNames.put(id, name);
            @SuppressWarnings("unchecked")
            Map<String, Object> arguments = JsonBody.MAPPER.convertValue(input, Map.class);
            return new ToolCall(id, name, arguments);
        }

        /** What reads one content block, given where it is and its type. */
        private interface BlockReader {
            void read(JsonBody block, String at, String type);
        }

        /** Reads a non-empty array of content blocks, each an object with a {@code type}. */
        private static void eachBlock(JsonNode v, String at, BlockReader reader) {
            if (!v.isArray()) {
                throw ApiException.badParameter(at, at + ": expected a string or an array of content blocks, got "
                        + JsonBody.describe(v));
            }
            if (v.isEmpty()) {
                throw ApiException.badParameter(at, at + ": at least one content block is required");
            }
            for (int i = 0; i < v.size(); i++) {
                String bat = at + "[" + i + "]";
                JsonBody b = block(v.get(i), bat);
                reader.read(b, bat, requiredString(b, "type", bat));
            }
        }
    }
}
