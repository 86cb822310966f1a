package dev.puna.http.internal.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.Durations;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.gotemplate.OllamaTemplate;
import dev.puna.http.internal.output.AnswerFormat;
import dev.puna.http.internal.vision.ImageInputs;
import dev.puna.runtime.vision.Image;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Request fields several Ollama routes share, read strictly. */
final class OllamaFields {
    private OllamaFields() {
    }

    /** {@code stream}, default true. */
    static boolean stream(JsonBody body) {
        Boolean stream = body.bool("stream");
        return stream == null || stream;
    }

    /** {@code keep_alive}: seconds or a duration string; {@code null} when absent. */
    static Duration keepAlive(JsonBody body) {
        JsonNode v = body.raw("keep_alive");
        if (v == null) {
            return null;
        }
        try {
            if (v.isNumber()) {
                return Durations.ofSeconds(v.doubleValue());
            }
            if (v.isTextual()) {
                return Durations.parse(v.textValue());
            }
        } catch (IllegalArgumentException e) {
            throw ApiException.badParameter("keep_alive", "invalid keep_alive: " + e.getMessage());
        }
        throw ApiException.badParameter("keep_alive", "invalid value for \"keep_alive\": expected a number of "
                + "seconds or a duration string such as \"5m\", got " + JsonBody.describe(v));
    }

    /**
     * {@code think}: a boolean or "high"/"medium"/"low" (a level turns thinking on), as the template sees it
     * ({@code .Think}, {@code .ThinkLevel}, {@code .IsThinkSet}); {@link OllamaTemplate.Think#UNSET} when absent.
     */
    static OllamaTemplate.Think think(JsonBody body) {
        JsonNode v = body.raw("think");
        if (v == null || v.isNull()) {
            return OllamaTemplate.Think.UNSET;
        }
        if (v.isBoolean()) {
            return new OllamaTemplate.Think(v.booleanValue(), "", true);
        }
        if (v.isTextual() && (v.textValue().equals("high") || v.textValue().equals("medium")
                || v.textValue().equals("low"))) {
            return new OllamaTemplate.Think(true, v.textValue(), true);
        }
        throw ApiException.badParameter("think", "invalid value for \"think\": expected a boolean or \"high\", "
                + "\"medium\", \"low\", got " + JsonBody.describe(v));
    }

    /** How many {@code images} the messages of a chat carry together (malformed ones are refused later). */
    static int images(JsonNode messages) {
        int n = 0;
        if (messages != null && messages.isArray()) {
            for (JsonNode m : messages) {
                JsonNode images = m.path("images");
                n += images.isArray() ? images.size() : 0;
            }
        }
        return n;
    }

    /**
     * Ollama's {@code images}: base64 strings, decoded and checked here (a 400 naming {@code field[i]} for bad
     * base64 or data that is not an image).
     */
    static List<Image> images(ArrayNode images, String field) {
        if (images == null || images.isEmpty()) {
            return List.of();
        }
        List<Image> out = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            String at = field + "[" + i + "]";
            JsonNode v = images.get(i);
            if (!v.isTextual()) {
                throw ApiException.badParameter(at, "invalid value for \"" + at + "\": expected a base64 string, got "
                        + JsonBody.describe(v));
            }
            out.add(ImageInputs.base64(v.textValue(), at));
        }
        return List.copyOf(out);
    }

    /**
     * {@code format}: {@code "json"} or a JSON schema object, enforced by a grammar; absent, null or {@code ""} is
     * free text. The schema is converted here, so one that cannot be enforced is a 400 before any model is loaded.
     */
    static AnswerFormat format(JsonBody body) {
        JsonNode v = body.raw("format");
        if (v == null || (v.isTextual() && v.textValue().isEmpty())) {
            return AnswerFormat.text();
        }
        if (!v.isTextual() && !v.isObject()) {
            throw ApiException.badParameter("format", "invalid value for \"format\": expected \"json\" or a JSON "
                    + "schema object, got " + JsonBody.describe(v));
        }
        if (v.isTextual() && !v.textValue().equals("json")) {
            throw ApiException.badParameter("format", "invalid format '" + v.textValue()
                    + "': expected \"json\" or a JSON schema object");
        }
        return AnswerFormat.fromOllamaFormat(v);
    }

    /** {@code top_logprobs}: 0..20. */
    static int topLogprobs(JsonBody body) {
        Integer n = body.integer("top_logprobs");
        if (n == null) {
            return 0;
        }
        if (n < 0 || n > 20) {
            throw ApiException.badParameter("top_logprobs", "top_logprobs must be between 0 and 20, got " + n);
        }
        return n;
    }
}
