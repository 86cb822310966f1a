package dev.puna.http.internal.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.vision.ImageInputs;
import dev.puna.http.internal.vision.RemoteImages;
import dev.puna.runtime.vision.Image;
import dev.puna.runtime.chat.ChatMessage;
import dev.puna.runtime.chat.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * OpenAI's {@code messages}: roles {@code system}, {@code developer} (a system message for the template),
 * {@code user}, {@code assistant} (with {@code tool_calls} whose {@code arguments} are JSON text) and {@code tool}
 * (with {@code tool_call_id}); {@code content} as a string or an array of content parts, whose text parts are
 * concatenated. Image parts ({@code image_url} with a data: URL, in user messages) become the request's images;
 * audio and file parts are refused. Every mistake is a 400
 * naming the field, e.g. {@code messages[1].content[0].type}.
 */
final class ChatMessages {
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

    private ChatMessages() {
    }

    /** Reads a non-empty {@code messages} array without images (an image part is a 400). */
    static List<ChatMessage> read(ArrayNode messages) {
        return read(messages, null);
    }

    /**
     * Reads a non-empty {@code messages} array; {@code image_url} parts (data: URLs) are added to {@code images} in
     * order and marked in their message's text by {@link ImageInputs#SENTINEL}. Null {@code images}: parts refused.
     */
    static List<ChatMessage> read(ArrayNode messages, List<Image> images) {
        return read(messages, images, null);
    }

