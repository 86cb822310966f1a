package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.state.DatabaseUrl;
import dev.puna.state.DatabaseUrl.Backend;
import dev.puna.testkit.TestModels;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two server processes sharing one PostgreSQL database, as a fleet behind a balancer: what one creates the other
 * lists, continues and runs; a run is executed by the server that queued it, any server answers for it, a cancel sent
 * to the other server stops it, and when the executing server is killed the other fails its run once the lease runs
 * out.
 */
@Timeout(300)
class FleetTest {
    @Test
    void twoServersShareThreadsRunsAndCancellations() throws Exception {
        Path dir = StatefulServer.freshDataDir("fleet");
        DatabaseUrl database = StatefulServer.freshDatabase(Backend.POSTGRESQL, "fleet");
        try (ChildServer a = ChildServer.start(dir.resolve("a"), database);
             ChildServer b = ChildServer.start(dir.resolve("b"), database)) {
            String scripted = a.http.post("/v1/assistants", "{\"model\":\"scripted\",\"temperature\":0}").json()
                    .get("id").asText();
            String counter = a.http.post("/v1/assistants", "{\"model\":\"counter\",\"temperature\":0}").json()
                    .get("id").asText();
            String thread = a.http.post("/v1/threads", "{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}")
                    .json().get("id").asText();
            assertEquals(1, b.http.get("/v1/threads/" + thread + "/messages").json().get("data").size(),
                    "B lists what A created");
            JsonNode run = b.http.post("/v1/threads/" + thread + "/runs", "{\"assistant_id\":\"" + scripted + "\"}")
                    .json();
            StateRestartTest.awaitStatus(b.http, thread, run.get("id").asText(), "completed");
            JsonNode fromA = a.http.get("/v1/threads/" + thread + "/messages").json().get("data").get(0);
            assertEquals(TestModels.CHAT_COMPLETION, fromA.get("content").get(0).get("text").get("value").asText(),
                    "A reads the answer B's run wrote");

            // A executes a run; B cancels it.
            a.http.post("/v1/threads/" + thread + "/messages", "{\"role\":\"user\",\"content\":\"Count\"}");
            JsonNode counting = a.http.post("/v1/threads/" + thread + "/runs", "{\"assistant_id\":\"" + counter
                    + "\"}").json();
            String countingId = counting.get("id").asText();
            StateRestartTest.awaitStatus(b.http, thread, countingId, "in_progress");
            long sent = System.nanoTime();
            JsonNode cancelling = b.http.post("/v1/threads/" + thread + "/runs/" + countingId + "/cancel", "").json();
            assertEquals("cancelling", cancelling.get("status").asText(), "B does not execute it: A must stop it");
            JsonNode cancelled = StateRestartTest.awaitStatus(b.http, thread, countingId, "cancelled");
            double seconds = (System.nanoTime() - sent) / 1e9;
            assertTrue(seconds < 5, "cancelled on A " + seconds + " s after B was asked");
            assertTrue(cancelled.get("cancelled_at").isNumber());

            // A dies mid-run; B fails the run once A's lease has run out.
            JsonNode orphan = a.http.post("/v1/threads/" + thread + "/runs", "{\"assistant_id\":\"" + counter
                    + "\"}").json();
            String orphanId = orphan.get("id").asText();
            StateRestartTest.awaitStatus(b.http, thread, orphanId, "in_progress");
            a.kill();
            JsonNode failed = StateRestartTest.awaitStatus(b.http, thread, orphanId, "failed");
            assertEquals("server_error", failed.get("last_error").get("code").asText());
            assertTrue(failed.get("last_error").get("message").asText().contains("stopped"), failed.toString());

            // B goes on serving the thread.
            b.http.post("/v1/threads/" + thread + "/messages", "{\"role\":\"user\",\"content\":\"Again\"}");
            JsonNode last = b.http.post("/v1/threads/" + thread + "/runs", "{\"assistant_id\":\"" + scripted + "\"}")
                    .json();
            StateRestartTest.awaitStatus(b.http, thread, last.get("id").asText(), "completed");
        }
    }
}
