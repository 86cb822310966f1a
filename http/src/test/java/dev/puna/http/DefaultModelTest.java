package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.testkit.TestModels;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code PUNA_DEFAULT_MODEL}: with it set, a request that names no model (absent, null or empty) on any generation or
 * embedding route is served by it; unset, such a request stays a 400 {@code model is required} in the route's
 * format. A model the request does name is always the one used.
 */
@Timeout(120)
class DefaultModelTest {
    private static final String CHAT = "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]";
    /** Each route with a body that names no model. */
    private static final List<String[]> ROUTES = List.of(
            new String[] {"/api/generate", "{\"prompt\":\"" + TestModels.HELLO_PROMPT + "\",\"raw\":true,"
                    + "\"stream\":false,\"options\":{\"temperature\":0}}"},
            new String[] {"/api/chat", "{" + CHAT + ",\"stream\":false,\"options\":{\"temperature\":0}}"},
            new String[] {"/api/embed", "{\"input\":\"Hello\"}"},
            new String[] {"/api/embeddings", "{\"prompt\":\"Hello\"}"},
            new String[] {"/v1/chat/completions", "{" + CHAT + ",\"temperature\":0}"},
            new String[] {"/v1/completions", "{\"prompt\":\"" + TestModels.HELLO_PROMPT + "\",\"temperature\":0}"},
            new String[] {"/v1/embeddings", "{\"input\":\"Hello\"}"},
            new String[] {"/v1/messages", "{" + CHAT + ",\"max_tokens\":16,\"temperature\":0}"});
    private static ScriptedServer withDefault;
    private static ScriptedServer without;

    @BeforeAll
    static void start() {
        withDefault = new ScriptedServer(ServerConfig.builder().defaultModel("scripted"));
        without = new ScriptedServer();
    }

    @AfterAll
    static void stop() {
        withDefault.close();
        without.close();
    }

    @Test
    void aRequestWithoutAModelUsesTheDefault() {
        for (String[] route : ROUTES) {
            for (String model : List.of("", "\"model\":null,", "\"model\":\"\",")) {
                String body = "{" + model + route[1].substring(1);
                Http.Response r = withDefault.http.post(route[0], body);
                assertEquals(200, r.status(), route[0] + " " + body + ": " + r.body());
                assertAnswer(route[0], r.json());
            }
        }
    }

    /** What the scripted model answers on each route, and the model named in the answer. */
    private static void assertAnswer(String route, JsonNode o) {
        switch (route) {
            case "/api/generate" -> assertEquals(TestModels.HELLO_COMPLETION, o.get("response").asText());
            case "/api/chat" -> assertEquals(TestModels.CHAT_COMPLETION, o.get("message").get("content").asText());
            case "/api/embed" -> assertEquals(1, o.get("embeddings").size());
            case "/api/embeddings" -> assertEquals(true, o.get("embedding").size() > 0);
            case "/v1/chat/completions" -> assertEquals(TestModels.CHAT_COMPLETION,
                    o.get("choices").get(0).get("message").get("content").asText());
            case "/v1/completions" -> assertEquals(TestModels.HELLO_COMPLETION,
                    o.get("choices").get(0).get("text").asText());
            case "/v1/embeddings" -> assertEquals(1, o.get("data").size());
            case "/v1/messages" -> assertEquals(TestModels.CHAT_COMPLETION,
                    o.get("content").get(0).get("text").asText());
            default -> throw new AssertionError(route);
        }
        if (o.has("model")) {
            assertEquals("scripted", o.get("model").asText(), route);
        }
    }

    @Test
    void aNamedModelWinsOverTheDefault() {
        Http.Response r = withDefault.http.post("/api/generate", "{\"model\":\"nonexistent-model\",\"prompt\":\"x\"}");
        assertEquals(404, r.status(), r.body());
        assertEquals("{\"error\":\"model 'nonexistent-model' not found\"}", r.body());
    }

    @Test
    void withoutADefaultAMissingModelIsStillA400() {
        for (String[] route : ROUTES) {
            Http.Response r = without.http.post(route[0], route[1]);
            assertEquals(400, r.status(), route[0] + ": " + r.body());
            String expected = route[0].startsWith("/api/") ? "{\"error\":\"model is required\"}"
                    : route[0].equals("/v1/messages")
                    ? "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":"
                            + "\"model is required\"}}"
                    : "{\"error\":{\"message\":\"model is required\",\"type\":\"invalid_request_error\","
                            + "\"param\":\"model\",\"code\":null}}";
            assertEquals(expected, r.body(), route[0]);
        }
    }
}
