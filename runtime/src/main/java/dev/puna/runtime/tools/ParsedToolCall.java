package dev.puna.runtime.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Objects;
import java.util.Optional;

/**
 * A tool call found in a model's output.
 *
 * @param index the call's position among the calls of one reply, from 0 (OpenAI's {@code tool_calls[].index})
 * @param id a fresh id for the call ({@code call_...}, or 9 alphanumerics for Mistral, whose templates require that)
 * @param name the function's name, as the model wrote it
 * @param arguments the arguments as JSON text, as the model wrote them (a JSON string value is unquoted: its content
 *     is the text); {@code "{}"} when the model gave none
 * @param complete whether the call was closed; {@code false} when the output ended inside it (e.g. a token limit),
 *     in which case {@code arguments} is what was written so far
 */
public record ParsedToolCall(int index, String id, String name, String arguments, boolean complete) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Validates. */
    public ParsedToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arguments, "arguments");
    }

    /** The arguments parsed as JSON, if they are valid JSON. */
    public Optional<JsonNode> argumentsJson() {
        try {
            JsonNode node = JSON.readTree(arguments);
            return node == null || node.isMissingNode() ? Optional.empty() : Optional.of(node);
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }
}
