package dev.puna.http.internal.assistants;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.output.AnswerFormat;
import dev.puna.runtime.InvalidParameterException;
import dev.puna.runtime.tools.ToolChoice;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Assistants API's request fields, checked completely as they are read (a 400 naming the field) and returned in
 * the shape they are stored and served in: {@code tools}, {@code tool_choice}, {@code response_format},
 * {@code truncation_strategy}, sampling numbers, and message content. Tools that need what this server does not
 * have ({@code code_interpreter}: a sandbox; {@code file_search}: vector stores) are refused, never ignored.
 */
final class Fields {
    /** OpenAI's rule for function names. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    static final int MAX_TOOLS = 128;

    private Fields() {
    }

    static void known(JsonBody body, Set<String> fields, String path) {
        dev.puna.http.internal.stateful.Replies.knownFields(body, fields, path);
    }

    /** {@code reasoning_effort}: accepted as OpenAI spells it (the models here do not reason). */
    static String reasoningEffort(JsonBody body) {
        String v = body.string("reasoning_effort");
        if (v != null && !Set.of("minimal", "low", "medium", "high").contains(v)) {
            throw ApiException.badParameter("reasoning_effort", "invalid value for \"reasoning_effort\": expected "
                    + "\"minimal\", \"low\", \"medium\" or \"high\", got \"" + v + "\"");
        }
        return v;
    }

