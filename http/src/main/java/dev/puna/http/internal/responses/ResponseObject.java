package dev.puna.http.internal.responses;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.JsonBody;
import dev.puna.state.Ids;

/**
 * The {@code response} object as OpenAI serves it, every key present: identity and status, {@code output},
 * {@code usage} once it ended, and the request's settings echoed back.
 */
final class ResponseObject {
    private ResponseObject() {
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    /** A new response for {@code req}, in {@code status} ({@code in_progress}, or {@code queued} in the background). */
    static ObjectNode create(String id, ResponseRequest req, String status) {
        ObjectNode r = JsonBody.MAPPER.createObjectNode();
        r.put("id", id);
        r.put("object", "response");
        r.put("created_at", Ids.epochSeconds(Ids.seqOf(id)));
        r.put("status", status);
        r.put("background", req.background());
        r.putNull("completed_at");
        r.putNull("error");
        r.putNull("incomplete_details");
        r.put("instructions", req.instructions());
        if (req.maxOutputTokens() == null) {
            r.putNull("max_output_tokens");
        } else {
            r.put("max_output_tokens", req.maxOutputTokens());
        }
        r.putNull("max_tool_calls");
        r.put("model", req.model());
        r.putArray("output");
        r.put("parallel_tool_calls", req.parallelToolCalls());
        r.put("previous_response_id", req.previousResponseId());
        ObjectNode reasoning = r.putObject("reasoning");
        reasoning.putNull("effort");
        reasoning.putNull("summary");
        r.put("service_tier", "default");
        r.put("store", req.store());
        r.put("temperature", req.temperature() == null ? 1.0 : req.temperature());
        ObjectNode text = req.text() == null ? JsonBody.MAPPER.createObjectNode() : req.text().deepCopy();
        if (!text.has("format")) {
            text.putObject("format").put("type", "text");
        }
        if (!text.has("verbosity")) {
            text.put("verbosity", "medium");
        }
        r.set("text", text);
        r.set("tool_choice", req.toolChoiceJson() == null ? r.textNode("auto") : req.toolChoiceJson());
        r.set("tools", req.tools());
        r.put("top_logprobs", 0);
        r.put("top_p", req.topP() == null ? 1.0 : req.topP());
        r.put("truncation", req.truncationAuto() ? "auto" : "disabled");
        r.putNull("usage");
        r.put("user", req.user());
        r.set("metadata", req.metadata() == null ? JsonBody.MAPPER.createObjectNode() : req.metadata());
        if (req.conversationId() == null) {
            r.putNull("conversation");
        } else {
            r.putObject("conversation").put("id", req.conversationId());
        }
        r.putNull("prompt_cache_key");
        r.putNull("safety_identifier");
        return r;
    }

    static ObjectNode usage(int input, int cached, int output) {
        ObjectNode u = JsonBody.MAPPER.createObjectNode();
        u.put("input_tokens", input);
        u.putObject("input_tokens_details").put("cached_tokens", cached);
        u.put("output_tokens", output);
        u.putObject("output_tokens_details").put("reasoning_tokens", 0);
        u.put("total_tokens", input + output);
        return u;
    }

    static ObjectNode error(String code, String message) {
        ObjectNode e = JsonBody.MAPPER.createObjectNode();
        e.put("code", code);
        e.put("message", message);
        return e;
    }
}
