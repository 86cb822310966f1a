package dev.puna.runtime.chat;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A function call the assistant made, as it appears in an assistant {@link ChatMessage}. Templates see it in the
 * OpenAI / Hugging Face shape
 * {@code {"id": id, "type": "function", "function": {"name": name, "arguments": {...}}}}, {@code id} left out
 * when {@code null}; the arguments are a dict (not a JSON string), as Hugging Face templates expect.
 *
 * @param id the call's id, which the tool result refers to; {@code null} when the API had none
 * @param name the function's name
 * @param arguments the arguments, JSON-like values (maps, lists, strings, numbers, booleans, null) in order
 */
public record ToolCall(String id, String name, Map<String, Object> arguments) {
    /**
     * Validates and copies; a {@code null} argument map becomes an empty one.
     *
     * @throws NullPointerException if {@code name} is null
     */
    public ToolCall {
        Objects.requireNonNull(name, "name");
        // A copy that keeps key order and permits null values (Map.copyOf does neither).
        arguments = arguments == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(arguments));
    }

    /**
     * A call without an id.
     *
     * @param name the function's name
     * @param arguments the arguments
     * @return the call
     */
    public static ToolCall of(String name, Map<String, Object> arguments) {
        return new ToolCall(null, name, arguments);
    }
}
