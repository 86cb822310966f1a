package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.testkit.TestModels;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link PunaServer#drain}: its states, the requests it waits for, and how requests that have sent nothing yet end
 * when its deadline cancels them (503 in their API's format). Streams cut mid-way are covered with a real
 * process by the CLI's {@code ServeShutdownTest}.
 */
@Timeout(120)
class DrainTest {
    private static final String ENDLESS_OLLAMA = "{\"model\":\"scripted\",\"prompt\":\"Count:\",\"raw\":true,"
            + "\"stream\":false,\"options\":{\"temperature\":0,\"num_predict\":-1}}";
    private static final String ENDLESS_OPENAI = "{\"model\":\"scripted\",\"prompt\":\"Count:\",\"temperature\":0}";

    @Test
    void anIdleServerDrainsAtOnceAndStopsTakingRequests() {
        try (ScriptedServer s = new ScriptedServer()) {
            assertEquals(ServerState.SERVING, s.server.state());
            assertFalse(s.server.draining());
            assertEquals(TestModels.HELLO_COMPLETION, s.http.post("/api/generate", "{\"model\":\"scripted\","
                    + "\"prompt\":\"Hello\",\"raw\":true,\"stream\":false,\"options\":{\"temperature\":0}}")
                    .json().get("response").asText());
            assertTrue(s.server.drain(Duration.ofSeconds(30)));
            assertEquals(ServerState.DRAINING, s.server.state());
            assertTrue(s.server.draining());
            assertFalse(s.server.drain(Duration.ofSeconds(30)), "a second drain does nothing");
            s.server.close();
            assertEquals(ServerState.STOPPED, s.server.state());
        }
    }

    @Test
    void atTheDeadlineRequestsThatSentNothingGet503InTheirFormat() throws Exception {
        try (ScriptedServer s = new ScriptedServer()) {
            CompletableFuture<Http.Response> ollama = CompletableFuture.supplyAsync(
                    () -> s.http.post("/api/generate", ENDLESS_OLLAMA));
            CompletableFuture<Http.Response> openAi = CompletableFuture.supplyAsync(
                    () -> s.http.post("/v1/completions", ENDLESS_OPENAI));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!s.http.get("/metrics").body().contains("puna_active_slots{model=\"scripted:latest\"} 2.0")) {
                assertTrue(System.nanoTime() < deadline, "the two generations never ran");
                Thread.sleep(20);
            }
            assertFalse(s.server.drain(Duration.ofMillis(300)));
            Http.Response o = ollama.get();
            assertEquals(503, o.status());
            assertEquals("{\"error\":\"server is shutting down\"}", o.body());
            assertEquals("1", o.header("Retry-After"));
            Http.Response a = openAi.get();
            assertEquals(503, a.status());
            assertEquals("{\"error\":{\"message\":\"server is shutting down\",\"type\":\"server_error\","
                    + "\"param\":null,\"code\":\"server_busy\"}}", a.body());
        }
    }

    @Test
    void atTheDeadlineAnAnthropicStreamEndsWithAnErrorEventAndAWholeMessageIsA503() throws Exception {
        // A context large enough that counting runs past the deadline (the Messages route does not shift).
        try (ScriptedServer s = new ScriptedServer(ServerConfig.builder(), 32768)) {
            s.catalog.add("counter", ScriptedServer.COUNTER_MODEL);
            String request = "{\"model\":\"counter\",\"max_tokens\":100000,\"temperature\":0,\"messages\":"
                    + "[{\"role\":\"user\",\"content\":\"Go\"}]";
            CompletableFuture<Http.Response> whole = CompletableFuture.supplyAsync(
                    () -> s.http.post("/v1/messages", request + "}"));
            CompletableFuture<Http.Response> streamed = CompletableFuture.supplyAsync(
                    () -> s.http.post("/v1/messages", request + ",\"stream\":true}"));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!s.http.get("/metrics").body().contains("puna_active_slots{model=\"counter:latest\"} 2.0")) {
                assertTrue(System.nanoTime() < deadline, "the two generations never ran");
                Thread.sleep(20);
            }
            assertFalse(s.server.drain(Duration.ofMillis(300)));
            String error = "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":"
                    + "\"server is shutting down\"}}";
            Http.Response w = whole.get();
            assertEquals(503, w.status());
            assertEquals(error, w.body());
            assertEquals("1", w.header("Retry-After"));
            List<JsonNode> events = AnthropicMessagesEndToEndTest.events(streamed.get());
            List<String> types = AnthropicMessagesEndToEndTest.types(events);
            assertEquals(List.of("message_start", "content_block_start", "ping"), types.subList(0, 3));
            assertEquals("error", types.getLast(), types.toString());
            assertFalse(types.contains("message_stop"), types.toString());
            assertEquals(Http.JSON.readTree(error), events.getLast());
        }
    }
}
