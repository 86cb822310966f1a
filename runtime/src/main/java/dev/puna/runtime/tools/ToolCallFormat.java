package dev.puna.runtime.tools;

import java.util.List;

/**
 * How a model writes tool calls, as its chat template teaches it. Detected from the template text with
 * {@link #detect}.
 */
public enum ToolCallFormat {
    /**
     * Hermes, Qwen 2.5, Qwen 3: each call is a JSON object {@code {"name": ..., "arguments": {...}}} between
     * {@code <tool_call>} and {@code </tool_call>} lines; several calls are several blocks.
     */
    HERMES(List.of("<tool_call>"), "arguments"),
    /**
     * Llama 3.1, 3.2, 3.3: the whole reply is a JSON object {@code {"name": ..., "parameters": {...}}}, optionally
     * after {@code <|python_tag|>}; several calls are separated by {@code ;}.
     */
    LLAMA3(List.of("<|python_tag|>"), "parameters"),
    /**
     * Mistral v0.3 and Nemo: {@code [TOOL_CALLS]} then a JSON array of {@code {"name": ..., "arguments": {...}}}
     * objects; newer Mistral templates: {@code [TOOL_CALLS]name[ARGS]{...}} (with an optional
     * {@code [CALL_ID]id} before {@code [ARGS]}) per call. {@code [TOOL_CALLS]} is a control token that plain-text
     * detokenization drops, so a bare array at the start of the reply counts too.
     */
    MISTRAL(List.of("[TOOL_CALLS]"), "arguments"),
    /**
     * Models whose template shows no known format: a bare JSON object (or array of objects) with {@code name} and
     * {@code arguments} (or {@code parameters}) at the start of the reply; the other formats' markers are recognised
     * too.
     */
    GENERIC(List.of("<tool_call>", "[TOOL_CALLS]", "<|python_tag|>"), "arguments");

    private final List<String> markers;
    private final String argumentsKey;

    ToolCallFormat(List<String> markers, String argumentsKey) {
        this.markers = markers;
        this.argumentsKey = argumentsKey;
    }

    /** The texts that introduce tool calls in this format's output. */
    public List<String> markers() {
        return markers;
    }

    /** The key of the arguments in this format's call objects ({@code arguments} or {@code parameters}). */
    public String argumentsKey() {
        return argumentsKey;
    }

    /**
     * The format a chat template teaches: {@link #HERMES} if it mentions {@code <tool_call>}, {@link #MISTRAL} if
     * {@code [TOOL_CALLS]}, {@link #LLAMA3} for a Llama 3 header template that mentions {@code <|python_tag|>} or a
     * {@code "parameters"} key, else {@link #GENERIC} (also for {@code null}).
     */
    public static ToolCallFormat detect(String chatTemplate) {
        if (chatTemplate == null) {
            return GENERIC;
        }
        if (chatTemplate.contains("<tool_call>")) {
            return HERMES;
        }
        if (chatTemplate.contains("[TOOL_CALLS]")) {
            return MISTRAL;
        }
        if (chatTemplate.contains("<|start_header_id|>")
                && (chatTemplate.contains("<|python_tag|>") || chatTemplate.contains("\"parameters\""))) {
            return LLAMA3;
        }
        return GENERIC;
    }
}
