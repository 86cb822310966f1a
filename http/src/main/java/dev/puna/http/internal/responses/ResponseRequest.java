package dev.puna.http.internal.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.ModelNames;
import dev.puna.http.internal.output.AnswerFormat;
import dev.puna.http.internal.stateful.Metadata;
import dev.puna.http.internal.stateful.PathIds;
import dev.puna.runtime.InvalidParameterException;
import dev.puna.runtime.tools.ToolChoice;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code POST /v1/responses}, read strictly: every field OpenAI defines is checked (a 400 naming it) and either acted
 * on or refused; built-in tools, images and logprobs, which this server cannot provide, are 400s, never ignored.
 * Tools come flat ({@code {"type":"function","name":...}}) and {@code text.format} flat; both are turned into the
 * Chat Completions shapes the engine's tool and answer grammars take.
 *
 * @param input the {@code input} as sent (read into items once the history is known, for item references)
 * @param chatTools the tools in Chat Completions' shape, for the chat template
 * @param toolChoice the runtime's reading of {@code tool_choice}
 * @param answer the shape a reply that is not a tool call must have
 * @param previousResponseId the response this one continues, or {@code null}
 * @param conversationId the conversation it appends to, or {@code null}
 */
record ResponseRequest(String model, JsonNode input, String instructions, String previousResponseId,
                       String conversationId, boolean store, boolean background, boolean stream,
                       Integer maxOutputTokens, Double temperature, Double topP, ArrayNode tools, ArrayNode chatTools,
                       JsonNode toolChoiceJson, ToolChoice toolChoice, boolean parallelToolCalls, ObjectNode text,
                       AnswerFormat answer, boolean truncationAuto, ObjectNode metadata, String user) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Set<String> FIELDS = Set.of("model", "input", "instructions", "previous_response_id",
            "conversation", "store", "background", "stream", "stream_options", "max_output_tokens", "temperature",
            "top_p", "tools", "tool_choice", "parallel_tool_calls", "text", "truncation", "metadata", "include",
            "reasoning", "user", "service_tier", "prompt_cache_key", "safety_identifier", "top_logprobs",
            "max_tool_calls", "prompt");
    /** {@code include} values that ask for data this server does not produce. */
    private static final Set<String> UNSUPPORTED_INCLUDES = Set.of("message.output_text.logprobs");

    static ResponseRequest read(JsonBody b) {
        dev.puna.http.internal.stateful.Replies.knownFields(b, FIELDS, "");
        String model = b.string("model");
        if (model == null) {
            throw ApiException.badParameter("model", "\"model\" is required");
        }
        ModelNames.require(model);
        JsonNode input = b.raw("input");
        if (input == null) {
            throw ApiException.badParameter("input", "\"input\" is required");
        }
        String instructions = b.string("instructions");
        String previous = b.string("previous_response_id");
        if (previous != null && !PathIds.isWellFormed(previous)) {
            throw previousNotFound(previous);
        }
        String conversation = conversation(b);
        if (previous != null && conversation != null) {
            throw ApiException.badParameter("conversation", "\"previous_response_id\" and \"conversation\" cannot be "
                    + "used together");
        }
        Boolean storeField = b.bool("store");
        boolean store = storeField == null || storeField;
        Boolean bg = b.bool("background");
        boolean background = bg != null && bg;
        if (background && !store) {
            throw ApiException.badParameter("background", "background responses must be stored: \"background\" "
                    + "needs \"store\" true");
        }
        Boolean streamField = b.bool("stream");
        boolean stream = streamField != null && streamField;
        ObjectNode streamOptions = b.object("stream_options");
        if (streamOptions != null && !stream) {
            throw ApiException.badParameter("stream_options", "\"stream_options\" is only allowed when \"stream\" is "
                    + "true");
        }
        Integer maxOutput = b.integer("max_output_tokens");
        if (maxOutput != null && maxOutput < 1) {
            throw ApiException.badParameter("max_output_tokens", "\"max_output_tokens\" must be at least 1, got "
                    + maxOutput);
        }
        Double temperature = range(b, "temperature", 0, 2);
        Double topP = range(b, "top_p", 0, 1);
        ArrayNode tools = b.array("tools");
        ArrayNode chatTools = chatTools(tools);
        JsonNode toolChoiceJson = b.raw("tool_choice");
        ToolChoice toolChoice = toolChoice(toolChoiceJson, chatTools);
        Boolean parallel = b.bool("parallel_tool_calls");
        ObjectNode text = b.object("text");
        AnswerFormat answer = answer(text);
        if (!answer.isText() && (toolChoice instanceof ToolChoice.Required || toolChoice instanceof ToolChoice.Function)) {
            throw ApiException.badParameter("text.format", "\"text.format\" cannot be combined with a "
                    + "\"tool_choice\" that forces tool calls: both would constrain the same output");
        }
        String truncation = b.string("truncation");
        if (truncation != null && !truncation.equals("auto") && !truncation.equals("disabled")) {
            throw ApiException.badParameter("truncation", "invalid value for \"truncation\": expected \"auto\" or "
                    + "\"disabled\", got \"" + truncation + "\"");
        }
        ObjectNode metadata = Metadata.read(b, "metadata", "metadata");
        for (String inc : b.strings("include") == null ? java.util.List.<String>of() : b.strings("include")) {
            if (UNSUPPORTED_INCLUDES.contains(inc)) {
                throw ApiException.badParameter("include", "\"include\" asks for " + inc + ", which this server does "
                        + "not produce");
            }
        }
        Integer topLogprobs = b.integer("top_logprobs");
        if (topLogprobs != null && topLogprobs != 0) {
            throw ApiException.badParameter("top_logprobs", "\"top_logprobs\" is not supported on /v1/responses");
        }
        if (b.has("prompt")) {
            throw ApiException.badParameter("prompt", "stored prompts (\"prompt\") are not supported: send "
                    + "\"instructions\" and \"input\"");
        }
        Integer maxToolCalls = b.integer("max_tool_calls");
        if (maxToolCalls != null && maxToolCalls < 1) {
            throw ApiException.badParameter("max_tool_calls", "\"max_tool_calls\" must be at least 1");
        }
        ObjectNode reasoning = b.object("reasoning");
        if (reasoning != null) {
            JsonBody r = JsonBody.of(reasoning, "reasoning");
            String effort = r.string("effort");
            if (effort != null && !Set.of("minimal", "low", "medium", "high").contains(effort)) {
                throw ApiException.badParameter("reasoning.effort", "invalid value for \"reasoning.effort\": "
                        + "expected \"minimal\", \"low\", \"medium\" or \"high\", got \"" + effort + "\"");
            }
        }
        b.string("service_tier");
        b.string("prompt_cache_key");
        b.string("safety_identifier");
        return new ResponseRequest(model, input, instructions, previous, conversation, store, background, stream,
                maxOutput, temperature, topP, tools == null ? JsonBody.MAPPER.createArrayNode() : tools, chatTools,
                toolChoiceJson, toolChoice, parallel == null || parallel, text, answer,
                "auto".equals(truncation), metadata, b.string("user"));
    }

    /** OpenAI's answer to an unknown or unstored previous response: a 400 with its code. */
    static ApiException previousNotFound(String id) {
        return ApiException.badParameter("previous_response_id", "Previous response with id '" + id
                + "' not found.").withCode("previous_response_not_found");
    }

    private static String conversation(JsonBody b) {
        JsonNode c = b.raw("conversation");
        if (c == null) {
            return null;
        }
        String id;
        if (c.isTextual()) {
            id = c.textValue();
        } else if (c.isObject() && c.path("id").isTextual()) {
            id = c.path("id").textValue();
        } else {
            throw ApiException.badParameter("conversation", "invalid value for \"conversation\": expected a "
                    + "conversation id or {\"id\": ...}, got " + JsonBody.describe(c));
        }
        if (!PathIds.isWellFormed(id)) {
            throw ApiException.notFound("Conversation with id '" + id + "' not found.");
        }
        return id;
    }

    private static Double range(JsonBody b, String field, double min, double max) {
        Double v = b.number(field);
        if (v != null && !(v >= min && v <= max)) {
            throw ApiException.badParameter(field, "\"" + field + "\" must be between " + (long) min + " and "
                    + (long) max + ", got " + v);
        }
        return v;
    }

    /** Flat function tools to Chat Completions' nested shape; built-in tools are refused. */
    private static ArrayNode chatTools(ArrayNode tools) {
        ArrayNode out = JsonBody.MAPPER.createArrayNode();
        if (tools == null) {
            return out;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tools.size(); i++) {
            String at = "tools[" + i + "]";
            JsonNode t = tools.get(i);
            if (!t.isObject()) {
                throw ApiException.badParameter(at, "invalid value for \"" + at + "\": expected an object, got "
                        + JsonBody.describe(t));
            }
            JsonBody tb = JsonBody.of((ObjectNode) t, at);
            String type = tb.string("type");
            if (type == null) {
                throw ApiException.badParameter(at + ".type", "\"" + at + ".type\" is required");
            }
            if (!type.equals("function")) {
                throw ApiException.badParameter(at + ".type", "the " + type + " tool is not supported by this server: "
                        + "it runs function tools only");
            }
            String name = tb.string("name");
            if (name == null || !NAME.matcher(name).matches()) {
                throw ApiException.badParameter(at + ".name", "\"" + at + ".name\" is required: 1 to 64 letters, "
                        + "digits, '_' or '-'");
            }
            if (!names.add(name)) {
                throw ApiException.badParameter(at + ".name", "two tools are named '" + name + "'");
            }
            ObjectNode params = tb.object("parameters");
            tb.string("description");
            tb.bool("strict");
            ObjectNode fn = out.addObject().put("type", "function").putObject("function");
            fn.put("name", name);
            if (tb.has("description")) {
                fn.put("description", tb.string("description"));
            }
            if (params != null) {
                fn.set("parameters", params);
            }
        }
        return out;
    }

    private static ToolChoice toolChoice(JsonNode v, ArrayNode chatTools) {
        if (v == null) {
            return ToolChoice.auto();
        }
        JsonNode chatShape = v;
        if (v.isObject()) {
            String type = v.path("type").asText("");
            if (!type.equals("function")) {
                throw ApiException.badParameter("tool_choice", "\"tool_choice\" of type \"" + type + "\" is not "
                        + "supported: use \"none\", \"auto\", \"required\" or {\"type\":\"function\",\"name\":...}");
            }
            ObjectNode c = JsonBody.MAPPER.createObjectNode().put("type", "function");
            c.putObject("function").put("name", v.path("name").asText(""));
            chatShape = c;
        }
        ToolChoice choice;
        try {
            choice = ToolChoice.fromJson(chatShape);
        } catch (InvalidParameterException e) {
            throw ApiException.badParameter("tool_choice", e.getMessage());
        }
        if (choice instanceof ToolChoice.Function f) {
            boolean known = false;
            for (JsonNode t : chatTools) {
                known |= f.name().equals(t.path("function").path("name").asText());
            }
            if (!known) {
                throw ApiException.badParameter("tool_choice", "\"tool_choice\" names the function '" + f.name()
                        + "', which is not among the tools");
            }
        }
        if ((choice instanceof ToolChoice.Required || choice instanceof ToolChoice.Function) && chatTools.isEmpty()) {
            throw ApiException.badParameter("tool_choice", "\"tool_choice\" requires a tool call, but there are no "
                    + "tools");
        }
        return choice;
    }

    /** {@code text.format}, flat as Responses sends it, read as the chat {@code response_format} it amounts to. */
    private static AnswerFormat answer(ObjectNode text) {
        if (text == null) {
            return AnswerFormat.text();
        }
        JsonBody t = JsonBody.of(text, "text");
        String verbosity = t.string("verbosity");
        if (verbosity != null && !Set.of("low", "medium", "high").contains(verbosity)) {
            throw ApiException.badParameter("text.verbosity", "invalid value for \"text.verbosity\": expected "
                    + "\"low\", \"medium\" or \"high\", got \"" + verbosity + "\"");
        }
        ObjectNode format = t.object("format");
        if (format == null) {
            return AnswerFormat.text();
        }
        JsonBody f = JsonBody.of(format, "text.format");
        String type = f.string("type");
        if (type == null) {
            throw ApiException.badParameter("text.format.type", "\"text.format.type\" is required");
        }
        ObjectNode chat = JsonBody.MAPPER.createObjectNode().put("type", type);
        switch (type) {
            case "text", "json_object" -> {
            }
            case "json_schema" -> {
                String name = f.string("name");
                if (name == null || !NAME.matcher(name).matches()) {
                    throw ApiException.badParameter("text.format.name", "\"text.format.name\" is required: 1 to 64 "
                            + "letters, digits, '_' or '-'");
                }
                ObjectNode schema = f.object("schema");
                if (schema == null) {
                    throw ApiException.badParameter("text.format.schema", "\"text.format.schema\" is required");
                }
                f.bool("strict");
                ObjectNode js = chat.putObject("json_schema");
                js.put("name", name);
                js.set("schema", schema);
            }
            default -> throw ApiException.badParameter("text.format.type", "invalid value for \"text.format.type\": "
                    + "expected \"text\", \"json_object\" or \"json_schema\", got \"" + type + "\"");
        }
        try {
            return AnswerFormat.fromResponseFormat(chat);
        } catch (InvalidParameterException e) {
            throw ApiException.badParameter(e.parameter().replace("response_format.json_schema", "text.format"),
                    e.getMessage().replace("response_format.json_schema", "text.format"));
        }
    }
}
