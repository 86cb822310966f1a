package dev.puna.runtime.chat;

import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a chat template is rendered with, mirroring the arguments of Hugging Face's
 * {@code apply_chat_template}. The template sees these variables:
 *
 * <table>
 *   <caption>Template variables</caption>
 *   <tr><th>Variable</th><th>Value</th></tr>
 *   <tr><td>{@code messages}</td><td>the {@link ChatMessage}s as message dicts</td></tr>
 *   <tr><td>{@code tools}</td><td>the tool definitions; undefined (None) when there are none</td></tr>
 *   <tr><td>{@code add_generation_prompt}</td><td>{@link #addGenerationPrompt()}</td></tr>
 *   <tr><td>{@code bos_token}, {@code eos_token}</td><td>the model's BOS/EOS text; undefined when null</td></tr>
 *   <tr><td>anything else</td><td>{@link #variables()}, e.g. {@code enable_thinking}, {@code date_string},
 *       {@code tools_in_user_message}, {@code builtin_tools}</td></tr>
 * </table>
 *
 * <p>Immutable (lists and maps are copied) and therefore thread-safe, provided the caller does not mutate the
 * nested tool and variable values it passed in.
 *
 * @param messages the conversation, oldest first
 * @param tools tool definitions in OpenAI's function-tool shape
 *     ({@code {"type": "function", "function": {"name", "description", "parameters"}}}); empty when none
 * @param addGenerationPrompt whether the prompt ends with the header of a new assistant turn
 * @param bosToken the model's beginning-of-sequence text (e.g. {@code <s>}), or {@code null}
 * @param eosToken the model's end-of-sequence text (e.g. {@code </s>}), or {@code null}
 * @param variables extra template variables; must not use the names above
 * @param now the time {@code strftime_now} reports, or {@code null} for the time of rendering
 */
public record ChatRequest(List<ChatMessage> messages, List<Map<String, Object>> tools, boolean addGenerationPrompt,
                          String bosToken, String eosToken, Map<String, Object> variables, ZonedDateTime now) {
    /** Variable names the request sets itself, which {@link #variables()} may not use. */
    public static final Set<String> RESERVED_VARIABLES =
            Set.of("messages", "tools", "add_generation_prompt", "bos_token", "eos_token");

    /**
     * Validates and copies.
     *
     * @throws NullPointerException if {@code messages} or an element of it is null
     * @throws IllegalArgumentException if {@code variables} uses a {@linkplain #RESERVED_VARIABLES reserved name}
     */
    public ChatRequest {
        messages = List.copyOf(Objects.requireNonNull(messages, "messages"));
        tools = tools == null ? List.of() : List.copyOf(tools);
        Map<String, Object> vars = new LinkedHashMap<>();
        if (variables != null) {
            for (Map.Entry<String, Object> e : variables.entrySet()) {
                String name = Objects.requireNonNull(e.getKey(), "variable name");
                if (RESERVED_VARIABLES.contains(name)) {
                    throw new IllegalArgumentException("'" + name + "' is set by the request itself, not a variable");
                }
                vars.put(name, e.getValue());
            }
        }
        variables = Collections.unmodifiableMap(vars);
    }

    /**
     * A request for {@code messages} that ends with a generation prompt and sets nothing else.
     *
     * @param messages the conversation
     * @return the request
     */
    public static ChatRequest of(List<ChatMessage> messages) {
        return builder(messages).build();
    }

    /**
     * A builder for a request over {@code messages}; {@code addGenerationPrompt} defaults to {@code true}.
     *
     * @param messages the conversation
     * @return the builder
     */
    public static Builder builder(List<ChatMessage> messages) {
        return new Builder(messages);
    }

    /** Builds a {@link ChatRequest}. Not thread-safe. */
    public static final class Builder {
        private final List<ChatMessage> messages;
        private List<Map<String, Object>> tools = List.of();
        private boolean addGenerationPrompt = true;
        private String bosToken;
        private String eosToken;
        private final Map<String, Object> variables = new LinkedHashMap<>();
        private ZonedDateTime now;

        private Builder(List<ChatMessage> messages) {
            this.messages = new ArrayList<>(Objects.requireNonNull(messages, "messages"));
        }

        /**
         * Sets the tool definitions.
         *
         * @param tools OpenAI-style function tools; {@code null} or empty for none
         * @return this builder
         */
        public Builder tools(List<Map<String, Object>> tools) {
            this.tools = tools == null ? List.of() : tools;
            return this;
        }

        /**
         * Sets whether the prompt ends with the header of a new assistant turn (default {@code true}).
         *
         * @param addGenerationPrompt the flag
         * @return this builder
         */
        public Builder addGenerationPrompt(boolean addGenerationPrompt) {
            this.addGenerationPrompt = addGenerationPrompt;
            return this;
        }

        /**
         * Sets the model's BOS text.
         *
         * @param bosToken e.g. {@code <s>} or {@code <|begin_of_text|>}; {@code null} for none
         * @return this builder
         */
        public Builder bosToken(String bosToken) {
            this.bosToken = bosToken;
            return this;
        }

        /**
         * Sets the model's EOS text.
         *
         * @param eosToken e.g. {@code </s>}; {@code null} for none
         * @return this builder
         */
        public Builder eosToken(String eosToken) {
            this.eosToken = eosToken;
            return this;
        }

        /**
         * Sets one extra template variable, e.g. {@code enable_thinking}.
         *
         * @param name the variable's name; not a {@linkplain #RESERVED_VARIABLES reserved name}
         * @param value a JSON-like value
         * @return this builder
         */
        public Builder variable(String name, Object value) {
            variables.put(Objects.requireNonNull(name, "name"), value);
            return this;
        }

        /**
         * Sets extra template variables.
         *
         * @param variables names and JSON-like values
         * @return this builder
         */
        public Builder variables(Map<String, Object> variables) {
            this.variables.putAll(variables);
            return this;
        }

        /**
         * Fixes the time {@code strftime_now} reports, for reproducible prompts and tests.
         *
         * @param now the time; {@code null} for the time of rendering
         * @return this builder
         */
        public Builder now(ZonedDateTime now) {
            this.now = now;
            return this;
        }

        /**
         * Builds the request.
         *
         * @return the request
         * @throws IllegalArgumentException if a variable uses a {@linkplain #RESERVED_VARIABLES reserved name}
         */
        public ChatRequest build() {
            return new ChatRequest(messages, tools, addGenerationPrompt, bosToken, eosToken, variables, now);
        }
    }
}
