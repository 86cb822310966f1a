package dev.puna.runtime.tools;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.runtime.InvalidParameterException;
import java.util.Objects;

/**
 * Whether and which tool the model must call (OpenAI's {@code tool_choice}).
 */
public sealed interface ToolChoice {
    /** The model decides: free text or calls. No grammar. */
    record Auto() implements ToolChoice {
    }

    /** The model must not call tools. No grammar (callers leave the tools out of the prompt). */
    record None() implements ToolChoice {
    }

    /** The model must call one or more of the tools. */
    record Required() implements ToolChoice {
    }

    /** The model must call this function. */
    record Function(String name) implements ToolChoice {
        /** Validates. */
        public Function {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * Reads OpenAI's {@code tool_choice}: {@code "auto"}, {@code "none"}, {@code "required"} or
     * {@code {"type": "function", "function": {"name": ...}}}; {@code null} or JSON null mean {@code auto}.
     *
     * @throws InvalidParameterException (parameter {@code tool_choice}) for anything else
     */
    static ToolChoice fromJson(JsonNode toolChoice) {
        if (toolChoice == null || toolChoice.isNull() || toolChoice.isMissingNode()) {
            return auto();
        }
        if (toolChoice.isTextual()) {
            return switch (toolChoice.textValue()) {
                case "auto" -> auto();
                case "none" -> none();
                case "required" -> required();
                default -> throw new InvalidParameterException("tool_choice",
                        "must be \"auto\", \"none\", \"required\" or a function, not \"" + toolChoice.textValue() + "\"");
            };
        }
        JsonNode name = toolChoice.path("function").path("name");
        if (toolChoice.isObject() && "function".equals(toolChoice.path("type").asText()) && name.isTextual()) {
            return function(name.textValue());
        }
        throw new InvalidParameterException("tool_choice",
                "must be \"auto\", \"none\", \"required\" or {\"type\": \"function\", \"function\": {\"name\": ...}}");
    }

    /** {@code "auto"}. */
    static ToolChoice auto() {
        return new Auto();
    }

    /** {@code "none"}. */
    static ToolChoice none() {
        return new None();
    }

    /** {@code "required"}. */
    static ToolChoice required() {
        return new Required();
    }

    /** {@code {"type": "function", "function": {"name": name}}}. */
    static ToolChoice function(String name) {
        return new Function(name);
    }
}
