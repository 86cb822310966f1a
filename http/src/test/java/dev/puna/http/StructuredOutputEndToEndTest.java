package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.testkit.TestModels;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code format} on {@code /api/generate} and {@code /api/chat}, end to end on the scripted model: its scripted
 * continuation is not JSON, so every token it writes under a format is the highest-scoring token the grammar allows,
 * which is deterministic. The outputs are valid against their schemas by construction and checked here once more.
 */
@Timeout(120)
class StructuredOutputEndToEndTest {
    private static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":\"boolean\"},"
            + "\"n\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":99}},\"required\":[\"ok\",\"n\"]}";
    private static final String CHAT_SCHEMA = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\","
            + "\"maxLength\":12},\"cold\":{\"type\":\"boolean\"}},\"required\":[\"city\",\"cold\"]}";
    private static ScriptedServer server;

    @BeforeAll
    static void start() {
        server = new ScriptedServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Http.Response post(String path, String json) {
        return server.http.post(path, json);
    }

    private static JsonNode parse(String text) {
        try {
            return Http.JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    @Test
    void aSchemaTurnsTheGenerateScriptIntoValidJson() {
        JsonNode o = post("/api/generate", "{\"model\":\"scripted\",\"prompt\":\"Hello\",\"raw\":true,\"stream\":false,"
                + "\"format\":" + SCHEMA + ",\"options\":{\"temperature\":0}}").json();
        assertEquals("{\"ok\" :true\n, \"n\" :55}", o.get("response").asText());
        assertEquals("stop", o.get("done_reason").asText(), "nothing is grammatical after the closing brace but EOS");
        assertEquals(22, o.get("eval_count").asInt());
        JsonNode value = parse(o.get("response").asText());
        assertEquals(true, value.get("ok").asBoolean());
        assertEquals(55, value.get("n").asInt());
    }

    @Test
    void aSchemaConstrainsEveryStreamedChunk() {
        List<JsonNode> lines = post("/api/generate", "{\"model\":\"scripted\",\"prompt\":\"Hello\",\"raw\":true,"
                + "\"format\":" + SCHEMA + ",\"options\":{\"temperature\":0}}").lines();
        assertEquals(23, lines.size());
        StringBuilder text = new StringBuilder();
        for (JsonNode l : lines.subList(0, 22)) {
            assertFalse(l.get("response").asText().isEmpty());
            text.append(l.get("response").asText());
        }
        assertEquals("{\"ok\" :true\n, \"n\" :55}", text.toString());
        assertEquals("stop", lines.getLast().get("done_reason").asText());
    }

    @Test
    void jsonFormatStartsAnObjectWhereTheScriptWouldNot() {
        JsonNode plain = post("/api/generate", "{\"model\":\"scripted\",\"prompt\":\"Hello\",\"raw\":true,\"stream\":false,"
                + "\"options\":{\"temperature\":0,\"num_predict\":6}}").json();
        assertEquals(TestModels.HELLO_COMPLETION, plain.get("response").asText());
        // The object's first string takes up the Count script, which never ends: cut by num_predict.
        JsonNode json = post("/api/generate", "{\"model\":\"scripted\",\"prompt\":\"Hello\",\"raw\":true,\"stream\":false,"
                + "\"format\":\"json\",\"options\":{\"temperature\":0,\"num_predict\":6}}").json();
        assertEquals("{\"" + TestModels.countCompletion(4), json.get("response").asText());
        assertEquals("length", json.get("done_reason").asText());
    }

    @Test
    void aSchemaShapesTheChatAnswer() {
        JsonNode o = post("/api/chat", "{\"model\":\"scripted\",\"stream\":false,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Hello\"}],\"format\":" + CHAT_SCHEMA + ",\"options\":{\"temperature\":0}}").json();
        String content = o.get("message").get("content").asText();
        assertEquals("{\"city\":\n\" one two one\"\n, \"cold\":true\n}", content);
        assertFalse(o.get("message").has("tool_calls"));
        assertEquals("stop", o.get("done_reason").asText());
        JsonNode value = parse(content);
        assertEquals(" one two one", value.get("city").asText());
        assertEquals(true, value.get("cold").asBoolean());

        List<JsonNode> lines = post("/api/chat", "{\"model\":\"scripted\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Hello\"}],\"format\":" + CHAT_SCHEMA + ",\"options\":{\"temperature\":0}}").lines();
        StringBuilder streamed = new StringBuilder();
        lines.forEach(l -> streamed.append(l.get("message").get("content").asText()));
        assertEquals(content, streamed.toString());
        assertEquals(o.get("eval_count"), lines.getLast().get("eval_count"));
    }

    @Test
    void anEmptyFormatIsFreeText() {
        JsonNode o = post("/api/chat", "{\"model\":\"scripted\",\"stream\":false,\"format\":\"\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"Hello\"}],\"options\":{\"temperature\":0}}").json();
        assertEquals(TestModels.CHAT_COMPLETION, o.get("message").get("content").asText());
    }
}