    /** {@code tools}: function tools in Chat Completions' shape; {@code null} when absent. */
    static ArrayNode tools(JsonBody body, String field) {
        ArrayNode tools = body.array(field);
        if (tools == null) {
            return null;
        }
        if (tools.size() > MAX_TOOLS) {
            throw ApiException.badParameter(field, "\"" + field + "\" may hold at most " + MAX_TOOLS + " tools, got "
                    + tools.size());
        }
        ArrayNode out = JsonBody.MAPPER.createArrayNode();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tools.size(); i++) {
            String at = field + "[" + i + "]";
            JsonNode t = tools.get(i);
            if (!t.isObject()) {
                throw ApiException.badParameter(at, "invalid value for \"" + at + "\": expected an object, got "
                        + JsonBody.describe(t));
            }
            JsonBody tool = JsonBody.of((ObjectNode) t, at);
            String type = tool.string("type");
            if (type == null) {
                throw ApiException.badParameter(at + ".type", "\"" + at + ".type\" is required");
            }
            switch (type) {
                case "function" -> {
                    ObjectNode fn = tool.object("function");
                    if (fn == null) {
                        throw ApiException.badParameter(at + ".function", "\"" + at + ".function\" is required");
                    }
                    JsonBody f = JsonBody.of(fn, at + ".function");
                    String name = f.string("name");
                    if (name == null || !NAME.matcher(name).matches()) {
                        throw ApiException.badParameter(at + ".function.name", "\"" + at + ".function.name\" is "
                                + "required: 1 to 64 letters, digits, '_' or '-'");
                    }
                    if (!names.add(name)) {
                        throw ApiException.badParameter(at + ".function.name", "two tools are named '" + name + "'");
                    }
                    f.string("description");
                    f.bool("strict");
                    ObjectNode params = f.object("parameters");
                    ObjectNode function = JsonBody.MAPPER.createObjectNode();
                    function.put("name", name);
                    if (f.has("description")) {
                        function.put("description", f.string("description"));
                    }
                    if (params != null) {
                        function.set("parameters", params);
                    }
                    if (f.has("strict")) {
                        function.put("strict", f.bool("strict"));
                    }
                    ObjectNode stored = out.addObject();
                    stored.put("type", "function");
                    stored.set("function", function);
                }
                case "code_interpreter" -> throw ApiException.badParameter(at + ".type", "the code_interpreter tool "
                        + "is not supported by this server: it has no code sandbox (use function tools)");
                case "file_search" -> throw ApiException.badParameter(at + ".type", "the file_search tool is not "
                        + "supported by this server: it has no files or vector stores (use function tools)");
                default -> throw ApiException.badParameter(at + ".type", "invalid value for \"" + at + ".type\": "
                        + "expected \"function\", got \"" + type + "\"");
            }
        }
        return out;
    }

    /**
     * {@code tool_choice}, checked against {@code tools} (only its shape when {@code tools} is {@code null}): the
     * value as stored ({@code "auto"} when absent).
     */
    static JsonNode toolChoice(JsonBody body, ArrayNode tools) {
        JsonNode v = body.raw("tool_choice");
        if (v == null) {
            return JsonBody.MAPPER.getNodeFactory().textNode("auto");
        }
        if (v.isObject()) {
            String type = v.path("type").asText("");
            if (type.equals("file_search") || type.equals("code_interpreter")) {
                throw ApiException.badParameter("tool_choice", "\"tool_choice\" forces the " + type + " tool, which "
                        + "this server does not support");
            }
        }
        ToolChoice choice;
        try {
            choice = ToolChoice.fromJson(v);
        } catch (InvalidParameterException e) {
            throw ApiException.badParameter("tool_choice", e.getMessage());
        }
        if (tools == null) {
            return v;
        }
        if (choice instanceof ToolChoice.Function f) {
            boolean known = false;
            for (JsonNode t : tools) {
                known |= f.name().equals(t.path("function").path("name").asText());
            }
            if (!known) {
                throw ApiException.badParameter("tool_choice", "\"tool_choice\" names the function '" + f.name()
                        + "', which is not among the tools");
            }
        }
        if ((choice instanceof ToolChoice.Required || choice instanceof ToolChoice.Function) && tools.isEmpty()) {
            throw ApiException.badParameter("tool_choice", "\"tool_choice\" requires a tool call, but there are no "
                    + "tools");
        }
        return v;
    }

    /** The runtime's reading of a stored {@code tool_choice}. */
    static ToolChoice toolChoiceOf(JsonNode stored) {
        return ToolChoice.fromJson(stored);
    }

    /** {@code response_format}: {@code "auto"}, or an object the answer grammar can enforce; {@code null} when absent. */
    static JsonNode responseFormat(JsonBody body) {
        JsonNode v = body.raw("response_format");
        if (v == null) {
            return null;
        }
        if (v.isTextual() && v.textValue().equals("auto")) {
            return v;
        }
        if (!v.isObject()) {
            throw ApiException.badParameter("response_format", "invalid value for \"response_format\": expected "
                    + "\"auto\" or an object, got " + JsonBody.describe(v));
        }
        answerFormat(v);
        return v;
    }

    /** The answer format a stored {@code response_format} asks for. */
    static AnswerFormat answerFormat(JsonNode stored) {
        if (stored == null || stored.isNull() || stored.isTextual()) {
            return AnswerFormat.text();
        }
        if (stored.path("type").asText().equals("json_schema")) {
            JsonNode js = stored.path("json_schema");
            if (!js.isObject()) {
                throw ApiException.badParameter("response_format.json_schema",
                        "\"response_format.json_schema\" is required for type json_schema");
            }
        }
        try {
            return AnswerFormat.fromResponseFormat(stored);
        } catch (InvalidParameterException e) {
            throw ApiException.badParameter(e.parameter(), e.getMessage());
        }
    }

    /** A number in {@code [min, max]}, or {@code null}. */
    static Double range(JsonBody body, String field, double min, double max) {
        Double v = body.number(field);
        if (v != null && !(v >= min && v <= max)) {
            throw ApiException.badParameter(field, "\"" + field + "\" must be between " + (long) min + " and "
                    + (long) max + ", got " + v);
        }
        return v;
    }

    /** A whole number of at least {@code min}, or {@code null}. */
    static Integer atLeast(JsonBody body, String field, int min) {
        Integer v = body.integer(field);
        if (v != null && v < min) {
            throw ApiException.badParameter(field, "\"" + field + "\" must be at least " + min + ", got " + v);
        }
        return v;
    }

    /** A string of at most {@code max} characters, or {@code null}. */
    static String text(JsonBody body, String field, int max) {
        String v = body.string(field);
        if (v != null && v.length() > max) {
            throw ApiException.badParameter(field, "\"" + field + "\" may be at most " + max + " characters long, got "
                    + v.length());
        }
        return v;
    }

    /** {@code truncation_strategy}, as stored ({@code {"type":"auto","last_messages":null}} when absent). */
    static ObjectNode truncation(JsonBody body) {
        ObjectNode v = body.object("truncation_strategy");
        ObjectNode out = JsonBody.MAPPER.createObjectNode();
        if (v == null) {
            out.put("type", "auto");
            out.putNull("last_messages");
            return out;
        }
        JsonBody t = JsonBody.of(v, "truncation_strategy");
        String type = t.string("type");
        Integer last = t.integer("last_messages");
        if (type == null) {
            throw ApiException.badParameter("truncation_strategy.type", "\"truncation_strategy.type\" is required");
        }
        switch (type) {
            case "auto" -> {
                out.put("type", "auto");
                out.putNull("last_messages");
            }
            case "last_messages" -> {
                if (last == null || last < 1) {
                    throw ApiException.badParameter("truncation_strategy.last_messages", "\"truncation_strategy"
                            + ".last_messages\" must be a whole number of at least 1 for type last_messages");
                }
                out.put("type", "last_messages");
                out.put("last_messages", last);
            }
            default -> throw ApiException.badParameter("truncation_strategy.type", "invalid value for "
                    + "\"truncation_strategy.type\": expected \"auto\" or \"last_messages\", got \"" + type + "\"");
        }
        return out;
    }

    /**
     * A message's {@code content} (a string, or text parts) as the output parts the API serves:
     * {@code [{"type":"text","text":{"value":...,"annotations":[]}}]}.
     *
     * @param path how errors name the field, e.g. {@code content} or {@code messages[0].content}
     */
    static ArrayNode content(JsonNode v, String path) {
        if (v == null || v.isNull()) {
            throw ApiException.badParameter(path, "\"" + path + "\" is required");
        }
        ArrayNode out = JsonBody.MAPPER.createArrayNode();
        if (v.isTextual()) {
            out.add(textPart(v.textValue()));
            return out;
        }
        if (!v.isArray()) {
            throw ApiException.badParameter(path, "invalid value for \"" + path + "\": expected a string or an array "
                    + "of content parts, got " + JsonBody.describe(v));
        }
        if (v.isEmpty()) {
            throw ApiException.badParameter(path, "\"" + path + "\" must contain at least one content part");
        }
        for (int i = 0; i < v.size(); i++) {
            String at = path + "[" + i + "]";
            JsonNode part = v.get(i);
            if (!part.isObject()) {
                throw ApiException.badParameter(at, "invalid value for \"" + at + "\": expected a content part object, "
                        + "got " + JsonBody.describe(part));
            }
            JsonBody p = JsonBody.of((ObjectNode) part, at);
            String type = p.string("type");
            if (type == null) {
                throw ApiException.badParameter(at + ".type", "\"" + at + ".type\" is required");
            }
            switch (type) {
                case "text" -> {
                    String text = p.string("text");
                    if (text == null) {
                        throw ApiException.badParameter(at + ".text", "\"" + at + ".text\" is required");
                    }
                    out.add(textPart(text));
                }
                case "image_url", "image_file" -> throw ApiException.badParameter(at, "image content parts are not "
                        + "taken by the Assistants API yet; /v1/chat/completions takes images (" + type + ")");
                default -> throw ApiException.badParameter(at + ".type", "invalid value for \"" + at + ".type\": "
                        + "expected \"text\", \"image_url\" or \"image_file\", got \"" + type + "\"");
            }
        }
        return out;
    }

    /** One output text part. */
    static ObjectNode textPart(String value) {
        ObjectNode part = JsonBody.MAPPER.createObjectNode();
        part.put("type", "text");
        ObjectNode text = part.putObject("text");
        text.put("value", value);
        text.putArray("annotations");
        return part;
    }

    /** The text of a stored message's content parts, concatenated. */
    static String plainText(JsonNode content) {
        StringBuilder b = new StringBuilder();
        for (JsonNode part : content) {
            if (part.path("type").asText().equals("text")) {
                b.append(part.path("text").path("value").asText());
            }
        }
        return b.toString();
    }

    /** {@code attachments}: refused (they name files, and this server has no files API); an empty array is fine. */
    static void noAttachments(JsonBody body, String path) {
        ArrayNode a = body.array("attachments");
        if (a != null && !a.isEmpty()) {
            throw ApiException.badParameter(path, "\"" + path + "\" are not supported: they need the files API and "
                    + "the file_search or code_interpreter tools, which this server does not provide");
        }
    }

    /** {@code tool_resources}: refused unless empty, for the same reason. */
    static void noToolResources(JsonBody body, String path) {
        ObjectNode r = body.object("tool_resources");
        if (r == null) {
            return;
        }
        for (var e : r.properties()) {
            JsonNode ids = e.getValue().isObject() ? e.getValue().elements().hasNext()
                    ? e.getValue().elements().next() : null : e.getValue();
            if (ids != null && !(ids.isArray() && ids.isEmpty())) {
                throw ApiException.badParameter(path + "." + e.getKey(), "\"" + path + "\" are not supported: "
                        + "this server has no files or vector stores");
            }
        }
    }
}
