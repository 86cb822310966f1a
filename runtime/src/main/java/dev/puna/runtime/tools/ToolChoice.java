package dev.puna.runtime.tools;

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
