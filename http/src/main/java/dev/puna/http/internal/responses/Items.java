package dev.puna.http.internal.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.JsonBody;
import dev.puna.runtime.chat.ChatMessage;
import dev.puna.runtime.chat.ToolCall;
import dev.puna.state.Ids;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The items of the Responses and Conversations APIs: messages ({@code input_text}/{@code output_text} parts),
 * {@code function_call} and {@code function_call_output}, {@code reasoning}, and {@code item_reference}s to earlier
 * ones. {@link #read} checks what a client sends and returns each item in the shape it is stored and listed in (an
 * {@code id} and a {@code status} on every item, content as parts); {@link #toChat} turns a history of items into the
 * chat messages a template renders, tool calls and their outputs included (a chain that dropped them would leave
 * the model answering calls it never made).
 */
final class Items {
    private Items() {
    }

    /**
     * Reads {@code input}: a string (one user message) or an array of items.
     *
     * @param path how errors name the field ({@code input}, {@code items})
     * @param references resolves an {@code item_reference} id to the item it names, or {@code null} if none
     * @throws ApiException 400 naming the item and field at fault
     */
    static List<ObjectNode> read(JsonNode input, String path, Function<String, ObjectNode> references) {
        List<ObjectNode> out = new ArrayList<>();
        if (input == null || input.isNull()) {
            throw ApiException.badParameter(path, "\"" + path + "\" is required");
        }
        if (input.isTextual()) {
            out.add(message(null, "user", textParts(input.textValue(), "input_text")));
            return out;
        }
        if (!input.isArray()) {
            throw ApiException.badParameter(path, "invalid value for \"" + path + "\": expected a string or an array "
                    + "of items, got " + JsonBody.describe(input));
        }
        for (int i = 0; i < input.size(); i++) {
            out.add(item(input.get(i), path + "[" + i + "]", references));
        }
        return out;
    }

    private static ObjectNode item(JsonNode node, String at, Function<String, ObjectNode> references) {
        if (!node.isObject()) {
            throw ApiException.badParameter(at, "invalid value for \"" + at + "\": expected an object, got "
                    + JsonBody.describe(node));
        }
        JsonBody b = JsonBody.of((ObjectNode) node, at);
        String type = b.string("type");
        String id = b.string("id");
        if (id != null && !dev.puna.http.internal.stateful.PathIds.isWellFormed(id)) {
            throw ApiException.badParameter(at + ".id", "invalid value for \"" + at + ".id\": 1 to 64 letters, digits, "
                    + "'_' or '-'");
        }
        // An item without a type is a message (llama-server refused those: clients send them).
        switch (type == null ? "message" : type) {
            case "message" -> {
                String role = b.string("role");
                if (role == null) {
                    throw ApiException.badParameter(at + ".role", "\"" + at + ".role\" is required");
                }
                if (!List.of("user", "assistant", "system", "developer").contains(role)) {
                    throw ApiException.badParameter(at + ".role", "invalid value for \"" + at + ".role\": expected "
                            + "\"user\", \"assistant\", \"system\" or \"developer\", got \"" + role + "\"");
                }
                return message(id, role, content(b.raw("content"), at + ".content", role));
            }
            case "function_call" -> {
                String callId = required(b, "call_id", at);
                String name = required(b, "name", at);
                String arguments = b.string("arguments");
                ObjectNode o = JsonBody.MAPPER.createObjectNode();
                o.put("type", "function_call");
                o.put("id", id != null ? id : Ids.next("fc"));
                o.put("call_id", callId);
                o.put("name", name);
                o.put("arguments", arguments == null ? "{}" : arguments);
                o.put("status", "completed");
                return o;
            }
            case "function_call_output" -> {
                String callId = required(b, "call_id", at);
                JsonNode output = b.raw("output");
                String text;
                if (output != null && output.isTextual()) {
                    text = output.textValue();
                } else if (output != null && output.isArray()) {
                    text = partsText(output, at + ".output");
                } else {
                    throw ApiException.badParameter(at + ".output", "\"" + at + ".output\" is required: a string");
                }
                ObjectNode o = JsonBody.MAPPER.createObjectNode();
                o.put("type", "function_call_output");
                o.put("id", id != null ? id : Ids.next("fco"));
                o.put("call_id", callId);
                o.put("output", text);
                o.put("status", "completed");
                return o;
            }
            case "item_reference" -> {
                if (id == null) {
                    throw ApiException.badParameter(at + ".id", "\"" + at + ".id\" is required");
                }
                ObjectNode found = references == null ? null : references.apply(id);
                if (found == null) {
                    throw ApiException.badParameter(at + ".id", "item '" + id + "' referenced by \"" + at
                            + "\" is not in this response's history");
                }
                return found.deepCopy();
            }
            case "reasoning" -> {
                ObjectNode o = ((ObjectNode) node).deepCopy();
                if (id == null) {
                    o.put("id", Ids.next("rs"));
                }
                return o;
            }
            default -> throw ApiException.badParameter(at + ".type", "items of type \"" + type + "\" are not "
                    + "supported: this server runs function tools only (message, function_call, function_call_output, "
                    + "item_reference, reasoning)");
        }
    }

    private static String required(JsonBody b, String field, String at) {
        String v = b.string(field);
        if (v == null || v.isEmpty()) {
            throw ApiException.badParameter(at + "." + field, "\"" + at + "." + field + "\" is required");
        }
        return v;
    }

    /** A message item. */
    static ObjectNode message(String id, String role, ArrayNode content) {
        ObjectNode o = JsonBody.MAPPER.createObjectNode();
        o.put("type", "message");
        o.put("id", id != null ? id : Ids.next("msg"));
        o.put("status", "completed");
        o.put("role", role);
        o.set("content", content);
        return o;
    }

    private static ArrayNode textParts(String text, String type) {
        ArrayNode parts = JsonBody.MAPPER.createArrayNode();
        ObjectNode p = parts.addObject();
        p.put("type", type);
        p.put("text", text);
        if (type.equals("output_text")) {
            p.putArray("annotations");
        }
        return parts;
    }

    private static ArrayNode content(JsonNode v, String at, String role) {
        String textType = role.equals("assistant") ? "output_text" : "input_text";
        if (v == null || v.isNull()) {
            throw ApiException.badParameter(at, "\"" + at + "\" is required");
        }
        if (v.isTextual()) {
            return textParts(v.textValue(), textType);
        }
        if (!v.isArray()) {
            throw ApiException.badParameter(at, "invalid value for \"" + at + "\": expected a string or an array of "
                    + "content parts, got " + JsonBody.describe(v));
        }
        ArrayNode out = JsonBody.MAPPER.createArrayNode();
        for (int j = 0; j < v.size(); j++) {
            String p = at + "[" + j + "]";
            JsonNode part = v.get(j);
            if (!part.isObject()) {
                throw ApiException.badParameter(p, "invalid value for \"" + p + "\": expected a content part object, "
                        + "got " + JsonBody.describe(part));
            }
            JsonBody pb = JsonBody.of((ObjectNode) part, p);
            String type = pb.string("type");
            if (type == null) {
                throw ApiException.badParameter(p + ".type", "\"" + p + ".type\" is required");
            }
            switch (type) {
                case "input_text", "output_text", "text" -> {
                    String text = pb.string("text");
                    if (text == null) {
                        throw ApiException.badParameter(p + ".text", "\"" + p + ".text\" is required");
                    }
                    out.addAll(textParts(text, type.equals("text") ? textType : type));
                }
                case "refusal" -> {
                    String refusal = pb.string("refusal");
                    ObjectNode r = out.addObject();
                    r.put("type", "refusal");
                    r.put("refusal", refusal == null ? "" : refusal);
                }
                case "input_image" -> throw ApiException.badParameter(p, "image inputs are not taken by the "
                        + "Responses API yet; /v1/chat/completions takes images (input_image)");
                case "input_file" -> throw ApiException.badParameter(p, "file inputs are not supported (input_file)");
                case "input_audio" -> throw ApiException.badParameter(p, "audio inputs are not supported "
                        + "(input_audio)");
                default -> throw ApiException.badParameter(p + ".type", "invalid value for \"" + p + ".type\": "
                        + "expected \"input_text\" or \"output_text\", got \"" + type + "\"");
            }
        }
        return out;
    }

    private static String partsText(JsonNode parts, String at) {
        StringBuilder b = new StringBuilder();
        for (JsonNode p : parts) {
            if (!p.isObject() || !p.path("text").isTextual()) {
                throw ApiException.badParameter(at, "\"" + at + "\" parts must be text parts");
            }
            b.append(p.path("text").textValue());
        }
        return b.toString();
    }

    /** The text of a message item's parts, concatenated. */
    static String text(JsonNode message) {
        StringBuilder b = new StringBuilder();
        for (JsonNode part : message.path("content")) {
            if (part.path("text").isTextual()) {
                b.append(part.path("text").textValue());
            }
        }
        return b.toString();
    }

    /** A history of items as chat messages, in order; reasoning items are left out. */
    static List<ChatMessage> toChat(List<? extends JsonNode> items) {
        Map<String, String> callNames = new HashMap<>();
        for (JsonNode i : items) {
            if (i.path("type").asText().equals("function_call")) {
                callNames.put(i.path("call_id").asText(), i.path("name").asText());
            }
        }
        List<ChatMessage> out = new ArrayList<>();
        for (JsonNode i : items) {
            switch (i.path("type").asText("message")) {
                case "message" -> {
                    String role = i.path("role").asText();
                    out.add(new ChatMessage(role.equals("developer") ? "system" : role, text(i), List.of(), null,
                            null));
                }
                case "function_call" -> {
                    ToolCall call = new ToolCall(i.path("call_id").asText(), i.path("name").asText(),
                            dev.puna.http.internal.stateful.Replies.arguments(i.path("arguments").asText("{}")));
                    ChatMessage last = out.isEmpty() ? null : out.getLast();
                    if (last != null && last.role().equals("assistant")) { // the calls join the reply they end
                        List<ToolCall> calls = new ArrayList<>(last.toolCalls());
                        calls.add(call);
                        out.set(out.size() - 1, ChatMessage.assistant(last.content(), calls));
                    } else {
                        out.add(ChatMessage.assistant("", List.of(call)));
                    }
                }
                case "function_call_output" -> out.add(ChatMessage.tool(i.path("output").asText(""),
                        i.path("call_id").asText(), callNames.get(i.path("call_id").asText())));
                default -> {
                }
            }
        }
        return out;
    }

}
