package dev.puna.http.internal.assistants;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.state.Collection;
import dev.puna.state.Document;
import dev.puna.state.Transaction;
import java.util.Optional;
import java.util.Set;

/**
 * A run's life, as OpenAI defines it: {@code queued → in_progress → (requires_action ⇄ in_progress)* →
 * completed | incomplete | failed}, {@code cancelling → cancelled} on request, {@code expired} when its tool outputs
 * never come. The transitions that end a run also end what it left open (its in-progress steps, its assistant message)
 * and free its claim, inside the caller's transaction, so that no run is ever stuck (a stuck run locks its thread).
 */
final class RunStates {
    /** A thread with a run in one of these takes no new messages or runs. */
    static final Set<String> ACTIVE = Set.of("queued", "in_progress", "requires_action", "cancelling");
    /** The statuses of a run some server is executing. */
    static final Set<String> EXECUTING = Set.of("queued", "in_progress", "cancelling");
    static final Set<String> TERMINAL = Set.of("completed", "incomplete", "failed", "cancelled", "expired");

    private RunStates() {
    }

    static String status(Document run) {
        return run.body().path("status").asText();
    }

    /** Fails the run with {@code last_error} ({@code server_error}, {@code invalid_prompt}, ...). */
    static void fail(Transaction tx, Document run, String code, String message) {
        long now = Shapes.now();
        ObjectNode r = run.body();
        r.put("status", "failed");
        r.put("failed_at", now);
        r.set("last_error", Shapes.error(code, message));
        r.putNull("required_action");
        closeOpen(tx, run, "failed", "run_failed", now, Shapes.error(code, message));
        finish(tx, run);
    }

    /** Ends a run that was asked to stop. */
    static void cancel(Transaction tx, Document run) {
        long now = Shapes.now();
        ObjectNode r = run.body();
        r.put("status", "cancelled");
        r.put("cancelled_at", now);
        r.putNull("required_action");
        closeOpen(tx, run, "cancelled", "run_cancelled", now, null);
        finish(tx, run);
    }

    /** Ends a run whose tool outputs did not come before {@code expires_at}. */
    static void expire(Transaction tx, Document run) {
        long now = Shapes.now();
        run.body().put("status", "expired");
        run.body().putNull("required_action");
        closeOpen(tx, run, "expired", "run_expired", now, null);
        finish(tx, run);
    }

    /** Writes the run back with its usage, frees its claim. */
    static void finish(Transaction tx, Document run) {
        run.body().set("usage", usage(tx, run.id()));
        tx.update(Collection.RUNS, run);
        tx.release(Collection.RUNS, run.id());
    }

    /** The run's usage: the sum over its steps. */
    static ObjectNode usage(Transaction tx, String runId) {
        int prompt = 0;
        int completion = 0;
        for (Document step : tx.all(Collection.RUN_STEPS, runId)) {
            JsonNode u = step.body().path("usage");
            prompt += u.path("prompt_tokens").asInt(0);
            completion += u.path("completion_tokens").asInt(0);
        }
        return Shapes.usage(prompt, completion);
    }

    /**
     * Ends the run's in-progress steps with {@code stepStatus} (its {@code <status>_at} set) and their in-progress
     * messages as incomplete for {@code reason}.
     */
    private static void closeOpen(Transaction tx, Document run, String stepStatus, String reason, long now,
                                  ObjectNode lastError) {
        String threadId = run.parentId();
        for (Document step : tx.all(Collection.RUN_STEPS, run.id())) {
            ObjectNode s = step.body();
            if (!s.path("status").asText().equals("in_progress")) {
                continue;
            }
            s.put("status", stepStatus);
            s.put(stepStatus + "_at", now);
            if (lastError != null) {
                s.set("last_error", lastError);
            }
            tx.update(Collection.RUN_STEPS, step);
            String messageId = s.path("step_details").path("message_creation").path("message_id").asText(null);
            if (messageId != null) {
                Optional<Document> m = tx.get(Collection.MESSAGES, threadId, messageId);
                if (m.isPresent() && m.get().body().path("status").asText().equals("in_progress")) {
                    incomplete(m.get().body(), reason, now);
                    tx.update(Collection.MESSAGES, m.get());
                }
            }
        }
    }

    static void incomplete(ObjectNode message, String reason, long now) {
        message.put("status", "incomplete");
        message.put("incomplete_at", now);
        message.putObject("incomplete_details").put("reason", reason);
    }
}
