package dev.puna.http.internal.stateful;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.http.internal.output.AnswerFormat;
import dev.puna.runtime.CancellationToken;
import dev.puna.runtime.chat.ChatMessage;
import dev.puna.runtime.tools.ToolChoice;
import dev.puna.runtime.tools.ToolSpec;
import java.util.List;
import java.util.Objects;

/**
 * One model call of a run (Assistants) or a response (Responses): the conversation to render with the model's chat
 * template, what the model may call or must write, sampling and the token budgets. Immutable.
 *
 * @param model the model's name
 * @param messages the conversation, instructions first as a system message
 * @param tools the functions the model may call (empty: none)
 * @param toolsJson the same tools in Chat Completions' shape ({@code [{"type":"function","function":{...}}]}), as
 *     chat templates render them
 * @param toolChoice how the model must use the tools
 * @param parallelToolCalls whether one reply may hold several calls
 * @param answer the shape of a reply that is not a tool call
 * @param temperature sampling temperature, OpenAI's default 1 when {@code null}
 * @param topP nucleus sampling, OpenAI's default 1 when {@code null}
 * @param maxTokens most tokens to generate, -1 for no limit
 * @param maxPromptTokens most prompt tokens, -1 for no limit: the prompt is cut down to it as {@code truncation}
 *     allows, and a prompt that still does not fit ends the turn unevaluated ({@link TurnOutcome#promptTooLong()})
 * @param truncation how to cut a prompt down to what fits
 * @param cancellation cancels the turn from any thread
 */
public record Turn(String model, List<ChatMessage> messages, List<ToolSpec> tools, JsonNode toolsJson,
                   ToolChoice toolChoice, boolean parallelToolCalls, AnswerFormat answer, Double temperature,
                   Double topP, int maxTokens, int maxPromptTokens, Truncation truncation,
                   CancellationToken cancellation) {
    public Turn {
        Objects.requireNonNull(model, "model");
        messages = List.copyOf(messages);
        tools = List.copyOf(tools);
        Objects.requireNonNull(toolChoice, "toolChoice");
        Objects.requireNonNull(answer, "answer");
        Objects.requireNonNull(truncation, "truncation");
        Objects.requireNonNull(cancellation, "cancellation");
    }
}
