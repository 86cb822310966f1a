package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.state.DatabaseUrl;
import dev.puna.state.DatabaseUrl.Backend;
import dev.puna.testkit.TestModels;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code kill -9} of a server in the middle of a run, then a new server on the same database (SQLite file or
 * PostgreSQL): the run that was in progress is failed with {@code server_error} and says why (never stuck, so its
 * thread takes runs again), and everything else (assistants, threads, messages, finished runs, a run waiting for tool
 * outputs, stored responses, conversations) is there as it was.
 */
@Timeout(300)
class StateRestartTest {
    @ParameterizedTest
    @EnumSource(Backend.class)
    void aKilledServersRunIsFailedAndAllElseSurvives(Backend backend) throws Exception {
        Path dataDir = StatefulServer.freshDataDir("restart");
        DatabaseUrl database = StatefulServer.freshDatabase(backend, "restart");
        String assistant;
        String tool;
        String doneThread;
        String doneRun;
        String waitingThread;
        String waitingRun;
        String busyThread;
        String busyRun;
        String response;
        String conversation;
        try (ChildServer a = ChildServer.start(dataDir, database)) {
            Http http = a.http;
            assistant = http.post("/v1/assistants", "{\"model\":\"counter\",\"temperature\":0,\"name\":\"kept\"}")
                    .json().get("id").asText();
            tool = http.post("/v1/assistants", "{\"model\":\"scripted\",\"temperature\":0,\"tools\":["
                    + AssistantsBehaviourTest.WEATHER_TOOL + "]}").json().get("id").asText();
            JsonNode done = http.post("/v1/threads/runs", "{\"assistant_id\":\"" + assistant + "\","
                    + "\"max_completion_tokens\":3,\"thread\":{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}}")
                    .json();
            doneThread = done.get("thread_id").asText();
            doneRun = done.get("id").asText();
            awaitStatus(http, doneThread, doneRun, "incomplete");
            JsonNode waiting = http.post("/v1/threads/runs", "{\"assistant_id\":\"" + tool + "\",\"tool_choice\":"
                    + "\"required\",\"parallel_tool_calls\":false,\"thread\":{\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"Weather?\"}]}}").json();
            waitingThread = waiting.get("thread_id").asText();
            waitingRun = waiting.get("id").asText();
            awaitStatus(http, waitingThread, waitingRun, "requires_action");
            response = http.post("/v1/responses", "{\"model\":\"scripted\",\"input\":\"Hello\"}").json().get("id")
                    .asText();
            conversation = http.post("/v1/conversations", "{\"items\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                    .json().get("id").asText();
            JsonNode busy = http.post("/v1/threads/runs", "{\"assistant_id\":\"" + assistant + "\","
                    + "\"thread\":{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}}").json();
            busyThread = busy.get("thread_id").asText();
            busyRun = busy.get("id").asText();
            awaitStatus(http, busyThread, busyRun, "in_progress");
            a.kill(); // mid-run: it counts without end
        }
        try (ChildServer b = ChildServer.start(dataDir, database)) {
            Http http = b.http;
            JsonNode failed = awaitStatus(http, busyThread, busyRun, "failed");
            assertEquals("server_error", failed.get("last_error").get("code").asText());
            String why = failed.get("last_error").get("message").asText();
            assertTrue(why.contains("restarted"), why);
            assertTrue(failed.get("failed_at").isNumber());

            assertEquals("kept", http.get("/v1/assistants/" + assistant).json().get("name").asText());
            JsonNode doneNow = http.get("/v1/threads/" + doneThread + "/runs/" + doneRun).json();
            assertEquals("incomplete", doneNow.get("status").asText());
            JsonNode answer = http.get("/v1/threads/" + doneThread + "/messages").json().get("data").get(0);
            assertEquals(TestModels.countCompletion(3), answer.get("content").get(0).get("text").get("value")
                    .asText());
            assertEquals("requires_action", http.get("/v1/threads/" + waitingThread + "/runs/" + waitingRun).json()
                    .get("status").asText());
            assertEquals(TestModels.CHAT_COMPLETION, http.get("/v1/responses/" + response).json().get("output")
                    .get(0).get("content").get(0).get("text").asText());
            assertEquals(1, http.get("/v1/conversations/" + conversation + "/items").json().get("data").size());

            // The busy thread is free again and runs on the new server.
            assertEquals(200, http.post("/v1/threads/" + busyThread + "/messages", "{\"role\":\"user\","
                    + "\"content\":\"Again\"}").status());
            JsonNode again = http.post("/v1/threads/" + busyThread + "/runs", "{\"assistant_id\":\"" + assistant
                    + "\",\"max_completion_tokens\":2}").json();
            assertEquals("incomplete", awaitStatus(http, busyThread, again.get("id").asText(), "incomplete")
                    .get("status").asText());
        }
    }

    static JsonNode awaitStatus(Http http, String thread, String run, String status) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            JsonNode r = http.get("/v1/threads/" + thread + "/runs/" + run).json();
            if (r.get("status").asText().equals(status)) {
                return r;
            }
            List<String> resting = List.of("completed", "failed", "cancelled", "expired", "incomplete",
                    "requires_action");
            assertTrue(!resting.contains(r.get("status").asText()) || status.equals("failed") && r.get("status")
                    .asText().equals("in_progress"), "wanted " + status + ", got " + r);
            assertTrue(System.nanoTime() < deadline, "still " + r.get("status") + " after a minute: " + r);
            Thread.sleep(25);
        }
    }
}