    /** Like {@link #read(ArrayNode, List)}, fetching the image URLs {@code remote} allows (blocking). */
    static List<ChatMessage> read(ArrayNode messages, List<Image> images, RemoteImages remote) {
        if (messages == null) {
            throw ApiException.badParameter("messages", "\"messages\" is required");
        }
        if (messages.isEmpty()) {
            throw ApiException.badParameter("messages", "\"messages\" must contain at least one message");
        }
        List<ChatMessage> out = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            out.add(message(messages.get(i), "messages[" + i + "]", images, remote));
        }
        return out;
    }

    private static ChatMessage message(JsonNode node, String path, List<Image> images, RemoteImages remote) {
        if (!node.isObject()) {
            throw ApiException.badParameter(path, "invalid value for \"" + path + "\": expected an object, got "
                    + JsonBody.describe(node));
        }
        JsonBody m = JsonBody.of((ObjectNode) node, path);
        String role = m.string("role");
        if (role == null) {
            throw ApiException.badParameter(path + ".role", "\"" + path + ".role\" is required");
        }
        if (!ROLES.contains(role)) {
            throw ApiException.badParameter(path + ".role", "invalid value for \"" + path + ".role\": expected "
                    + "\"system\", \"developer\", \"user\", \"assistant\" or \"tool\", got \"" + role + "\"");
        }
        m.string("name");
        List<ToolCall> calls = role.equals("assistant") ? toolCalls(m, path) : List.of();
        String content = content(m.raw("content"), path + ".content", role.equals("user") ? images : null, remote);
        if (content == null && calls.isEmpty()) {
            throw ApiException.badParameter(path + ".content", "\"" + path + ".content\" is required"
                    + (role.equals("assistant") ? " unless the message has tool_calls" : ""));
        }
        String toolCallId = null;
        if (role.equals("tool")) {
            toolCallId = m.string("tool_call_id");
            if (toolCallId == null) {
                throw ApiException.badParameter(path + ".tool_call_id", "\"" + path + ".tool_call_id\" is required "
                        + "for tool messages");
            }
        }
        // The developer role is OpenAI's new name for system instructions; chat templates know only "system".
        String templateRole = role.equals("developer") ? "system" : role;
        return new ChatMessage(templateRole, content, calls, null, toolCallId);
    }

    /**
     * How many image content parts ({@code image_url}, {@code input_image}) the messages hold, for the image cap;
     * malformed input counts nothing here and is refused by {@link #read}.
     */
    static int imageParts(JsonNode messages) {
        return countParts(messages, false);
    }

    /** How many {@code image_url} parts name an {@code http(s)} URL (those may need a fetch off the event loop). */
    static int remoteImageParts(JsonNode messages) {
        return countParts(messages, true);
    }

    private static int countParts(JsonNode messages, boolean remoteOnly) {
        int n = 0;
        if (messages != null && messages.isArray()) {
            for (JsonNode m : messages) {
                JsonNode content = m.path("content");
                if (content.isArray()) {
                    for (JsonNode part : content) {
                        String type = part.path("type").asText("");
                        if (remoteOnly) {
                            JsonNode iu = part.path("image_url");
                            String url = (iu.isTextual() ? iu : iu.path("url")).asText("").toLowerCase(Locale.ROOT);
                            n += type.equals("image_url") && (url.startsWith("http://") || url.startsWith("https://"))
                                    ? 1 : 0;
                        } else if (type.equals("image_url") || type.equals("input_image")) {
                            n++;
                        }
                    }
                }
            }
        }
        return n;
    }

    /** A string, or the concatenated text of content parts; {@code null} when absent. */
    private static String content(JsonNode v, String path, List<Image> images, RemoteImages remote) {
        if (v == null) {
            return null;
        }
        if (v.isTextual()) {
            return v.textValue();
        }
        if (!v.isArray()) {
            throw ApiException.badParameter(path, "invalid value for \"" + path + "\": expected a string or an array "
                    + "of content parts, got " + JsonBody.describe(v));
        }
        StringBuilder text = new StringBuilder();
        for (int j = 0; j < v.size(); j++) {
            String at = path + "[" + j + "]";
            JsonNode part = v.get(j);
            if (!part.isObject()) {
                throw ApiException.badParameter(at, "invalid value for \"" + at + "\": expected a content part "
                        + "object, got " + JsonBody.describe(part));
            }
            JsonBody p = JsonBody.of((ObjectNode) part, at);
            String type = p.string("type");
            if (type == null) {
                throw ApiException.badParameter(at + ".type", "\"" + at + ".type\" is required");
            }
            switch (type) {
                case "text", "refusal" -> {
                    String t = p.string(type);
                    if (t == null) {
                        throw ApiException.badParameter(at + "." + type, "\"" + at + "." + type + "\" is required");
                    }
                    text.append(t);
                }
                case "image_url" -> {
                    if (images == null) {
                        throw ApiException.badParameter(at, "image_url content parts are only accepted in user "
                                + "messages of /v1/chat/completions");
                    }
                    images.add(imageUrl(p, at, remote));
                    text.append(ImageInputs.SENTINEL);
                }
                case "input_audio" -> throw ApiException.badParameter(at,
                        "audio input is not supported (input_audio content parts)");
                case "file" -> throw ApiException.badParameter(at, "file inputs are not supported (file content parts)");
                default -> throw ApiException.badParameter(at + ".type", "invalid value for \"" + at + ".type\": "
                        + "expected \"text\", got \"" + type + "\"");
            }
        }
        return text.toString();
    }

    /** {@code {"type": "image_url", "image_url": {"url": "data:...", "detail": ...}}} (or the url as a string). */
    private static Image imageUrl(JsonBody part, String at, RemoteImages remote) {
        JsonNode node = part.raw("image_url");
        String url;
        if (node != null && node.isTextual()) {
            url = node.textValue();
        } else if (node != null && node.isObject()) {
            JsonBody iu = JsonBody.of((ObjectNode) node, at + ".image_url");
            url = iu.string("url");
            String detail = iu.string("detail");
            if (detail != null && !Set.of("auto", "low", "high").contains(detail)) {
                throw ApiException.badParameter(at + ".image_url.detail", "invalid value for \"" + at
                        + ".image_url.detail\": expected \"auto\", \"low\" or \"high\", got \"" + detail + "\"");
            }
        } else {
            url = null;
        }
        if (url == null) {
            throw ApiException.badParameter(at + ".image_url", "\"" + at + ".image_url.url\" is required");
        }
        return ImageInputs.url(url, at + ".image_url.url", remote);
    }

    private static List<ToolCall> toolCalls(JsonBody m, String path) {
        ArrayNode calls = m.array("tool_calls");
        if (calls == null) {
            return List.of();
        }
        List<ToolCall> out = new ArrayList<>(calls.size());
        for (int i = 0; i < calls.size(); i++) {
            String at = path + ".tool_calls[" + i + "]";
            if (!calls.get(i).isObject()) {
                throw ApiException.badParameter(at, "invalid value for \"" + at + "\": expected an object, got "
                        + JsonBody.describe(calls.get(i)));
            }
            JsonBody call = JsonBody.of((ObjectNode) calls.get(i), at);
            String id = call.string("id");
            String type = call.string("type");
            if (type != null && !type.equals("function")) {
                throw ApiException.badParameter(at + ".type", "invalid value for \"" + at + ".type\": expected "
                        + "\"function\", got \"" + type + "\"");
            }
            ObjectNode function = call.object("function");
            if (function == null) {
                throw ApiException.badParameter(at + ".function", "\"" + at + ".function\" is required");
            }
            JsonBody f = JsonBody.of(function, at + ".function");
            String name = f.string("name");
            if (name == null || name.isEmpty()) {
                throw ApiException.badParameter(at + ".function.name", "\"" + at + ".function.name\" is required");
            }
            String arguments = f.string("arguments");
            out.add(new ToolCall(id, name, arguments(arguments, at + ".function.arguments")));
        }
        return out;
    }

    /** OpenAI sends arguments as JSON text; templates want the object. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> arguments(String json, String path) {
        if (json == null || json.isBlank()) {
            return Map.of();
        }
        JsonNode parsed;
        try {
            parsed = JsonBody.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            parsed = null;
        }
        if (parsed == null || !parsed.isObject()) {
            throw ApiException.badParameter(path, "invalid value for \"" + path + "\": expected a JSON object as "
                    + "text, got \"" + (json.length() > 40 ? json.substring(0, 40) + "..." : json) + "\"");
        }
        return JsonBody.MAPPER.convertValue(parsed, Map.class);
    }
}
