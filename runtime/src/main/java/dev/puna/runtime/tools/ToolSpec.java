package dev.puna.runtime.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.runtime.InvalidParameterException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A function the model may call: its name and the JSON schema of its arguments.
 *
 * @param name the function's name
 * @param parameters the JSON schema of the arguments object, or {@code null} for "any object"
 */
public record ToolSpec(String name, JsonNode parameters) {
    /** Validates. */
    public ToolSpec {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a tool name cannot be empty");
        }
    }

    /**
     * Reads a request's {@code tools} array in the shape Ollama and OpenAI share:
     * {@code [{"type": "function", "function": {"name": ..., "description": ..., "parameters": {...}}}]}.
     *
     * @throws InvalidParameterException (parameter {@code tools}) for another shape, a missing or duplicate name
     */
    public static List<ToolSpec> listFrom(JsonNode tools) {
        if (tools == null || tools.isNull()) {
            return List.of();
        }
        if (!tools.isArray()) {
            throw new InvalidParameterException("tools", "must be an array");
        }
        List<ToolSpec> specs = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode tool = tools.get(i);
            String at = "tools[" + i + "]";
            JsonNode type = tool.get("type");
            if (type != null && !"function".equals(type.asText())) {
                throw new InvalidParameterException(at + ".type", "only \"function\" tools are supported");
            }
            JsonNode function = tool.get("function");
            if (function == null || !function.isObject()) {
                throw new InvalidParameterException(at + ".function", "must be an object");
            }
            JsonNode name = function.get("name");
            if (name == null || !name.isTextual() || name.textValue().isEmpty()) {
                throw new InvalidParameterException(at + ".function.name", "must be a non-empty string");
            }
            if (!names.add(name.textValue())) {
                throw new InvalidParameterException(at + ".function.name",
                        "duplicate tool name '" + name.textValue() + "'");
            }
            JsonNode parameters = function.get("parameters");
            specs.add(new ToolSpec(name.textValue(), parameters == null || parameters.isNull() ? null : parameters));
        }
        return specs;
    }
}
