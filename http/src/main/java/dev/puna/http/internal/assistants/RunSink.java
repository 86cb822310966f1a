package dev.puna.http.internal.assistants;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.stateful.NamedSse;

/** Where a run's stream events go while it executes: the client that asked for the stream, or nowhere. */
interface RunSink {
    /** No one listens (a run created without {@code stream}, or polled). */
    RunSink NONE = new RunSink() {
        @Override
        public void event(String name, ObjectNode data) {
        }

        @Override
        public void done() {
        }
    };

    /** One event, e.g. {@code thread.message.delta}. */
    void event(String name, ObjectNode data);

    /** The last event, {@code done} with {@code [DONE]}, ending the stream. */
    void done();

    /** Events as server-sent events on {@code sse}. */
    static RunSink of(NamedSse sse) {
        return new RunSink() {
            @Override
            public void event(String name, ObjectNode data) {
                sse.event(name, data);
            }

            @Override
            public void done() {
                sse.end("done", "[DONE]");
            }
        };
    }
}
