package dev.puna.runtime.chat;

import dev.puna.runtime.chat.internal.PyValues;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns a {@link ChatRequest} into the variables a Hugging Face chat template expects. */
final class TemplateVariables {
    private TemplateVariables() {
    }

    /**
     * The template variables of {@code request}, as immutable template values.
     *
     * @throws IllegalArgumentException if a tool or variable value has no JSON counterpart
     */
    static Map<String, Object> of(ChatRequest request) {
        Map<String, Object> vars = new HashMap<>();
        for (Map.Entry<String, Object> e : request.variables().entrySet()) {
            vars.put(e.getKey(), PyValues.freeze(e.getValue()));
        }
        List<Object> messages = new ArrayList<>(request.messages().size());
        for (ChatMessage m : request.messages()) {
            messages.add(message(m));
        }
        vars.put("messages", PyValues.freeze(messages));
        if (!request.tools().isEmpty()) {
            vars.put("tools", PyValues.freeze(request.tools()));
        }
        vars.put("add_generation_prompt", request.addGenerationPrompt());
        if (request.bosToken() != null) {
            vars.put("bos_token", request.bosToken());
        }
        if (request.eosToken() != null) {
            vars.put("eos_token", request.eosToken());
        }
        return vars;
    }

    /** The Hugging Face message dict; optional keys are absent, not None. */
    static Map<String, Object> message(ChatMessage m) {
        Map<String, Object> dict = new LinkedHashMap<>();
        dict.put("role", m.role());
        dict.put("content", m.content() == null ? "" : m.content());
        if (!m.toolCalls().isEmpty()) {
            List<Object> calls = new ArrayList<>(m.toolCalls().size());
            for (ToolCall call : m.toolCalls()) {
                Map<String, Object> function = new LinkedHashMap<>();
                function.put("name", call.name());
                function.put("arguments", call.arguments());
                Map<String, Object> c = new LinkedHashMap<>();
                if (call.id() != null) {
                    c.put("id", call.id());
                }
                c.put("type", "function");
                c.put("function", function);
                calls.add(c);
            }
            dict.put("tool_calls", calls);
        }
        if (m.thinking() != null && !m.thinking().isEmpty()) {
            dict.put("reasoning_content", m.thinking());
        }
        if (m.toolName() != null) {
            dict.put("name", m.toolName());
        }
        if (m.toolCallId() != null) {
            dict.put("tool_call_id", m.toolCallId());
        }
        return dict;
    }
}
