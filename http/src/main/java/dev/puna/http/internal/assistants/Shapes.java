package dev.puna.http.internal.assistants;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.JsonBody;
import dev.puna.state.Ids;

/**
 * The Assistants API's objects as OpenAI serves them, every key present ({@code null} when empty: the SDKs' types
 * require nearly all of them). Times are Unix seconds.
 */
final class Shapes {
    private Shapes() {
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    static long createdAt(String id) {
        long seq = Ids.seqOf(id);
        return seq >= 0 ? Ids.epochSeconds(seq) : now();
    }

    static ObjectNode object() {
        return JsonBody.MAPPER.createObjectNode();
    }

    /** A new thread. */
    static ObjectNode thread(String id, ObjectNode metadata) {
        ObjectNode t = object();
        t.put("id", id);
        t.put("object", "thread");
        t.put("created_at", createdAt(id));
        t.set("metadata", metadata);
        t.putNull("tool_resources");
        return t;
    }

    /** A new message; {@code status} is {@code completed} for messages created through the API. */
    static ObjectNode message(String id, String threadId, String role, ArrayNode content, String assistantId,
                              String runId, String status, ObjectNode metadata) {
        ObjectNode m = object();
        m.put("id", id);
        m.put("object", "thread.message");
        long created = createdAt(id);
        m.put("created_at", created);
        m.put("thread_id", threadId);
        m.put("role", role);
        m.set("content", content);
        m.put("assistant_id", assistantId);
        m.put("run_id", runId);
        m.putArray("attachments");
        m.put("status", status);
        if (status.equals("completed")) {
            m.put("completed_at", created);
        } else {
            m.putNull("completed_at");
        }
        m.putNull("incomplete_at");
        m.putNull("incomplete_details");
        m.set("metadata", metadata == null ? object() : metadata);
        return m;
    }

    /** A new step of {@code run}, {@code in_progress}. */
    static ObjectNode step(String id, JsonNode run, ObjectNode details) {
        ObjectNode s = object();
        s.put("id", id);
        s.put("object", "thread.run.step");
        s.put("created_at", createdAt(id));
        s.put("run_id", run.path("id").asText());
        s.put("thread_id", run.path("thread_id").asText());
        s.put("assistant_id", run.path("assistant_id").asText());
        s.put("type", details.path("type").asText());
        s.put("status", "in_progress");
        s.set("step_details", details);
        s.putNull("last_error");
        s.putNull("expired_at");
        s.putNull("cancelled_at");
        s.putNull("failed_at");
        s.putNull("completed_at");
        s.set("metadata", object());
        s.putNull("usage");
        return s;
    }

    static ObjectNode messageCreation(String messageId) {
        ObjectNode d = object();
        d.put("type", "message_creation");
        d.putObject("message_creation").put("message_id", messageId);
        return d;
    }

    static ObjectNode toolCalls() {
        ObjectNode d = object();
        d.put("type", "tool_calls");
        d.putArray("tool_calls");
        return d;
    }

    static ObjectNode usage(int prompt, int completion) {
        ObjectNode u = object();
        u.put("prompt_tokens", prompt);
        u.put("completion_tokens", completion);
        u.put("total_tokens", prompt + completion);
        return u;
    }

    static ObjectNode error(String code, String message) {
        ObjectNode e = object();
        e.put("code", code);
        e.put("message", message);
        return e;
    }

    static ObjectNode deleted(String id, String object) {
        ObjectNode d = object();
        d.put("id", id);
        d.put("object", object);
        d.put("deleted", true);
        return d;
    }
}
