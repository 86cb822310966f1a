package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.runtime.Model;
import dev.puna.runtime.ModelParams;
import dev.puna.runtime.chat.ChatMessage;
import dev.puna.runtime.chat.ChatPrompt;
import dev.puna.runtime.chat.ChatRequest;
import dev.puna.testkit.TestModels;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /api/chat} end to end on the scripted model's ChatML template. */
@Timeout(120)
class ChatEndToEndTest {
    private static ScriptedServer server;

    @BeforeAll
    static void start() {
        server = new ScriptedServer();
        server.catalog.add(new CatalogModel("assistant:latest", ScriptedServer.MODEL, "", 1, TestCatalog.MODIFIED,
                TestCatalog.DETAILS, null, "You are terse.", Map.of("temperature", 0), null, null));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Http.Response chat(String json) {
        return server.http.post("/api/chat", json);
    }

    @Test
    void streamsAssistantMessages() {
        Http.Response r = chat("{\"model\":\"scripted\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],"
                + "\"options\":{\"temperature\":0}}");
        assertEquals(200, r.status());
        assertEquals("application/x-ndjson", r.header("Content-Type"));
        List<JsonNode> lines = r.lines();
        assertEquals(3, lines.size(), r.body());
        assertEquals(List.of("Hi", " there!", ""),
                lines.stream().map(l -> l.get("message").get("content").asText()).toList());
        for (JsonNode l : lines) {
            assertEquals("assistant", l.get("message").get("role").asText());
            assertEquals("scripted", l.get("model").asText());
        }
        assertEquals(Set.of("model", "created_at", "message", "done"), GenerateEndToEndTest.fields(lines.getFirst()));
        JsonNode last = lines.getLast();
        assertEquals(Set.of("model", "created_at", "message", "done", "done_reason", "total_duration", "load_duration",
                "prompt_eval_count", "prompt_eval_duration", "eval_count", "eval_duration"),
                GenerateEndToEndTest.fields(last));
        assertEquals("stop", last.get("done_reason").asText());
        assertEquals(2, last.get("eval_count").asInt());
    }

    @Test
    void nonStreamingReturnsTheWholeMessage() {
        JsonNode o = chat("{\"model\":\"scripted\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],"
                + "\"options\":{\"temperature\":0}}").json();
        assertEquals(TestModels.CHAT_COMPLETION, o.get("message").get("content").asText());
        assertEquals("assistant", o.get("message").get("role").asText());
        assertEquals("stop", o.get("done_reason").asText());
    }

    @Test
    void numPredictCutsTheAnswer() {
        JsonNode o = chat("{\"model\":\"scripted\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
                + "\"options\":{\"temperature\":0,\"num_predict\":1}}").json();
        assertEquals("Hi", o.get("message").get("content").asText());
        assertEquals("length", o.get("done_reason").asText());
    }

    @Test
    void theSecondTurnEvaluatesOnlyItsNewTokens() {
        String turn1 = "[{\"role\":\"system\",\"content\":\"multi-turn\"},{\"role\":\"user\",\"content\":\"Hello\"}]";
        String turn2 = "[{\"role\":\"system\",\"content\":\"multi-turn\"},{\"role\":\"user\",\"content\":\"Hello\"},"
                + "{\"role\":\"assistant\",\"content\":\"Hi there!\"},{\"role\":\"user\",\"content\":\"And you?\"}]";
        JsonNode first = chat("{\"model\":\"assistant\",\"stream\":false,\"messages\":" + turn1 + "}").json();
        assertEquals(TestModels.CHAT_COMPLETION, first.get("message").get("content").asText());
        JsonNode second = chat("{\"model\":\"assistant\",\"stream\":false,\"messages\":" + turn2 + "}").json();
        assertEquals(TestModels.CHAT_COMPLETION, second.get("message").get("content").asText());
        // The slot holds turn 1's prompt and the decoded answer tokens ("Hi", " there!"); the rest is new.
        try (Model vocab = Model.load(ScriptedServer.MODEL, ModelParams.builder().vocabOnly(true).build())) {
            int one = tokens(vocab, List.of(ChatMessage.system("multi-turn"), ChatMessage.user("Hello")));
            int two = tokens(vocab, List.of(ChatMessage.system("multi-turn"), ChatMessage.user("Hello"),
                    ChatMessage.assistant("Hi there!"), ChatMessage.user("And you?")));
            // Turn 1 may share a prefix with an earlier test's prompt in its slot; turn 2 shares all of turn 1.
            assertTrue(first.get("prompt_eval_count").asInt() <= one);
            assertEquals(two - one - 2, second.get("prompt_eval_count").asInt());
        }
    }

    private static int tokens(Model vocab, List<ChatMessage> messages) {
        ChatPrompt p = vocab.renderChat(ChatRequest.of(messages));
        return vocab.tokenize(p.text(), p.addBos(), true).length;
    }

    @Test
    void theModelfileSystemPromptIsAddedWhenTheRequestHasNone() {
        // Turn 1 of a conversation with the catalog's SYSTEM costs the same as with it written out.
        JsonNode implicit = chat("{\"model\":\"assistant\",\"stream\":false,\"options\":{\"num_predict\":0},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"system check\"}]}").json();
        try (Model vocab = Model.load(ScriptedServer.MODEL, ModelParams.builder().vocabOnly(true).build())) {
            int withSystem = tokens(vocab, List.of(ChatMessage.system("You are terse."),
                    ChatMessage.user("system check")));
            int withSystemAndPrefix = implicit.get("prompt_eval_count").asInt();
            assertTrue(withSystemAndPrefix <= withSystem && withSystemAndPrefix >= withSystem - 8,
                    withSystemAndPrefix + " evaluated of " + withSystem);
        }
        assertEquals("", implicit.get("message").get("content").asText());
        assertEquals("length", implicit.get("done_reason").asText());
    }

    @Test
    void toolResultsAndAssistantToolCallsAreRendered() {
        JsonNode o = chat("{\"model\":\"scripted\",\"stream\":false,\"options\":{\"temperature\":0},\"messages\":["
                + "{\"role\":\"user\",\"content\":\"weather?\"},"
                + "{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":{\"city\":\"Oslo\"}}}]},"
                + "{\"role\":\"tool\",\"content\":\"cold\",\"tool_name\":\"get_weather\"}]}").json();
        assertEquals(TestModels.CHAT_COMPLETION, o.get("message").get("content").asText());
    }

    @Test
    void emptyMessagesLoadAndUnloadTheModel() {
        JsonNode load = chat("{\"model\":\"scripted\",\"messages\":[]}").json();
        assertEquals(Set.of("model", "created_at", "message", "done", "done_reason"), GenerateEndToEndTest.fields(load));
        assertEquals("load", load.get("done_reason").asText());
        assertEquals("", load.get("message").get("content").asText());
        assertTrue(loaded().contains("scripted:latest"));
        JsonNode unload = chat("{\"model\":\"scripted\",\"keep_alive\":0}").json();
        assertEquals("unload", unload.get("done_reason").asText());
        assertTrue(!loaded().contains("scripted:latest"), "unloaded before the answer");
    }

    private static List<String> loaded() {
        List<String> names = new java.util.ArrayList<>();
        server.http.get("/api/ps").json().get("models").forEach(m -> names.add(m.get("name").asText()));
        return names;
    }
}
