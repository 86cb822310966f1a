package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.store.Digest;
import dev.puna.store.ProgressListener;
import dev.puna.testkit.TestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code think} end to end on the thinking test model ({@link TestModels#thinker}), which answers a chat with
 * {@code <think>Let me think.</think>The answer is 4.}: the reasoning comes back in {@code thinking} (streamed in
 * chunks of its own, before the answer), {@code reasoning_content} on {@code /v1/chat/completions}, the tags
 * taken from the model's template (GGUF or Modelfile TEMPLATE, also when the template opens the block itself),
 * reasoning in the history reaching the template, and Ollama's 400 for a model that does not think.
 */
@Timeout(120)
class ThinkingEndToEndTest {
    /** A Go template that writes reasoning back and opens the block for the model, as Qwen3-style ones do. */
    private static final String OPENING_TEMPLATE = "{{- range .Messages }}<|im_start|>{{ .Role }}\\n"
            + "{{ if .Thinking }}<think>{{ .Thinking }}</think>{{ end }}{{ .Content }}<|im_end|>\\n{{ end }}"
            + "<|im_start|>assistant\\n<think>";
    @TempDir
    static Path dir;
    private static StoreServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new StoreServer(dir.resolve("models"));
        Path thinker = TestModels.thinker(Path.of(System.getProperty("java.io.tmpdir"), "puna-http-models"));
        server.store.register("thinker", thinker, ProgressListener.NONE);
        server.store.register("scripted", ScriptedServer.MODEL, ProgressListener.NONE);
        Digest blob = StoreEndToEndTest.upload(server.http, thinker);
        for (String name : List.of("opener", "history-with", "history-without")) {
            StoreEndToEndTest.create(server.http, "{\"model\":\"" + name + "\",\"files\":{\"t.gguf\":\"" + blob
                    + "\"},\"template\":\"" + OPENING_TEMPLATE + "\"}");
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Http.Response chat(String model, String extra, String messages) {
        return server.http.post("/api/chat", "{\"model\":\"" + model + "\",\"options\":{\"temperature\":0},"
                + extra + "\"messages\":" + messages + "}");
    }

    private static final String QUESTION = "[{\"role\":\"user\",\"content\":\"2+2?\"}]";

    @Test
    void chatWithThinkPutsTheReasoningInThinking() {
        Http.Response r = chat("thinker", "\"stream\":false,\"think\":true,", QUESTION);
        assertEquals(200, r.status(), r.body());
        JsonNode message = r.json().get("message");
        assertEquals(TestModels.THINKING, message.get("thinking").asText());
        assertEquals(TestModels.THOUGHT_ANSWER, message.get("content").asText());
        assertEquals("stop", r.json().get("done_reason").asText());
    }

    @Test
    void streamedReasoningComesInItsOwnChunksBeforeTheAnswer() {
        Http.Response r = chat("thinker", "\"think\":true,", QUESTION);
        assertEquals(200, r.status(), r.body());
        List<String> thinking = new ArrayList<>();
        List<String> content = new ArrayList<>();
        for (JsonNode line : r.lines()) {
            JsonNode m = line.get("message");
            if (line.get("done").asBoolean()) {
                assertFalse(m.has("thinking"), line.toString());
                assertEquals("", m.get("content").asText());
                continue;
            }
            if (m.has("thinking")) {
                assertTrue(content.isEmpty(), "reasoning after the answer began: " + r.body());
                assertEquals("", m.get("content").asText());
                thinking.add(m.get("thinking").asText());
            } else {
                content.add(m.get("content").asText());
            }
        }
        assertEquals(List.of("Let", " me", " think."), thinking);
        assertEquals(List.of("The", " answer", " is", " 4."), content);
    }

    @Test
    void withoutThinkTheReasoningStaysInTheAnswer() {
        JsonNode message = chat("thinker", "\"stream\":false,", QUESTION).json().get("message");
        assertEquals("<think>" + TestModels.THINKING + "</think>" + TestModels.THOUGHT_ANSWER,
                message.get("content").asText());
        assertFalse(message.has("thinking"));
    }

    @Test
    void generateWithThink() {
        Http.Response r = server.http.post("/api/generate", "{\"model\":\"thinker\",\"prompt\":\"2+2?\","
                + "\"stream\":false,\"think\":true,\"options\":{\"temperature\":0}}");
        assertEquals(200, r.status(), r.body());
        assertEquals(TestModels.THINKING, r.json().get("thinking").asText());
        assertEquals(TestModels.THOUGHT_ANSWER, r.json().get("response").asText());
        Http.Response streamed = server.http.post("/api/generate", "{\"model\":\"thinker\",\"prompt\":\"2+2?\","
                + "\"think\":\"high\",\"options\":{\"temperature\":0}}");
        StringBuilder thinking = new StringBuilder();
        StringBuilder response = new StringBuilder();
        for (JsonNode line : streamed.lines()) {
            thinking.append(line.path("thinking").asText(""));
            response.append(line.get("response").asText());
        }
        assertEquals(TestModels.THINKING, thinking.toString());
        assertEquals(TestModels.THOUGHT_ANSWER, response.toString());
    }

    @Test
    void aTemplateThatOpensTheBlockItselfIsReadFromInside() {
        Http.Response r = chat("opener", "\"stream\":false,\"think\":true,", QUESTION);
        assertEquals(200, r.status(), r.body());
        assertEquals(TestModels.THINKING, r.json().get("message").get("thinking").asText());
        assertEquals(TestModels.THOUGHT_ANSWER, r.json().get("message").get("content").asText());
    }

    /**
     * A previous turn's {@code thinking} reaches the template: the same history costs exactly the five tokens of
     * {@code <think>Let me think.</think>} more with it (two models with the same template, used by no other
     * test, so that neither request finds a prompt prefix in a KV cache).
     */
    @Test
    void reasoningInTheHistoryIsPassedBackToTheTemplate() {
        String with = "[{\"role\":\"user\",\"content\":\"Hello\"},{\"role\":\"assistant\",\"content\":\"ok\","
                + "\"thinking\":\"Let me think.\"},{\"role\":\"user\",\"content\":\"2+2?\"}]";
        String without = with.replace(",\"thinking\":\"Let me think.\"", "");
        JsonNode a = chat("history-with", "\"stream\":false,\"think\":true,", with).json();
        JsonNode b = chat("history-without", "\"stream\":false,\"think\":true,", without).json();
        assertEquals(TestModels.THOUGHT_ANSWER, a.get("message").get("content").asText());
        assertEquals(5, a.get("prompt_eval_count").asInt() - b.get("prompt_eval_count").asInt(), a + " vs " + b);
    }

    @Test
    void showListsThinkingForModelsThatThink() throws Exception {
        for (String model : List.of("thinker", "opener")) {
            JsonNode caps = server.http.post("/api/show", "{\"model\":\"" + model + "\"}").json().get("capabilities");
            assertEquals(Http.JSON.readTree("[\"completion\",\"thinking\"]"), caps, model);
        }
        JsonNode scripted = server.http.post("/api/show", "{\"model\":\"scripted\"}").json().get("capabilities");
        assertEquals(Http.JSON.readTree("[\"completion\",\"insert\"]"), scripted);
    }

    @Test
    void aModelThatDoesNotThinkIsA400WhenAskedTo() {
        Http.Response chat = chat("scripted", "\"stream\":false,\"think\":true,", QUESTION);
        assertEquals(400, chat.status());
        assertEquals("{\"error\":\"\\\"scripted\\\" does not support thinking\"}", chat.body());
        Http.Response generate = server.http.post("/api/generate", "{\"model\":\"scripted\",\"prompt\":\"x\","
                + "\"think\":true}");
        assertEquals(400, generate.status());
        assertEquals("{\"error\":\"\\\"scripted\\\" does not support thinking\"}", generate.body());
        assertEquals(200, chat("scripted", "\"stream\":false,\"think\":false,", QUESTION).status());
    }

    @Test
    void openAiChatReturnsReasoningContentAsLlamaServerDoes() {
        Http.Response r = server.http.post("/v1/chat/completions", "{\"model\":\"thinker\",\"temperature\":0,"
                + "\"messages\":" + QUESTION + "}");
        assertEquals(200, r.status(), r.body());
        JsonNode message = r.json().get("choices").get(0).get("message");
        assertEquals(TestModels.THINKING, message.get("reasoning_content").asText());
        assertEquals(TestModels.THOUGHT_ANSWER, message.get("content").asText());

        Http.Response streamed = server.http.post("/v1/chat/completions", "{\"model\":\"thinker\",\"temperature\":0,"
                + "\"stream\":true,\"messages\":" + QUESTION + "}");
        StringBuilder reasoning = new StringBuilder();
        StringBuilder content = new StringBuilder();
        for (JsonNode chunk : SseEvents.parse(streamed.body())) {
            for (JsonNode choice : chunk.get("choices")) {
                JsonNode delta = choice.get("delta");
                if (delta.has("reasoning_content")) {
                    assertEquals("", content.toString(), "reasoning after content");
                    reasoning.append(delta.get("reasoning_content").asText());
                }
                content.append(delta.path("content").asText(""));
            }
        }
        assertEquals(TestModels.THINKING, reasoning.toString());
        assertEquals(TestModels.THOUGHT_ANSWER, content.toString());
    }
}
