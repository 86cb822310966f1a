package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.state.DatabaseUrl.Backend;
import dev.puna.testkit.TestModels;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * How runs behave, over raw HTTP on both engines: cancelling a run mid-generation, the completion budget, a streamed
 * tool loop with its exact event order (create, requires_action, then submit_tool_outputs streaming the rest), expiry
 * of unanswered tool calls, truncation to the last messages, JSON answers, create-and-run's stream, a client that
 * leaves a streamed run (the run goes on), and deleting a thread with everything in it.
 */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AssistantsBehaviourTest {
    private StatefulServer server;
    private String counter;
    private String scripted;
    private String weather;

    abstract Backend backend();



    static final String WEATHER_TOOL = "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":"
            + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"maxLength\":8}},"
            + "\"required\":[\"city\"]}}}";

    @BeforeAll
    void start() {
        server = new StatefulServer(backend(), "assistants_behaviour",
                ServerConfig.builder().runExpiry(Duration.ofSeconds(1)));
        counter = assistant("{\"model\":\"counter\",\"temperature\":0}");
        scripted = assistant("{\"model\":\"scripted\",\"temperature\":0}");
        weather = assistant("{\"model\":\"scripted\",\"temperature\":0,\"tools\":[" + WEATHER_TOOL + "]}");
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private String assistant(String body) {
        Http.Response r = server.http().post("/v1/assistants", body);
        assertEquals(200, r.status(), r.body());
        return r.json().get("id").asText();
    }

    private String thread(String firstMessage) {
        return server.http().post("/v1/threads", "{\"messages\":[{\"role\":\"user\",\"content\":\"" + firstMessage
                + "\"}]}").json().get("id").asText();
    }

    private JsonNode run(String thread, String body) {
        Http.Response r = server.http().post("/v1/threads/" + thread + "/runs", body);
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    private JsonNode get(String path) {
        Http.Response r = server.http().get(path);
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    private JsonNode await(String thread, String run, String... statuses) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            JsonNode r = get("/v1/threads/" + thread + "/runs/" + run);
            if (List.of(statuses).contains(r.get("status").asText())) {
                return r;
            }
            assertTrue(System.nanoTime() < deadline, "still " + r.get("status") + ": " + r);
            Thread.sleep(20);
        }
    }

    private JsonNode messages(String thread) {
        return get("/v1/threads/" + thread + "/messages?order=asc").get("data");
    }

    private static String text(JsonNode message) {
        return message.get("content").get(0).get("text").get("value").asText();
    }

    @Test
    void aRunningRunIsCancelledAndItsSlotFreed() throws Exception {
        String t = thread("Hello");
        JsonNode r = run(t, "{\"assistant_id\":\"" + counter + "\"}");
        String id = r.get("id").asText();
        await(t, id, "in_progress");
        // Let it write something first.
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (messages(t).size() < 2) {
            assertTrue(System.nanoTime() < deadline);
            Thread.sleep(10);
        }
        Http.Response cancel = server.http().post("/v1/threads/" + t + "/runs/" + id + "/cancel", "");
        assertEquals(200, cancel.status(), cancel.body());
        assertTrue(List.of("cancelling", "cancelled").contains(cancel.json().get("status").asText()));
        JsonNode ended = await(t, id, "cancelled", "failed", "completed", "incomplete");
        assertEquals("cancelled", ended.get("status").asText(), ended.toString());
        assertTrue(ended.get("cancelled_at").isNumber());
        JsonNode answer = messages(t).get(1);
        assertEquals("incomplete", answer.get("status").asText());
        assertEquals("run_cancelled", answer.get("incomplete_details").get("reason").asText());
        assertTrue(TestModels.countCompletion(500).startsWith(text(answer)), text(answer));
        JsonNode step = get("/v1/threads/" + t + "/runs/" + id + "/steps").get("data").get(0);
        assertEquals("cancelled", step.get("status").asText());

        // The thread takes runs again, and the slot the cancelled run held serves them.
        server.http().post("/v1/threads/" + t + "/messages", "{\"role\":\"user\",\"content\":\"Again\"}");
        JsonNode next = run(t, "{\"assistant_id\":\"" + scripted + "\"}");
        assertEquals("completed", await(t, next.get("id").asText(), "completed", "failed").get("status").asText());
    }

    @Test
    void theCompletionBudgetEndsARunIncomplete() throws Exception {
        String t = thread("Hello");
        JsonNode r = run(t, "{\"assistant_id\":\"" + counter + "\",\"max_completion_tokens\":5}");
        JsonNode ended = await(t, r.get("id").asText(), "incomplete", "completed", "failed");
        assertEquals("incomplete", ended.get("status").asText(), ended.toString());
        assertEquals("max_completion_tokens", ended.get("incomplete_details").get("reason").asText());
        assertEquals(5, ended.get("usage").get("completion_tokens").asInt());
        JsonNode answer = messages(t).get(1);
        assertEquals(TestModels.countCompletion(5), text(answer));
        assertEquals("incomplete", answer.get("status").asText());
        assertEquals("max_tokens", answer.get("incomplete_details").get("reason").asText());
    }

    /** SSE frames as (event, data) pairs, read until the stream ends. */
    private static List<String[]> frames(RawHttp client) throws IOException {
        List<String[]> out = new ArrayList<>();
        String event = null;
        String line;
        while ((line = client.line()) != null) {
            if (line.startsWith("event: ")) {
                event = line.substring(7);
            } else if (line.startsWith("data: ")) {
                out.add(new String[] {event, line.substring(6)});
            }
        }
        return out;
    }

    private static List<String> names(List<String[]> frames) {
        return frames.stream().map(f -> f[0]).toList();
    }

    private static JsonNode data(String[] frame) {
        try {
            return Http.JSON.readTree(frame[1]);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private RawHttp stream(String path, String body) throws IOException {
        RawHttp client = new RawHttp(java.net.URI.create(server.url()).getPort(), 0).post(path, body);
        assertEquals(200, client.status);
        return client;
    }

    @Test
    void aStreamedToolLoopFollowsOpenAisEventOrder() throws Exception {
        String t = thread("Weather in Oslo?");
        List<String[]> first;
        try (RawHttp client = stream("/v1/threads/" + t + "/runs", "{\"assistant_id\":\"" + weather + "\","
                + "\"stream\":true,\"parallel_tool_calls\":false,\"tool_choice\":{\"type\":\"function\",\"function\":"
                + "{\"name\":\"get_weather\"}}}")) {
            first = frames(client);
        }
        List<String> names = names(first);
        int deltas = names.size() - 7;
        List<String> expected = new ArrayList<>(List.of("thread.run.created", "thread.run.queued",
                "thread.run.in_progress", "thread.run.step.created", "thread.run.step.in_progress"));
        expected.addAll(java.util.Collections.nCopies(deltas, "thread.run.step.delta"));
        expected.addAll(List.of("thread.run.requires_action", "done"));
        assertEquals(expected, names);
        assertEquals("[DONE]", first.getLast()[1]);
        StringBuilder arguments = new StringBuilder();
        String callId = null;
        for (int i = 5; i < 5 + deltas; i++) {
            JsonNode d = data(first.get(i));
            assertFalse(d.get("delta").has("id"), "no id inside a step delta");
            JsonNode call = d.get("delta").get("step_details").get("tool_calls").get(0);
            if (i == 5) {
                callId = call.get("id").asText();
                assertEquals("get_weather", call.get("function").get("name").asText());
            } else {
                assertFalse(call.has("id"), "a call's id comes in its first delta only");
                assertFalse(call.get("function").has("name"), "its name too");
            }
            arguments.append(call.get("function").get("arguments").asText());
        }
        JsonNode action = data(first.get(first.size() - 2));
        JsonNode required = action.get("required_action").get("submit_tool_outputs").get("tool_calls").get(0);
        assertEquals(callId, required.get("id").asText());
        assertEquals(arguments.toString(), required.get("function").get("arguments").asText());
        String runId = action.get("id").asText();

        List<String[]> second;
        try (RawHttp client = stream("/v1/threads/" + t + "/runs/" + runId + "/submit_tool_outputs",
                "{\"stream\":true,\"tool_outputs\":[{\"tool_call_id\":\"" + callId + "\",\"output\":\"sunny\"}]}")) {
            second = frames(client);
        }
        List<String> rest = names(second);
        List<String> expectedRest = new ArrayList<>(List.of("thread.run.queued", "thread.run.step.completed",
                "thread.run.in_progress", "thread.run.step.created", "thread.run.step.in_progress",
                "thread.message.created", "thread.message.in_progress"));
        expectedRest.addAll(java.util.Collections.nCopies(rest.size() - 11, "thread.message.delta"));
        expectedRest.addAll(List.of("thread.message.completed", "thread.run.step.completed", "thread.run.completed",
                "done"));
        assertEquals(expectedRest, rest);
        assertEquals("sunny", data(second.get(1)).get("step_details").get("tool_calls").get(0).get("function")
                .get("output").asText());
        JsonNode done = data(second.get(second.size() - 2));
        assertEquals("completed", done.get("status").asText());
        assertTrue(done.get("usage").get("completion_tokens").asInt() > 2);
        assertEquals(TestModels.CHAT_COMPLETION, text(messages(t).get(1)));
    }

    @Test
    void unansweredToolCallsExpire() throws Exception {
        String t = thread("Weather?");
        JsonNode r = run(t, "{\"assistant_id\":\"" + weather + "\",\"tool_choice\":\"required\","
                + "\"parallel_tool_calls\":false}");
        JsonNode waiting = await(t, r.get("id").asText(), "requires_action");
        assertTrue(waiting.get("expires_at").asLong() <= System.currentTimeMillis() / 1000 + 2);
        JsonNode expired = await(t, r.get("id").asText(), "expired");
        assertTrue(expired.get("required_action").isNull());
        JsonNode step = get("/v1/threads/" + t + "/runs/" + r.get("id").asText() + "/steps").get("data").get(0);
        assertEquals("expired", step.get("status").asText());
        assertTrue(step.get("expired_at").isNumber());
        // The thread is free again.
        assertEquals(200, server.http().post("/v1/threads/" + t + "/messages", "{\"role\":\"user\",\"content\":"
                + "\"x\"}").status());
    }

    @Test
    void lastMessagesTruncationRendersOnlyTheNewest() throws Exception {
        String t = thread("Hello");
        for (String m : List.of("world", "from", "Puna")) {
            server.http().post("/v1/threads/" + t + "/messages", "{\"role\":\"user\",\"content\":\"" + m + "\"}");
        }
        JsonNode r = run(t, "{\"assistant_id\":\"" + scripted + "\",\"truncation_strategy\":{\"type\":"
                + "\"last_messages\",\"last_messages\":1}}");
        JsonNode done = await(t, r.get("id").asText(), "completed", "failed");
        int prompt = done.get("usage").get("prompt_tokens").asInt();
        JsonNode chat = server.http().post("/v1/chat/completions", "{\"model\":\"scripted\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"Puna\"}]}").json();
        assertEquals(chat.get("usage").get("prompt_tokens").asInt(), prompt, "the prompt holds the last message only");
    }

    @Test
    void aJsonResponseFormatShapesTheAnswer() throws Exception {
        String t = thread("Hello");
        JsonNode r = run(t, "{\"assistant_id\":\"" + scripted + "\",\"max_completion_tokens\":64,"
                + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"w\",\"schema\":"
                + "{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":\"boolean\"}},\"required\":[\"ok\"]}}}}");
        JsonNode done = await(t, r.get("id").asText(), "completed", "incomplete", "failed");
        assertEquals("completed", done.get("status").asText(), done.toString());
        JsonNode answer = Http.JSON.readTree(text(messages(t).get(1)));
        assertTrue(answer.get("ok").isBoolean(), answer.toString());
    }

    @Test
    void createAndRunStreamsTheNewThreadFirst() throws Exception {
        List<String[]> frames;
        try (RawHttp client = stream("/v1/threads/runs", "{\"assistant_id\":\"" + scripted + "\",\"stream\":true,"
                + "\"thread\":{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}}")) {
            frames = frames(client);
        }
        assertEquals(List.of("thread.created", "thread.run.created", "thread.run.queued", "thread.run.in_progress"),
                names(frames).subList(0, 4));
        assertEquals(List.of("thread.run.completed", "done"), names(frames).subList(frames.size() - 2, frames.size()));
        String t = data(frames.getFirst()).get("id").asText();
        assertEquals(t, data(frames.get(1)).get("thread_id").asText());
        assertEquals(TestModels.CHAT_COMPLETION, text(messages(t).get(1)));
    }

    @Test
    void aClientLeavingAStreamedRunDoesNotStopIt() throws Exception {
        String t = thread("Hello");
        String runId = null;
        try (RawHttp client = stream("/v1/threads/" + t + "/runs", "{\"assistant_id\":\"" + counter + "\","
                + "\"stream\":true,\"max_completion_tokens\":40}")) {
            String line;
            int deltas = 0;
            while ((line = client.line()) != null && deltas < 2) {
                if (line.startsWith("data: ") && line.contains("\"thread.run\"") && runId == null) {
                    runId = Http.JSON.readTree(line.substring(6)).get("id").asText();
                }
                if (line.contains("thread.message.delta")) {
                    deltas++;
                }
            }
        } // the client hangs up after two deltas
        JsonNode ended = await(t, runId, "incomplete", "completed", "failed", "cancelled");
        assertEquals("incomplete", ended.get("status").asText(), "ran to its budget: " + ended);
        assertEquals(TestModels.countCompletion(40), text(messages(t).get(1)), "every token is stored");
    }

    @Test
    void deletingAThreadDeletesItsMessagesAndRuns() throws Exception {
        String t = thread("Hello");
        JsonNode r = run(t, "{\"assistant_id\":\"" + scripted + "\"}");
        await(t, r.get("id").asText(), "completed");
        Http.Response deleted = server.http().delete("/v1/threads/" + t, null);
        assertEquals(200, deleted.status());
        assertEquals(Http.JSON.readTree("{\"id\":\"" + t + "\",\"object\":\"thread.deleted\",\"deleted\":true}"),
                deleted.json());
        assertEquals(404, server.http().get("/v1/threads/" + t + "/messages").status());
        assertEquals(404, server.http().get("/v1/threads/" + t + "/runs/" + r.get("id").asText()).status());
    }
}
