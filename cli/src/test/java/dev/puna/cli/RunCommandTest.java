package dev.puna.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code puna run}'s interactive chat against a scripted stand-in server that records what it is sent: the
 * conversation is kept turn after turn, {@code /clear} forgets it, {@code """} spans lines, unknown commands are
 * named, {@code --keepalive} is passed on, and a server error ends the chat with its message.
 */
class RunCommandTest {
    private static final String ANSWER = "{\"message\":{\"role\":\"assistant\",\"content\":\"Fine\"},\"done\":false}\n"
            + "{\"message\":{\"role\":\"assistant\",\"content\":\", thanks.\"},\"done\":true}\n";

    private final List<JsonNode> chats = Collections.synchronizedList(new ArrayList<>());
    private final AtomicReference<String> chatAnswer = new AtomicReference<>(ANSWER);
    private HttpServer fake;

    @BeforeEach
    void start() throws IOException {
        fake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        fake.createContext("/api/show", ex -> respond(ex, "application/json", "{}"));
        fake.createContext("/api/chat", ex -> {
            chats.add(ApiClient.JSON.readTree(ex.getRequestBody().readAllBytes()));
            respond(ex, "application/x-ndjson", chatAnswer.get());
        });
        fake.start();
    }

    @AfterEach
    void stop() {
        fake.stop(0);
    }

    private static void respond(HttpExchange ex, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private record Run(int exit, String out, String err) {
    }

    private Run chat(String input, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CliEnvironment env = new CliEnvironment(Map.of("PUNA_HOST", "127.0.0.1:" + fake.getAddress().getPort()),
                new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), true, false, Clock.systemUTC());
        int exit = Main.commandLine(env).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private JsonNode messages(int request) {
        return chats.get(request).get("messages");
    }

    @Test
    void theConversationIsKeptClearedAndMessagesSpanLines() throws Exception {
        Run r = chat("one\ntwo\n/clear\n\"\"\"three\nlines\"\"\"\n/nope\n/bye\n", "run", "m");
        assertEquals(new Run(0, ">>> Fine, thanks.\n\n>>> Fine, thanks.\n\n>>> Cleared session context\n"
                + ">>> ... Fine, thanks.\n\n>>> Unknown command '/nope'. Type /? for help\n>>> ", ""), r);
        assertEquals(3, chats.size());
        assertEquals(ApiClient.JSON.readTree("[{\"role\":\"user\",\"content\":\"one\"}]"), messages(0));
        assertEquals(ApiClient.JSON.readTree("""
                [{"role":"user","content":"one"},{"role":"assistant","content":"Fine, thanks."},
                 {"role":"user","content":"two"}]"""), messages(1));
        assertEquals(ApiClient.JSON.readTree("[{\"role\":\"user\",\"content\":\"three\\nlines\"}]"), messages(2));
        assertEquals("m", chats.getFirst().get("model").asText());
        assertEquals(false, chats.getFirst().has("keep_alive"));
    }

    @Test
    void keepAliveIsPassedOnAndTheEndOfInputEndsTheChat() {
        Run r = chat("hi\n", "run", "--keepalive", "0", "m");
        assertEquals(new Run(0, ">>> Fine, thanks.\n\n>>> \n", ""), r);
        assertEquals(0, chats.getFirst().get("keep_alive").asInt());
        assertEquals(true, chats.getFirst().get("keep_alive").isInt());
        chat("hi\n/bye\n", "run", "--keepalive", "10m", "m");
        assertEquals("10m", chats.get(1).get("keep_alive").asText());
    }

    @Test
    void aServerErrorEndsTheChatWithItsMessage() {
        chatAnswer.set("{\"message\":{\"role\":\"assistant\",\"content\":\"Fi\"},\"done\":false}\n"
                + "{\"error\":\"the model was unloaded while the request ran\"}\n");
        Run r = chat("hi\nagain\n", "run", "m");
        assertEquals(1, r.exit());
        assertEquals(">>> Fi", r.out());
        assertEquals("Error: the model was unloaded while the request ran\n", r.err());
        assertEquals(1, chats.size());
    }
}
