package dev.puna.runtime.chat;

import java.util.List;
import java.util.Objects;

/**
 * One message of a conversation.
 *
 * <p>Templates see it as a Hugging Face message dict:
 * {@code {"role": .., "content": .., "reasoning_content": .., "tool_calls": [..], "name": .., "tool_call_id": ..}},
 * where {@code reasoning_content} (what llama.cpp's templates for reasoning models read) is present only when
 * {@code thinking} is not empty,
 * {@code tool_calls} is present only when there are calls, {@code name} only when {@code toolName} is set and
 * {@code tool_call_id} only when {@code toolCallId} is set, so {@code 'tool_calls' in message} and
 * {@code message.name is defined} mean what templates expect. {@code content} is always present; a
 * {@code null} content (an assistant turn that only calls tools) is shown as the empty string, because
 * templates written for Hugging Face print it unguarded or concatenate it, and Python would print {@code None}.
 *
 * @param role {@code system}, {@code user}, {@code assistant}, {@code tool}, or any role the template knows
 * @param content the text; {@code null} for an assistant message that only calls tools
 * @param toolCalls the assistant's tool calls; never {@code null} (empty when none)
 * @param toolName for a tool result, the name of the tool that produced it (Ollama's {@code tool_name}), else
 *     {@code null}
 * @param toolCallId for a tool result, the id of the call it answers (OpenAI's {@code tool_call_id}), else
 *     {@code null}
 * @param thinking an assistant turn's reasoning (Ollama's {@code thinking}), passed back to the template; else
 *     {@code null}
 */
public record ChatMessage(String role, String content, List<ToolCall> toolCalls, String toolName,
                          String toolCallId, String thinking) {
    /**
     * Validates and copies; a {@code null} tool-call list becomes an empty one.
     *
     * @throws NullPointerException if {@code role} is null
     * @throws IllegalArgumentException if {@code role} is blank
     */
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        if (role.isBlank()) {
            throw new IllegalArgumentException("role must not be blank");
        }
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    /** A message without reasoning. */
    public ChatMessage(String role, String content, List<ToolCall> toolCalls, String toolName, String toolCallId) {
        this(role, content, toolCalls, toolName, toolCallId, null);
    }

    /**
     * A system message.
     *
     * @param content the instructions
     * @return the message
     */
    public static ChatMessage system(String content) {
        return new ChatMessage("system", content, List.of(), null, null);
    }

    /**
     * A user message.
     *
     * @param content what the user said
     * @return the message
     */
    public static ChatMessage user(String content) {
        return new ChatMessage("user", content, List.of(), null, null);
    }

    /**
     * An assistant message without tool calls.
     *
     * @param content what the assistant said
     * @return the message
     */
    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content, List.of(), null, null);
    }

    /**
     * An assistant message that calls tools.
     *
     * @param content text the assistant produced alongside the calls, or {@code null}
     * @param toolCalls the calls
     * @return the message
     */
    public static ChatMessage assistant(String content, List<ToolCall> toolCalls) {
        return new ChatMessage("assistant", content, toolCalls, null, null);
    }

    /**
     * A tool result.
     *
     * @param content the tool's output
     * @param toolCallId the id of the call this answers, or {@code null}
     * @param toolName the tool's name, or {@code null}
     * @return the message
     */
    public static ChatMessage tool(String content, String toolCallId, String toolName) {
        return new ChatMessage("tool", content, List.of(), toolName, toolCallId);
    }
}
