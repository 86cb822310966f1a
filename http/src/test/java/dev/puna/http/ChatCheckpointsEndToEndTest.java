package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.testkit.SlidingWindowModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The chat routes tell the engine where a conversation's user messages start, so a model with sliding-window layers
 * takes its checkpoints there ({@code UserMessageStarts}): a conversation the server has not seen, sent whole and
 * then again with its last user message edited, continues where that message starts; another conversation under the
 * same system prompt continues after it (OpenAI's chat completions and Responses, Ollama's chat and generate,
 * Anthropic's messages). Runs on the small random Gemma 3 model (window 32) with a micro-batch of 64
 * tokens, where a 300-token last message leaves the window before it out of the cache, so without the pause the
 * edit is evaluated from the start. The expected counts are the tokens of the ChatML text before the message.
 */
@Timeout(180)
class ChatCheckpointsEndToEndTest {
    private static ScriptedServer server;

    @BeforeAll
    static void start() throws IOException {
        Path dir = Files.createTempDirectory("puna-chat-checkpoints");
        Path file = dir.resolve("swa.gguf");
        SlidingWindowModel.small().write(file);
        // A data directory for the Responses API's state.
        server = new ScriptedServer(ServerConfig.builder().dataDir(dir.resolve("data")), 1024);
        server.catalog.add(new CatalogModel("swa:latest", file, "", 1, TestCatalog.MODIFIED, TestCatalog.DETAILS, null,
                null, Map.of("num_batch", 64), null, null));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** {@code n} one-letter words a seed shifts: one token each in the model's vocabulary. */
    private static String words(int seed, int n) {
        return IntStream.range(0, n).mapToObj(i -> String.valueOf((char) ('a' + (i * 7 + seed * 5) % 26)))
                .collect(Collectors.joining(" "));
    }

    /** How many tokens the route's prompt has before {@code text} ends: BOS and ChatML, special tokens parsed. */
    private static int tokens(String text) {
        Http.Response r = server.http.post("/tokenize", "{\"model\":\"swa\",\"content\":" + quote(text)
                + ",\"add_special\":true}");
        assertEquals(200, r.status(), r.body());
        return r.json().get("tokens").size();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\n", "\\n") + "\"";
    }

    private static String message(String role, String content) {
        return "{\"role\":\"" + role + "\",\"content\":" + quote(content) + "}";
    }

    /** The ChatML text of a message, as the model's template writes it. */
    private static String chatml(String role, String content) {
        return "<|im_start|>" + role + "\n" + content + "<|im_end|>\n";
    }

    private static JsonNode chat(String path, String messages) {
        Http.Response r = server.http.post(path, "{\"model\":\"swa\",\"messages\":[" + messages + "],"
                + "\"max_tokens\":4,\"temperature\":0,\"stream\":false,\"options\":{\"num_predict\":4,"
                + "\"temperature\":0}}");
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    /**
     * Posts {@code head}, 300 words (of {@code seed}), then {@code tail} to {@code path}, then again with other
     * words: both answers, each a 200.
     */
    private static JsonNode[] twice(String path, String head, int seed, String tail) {
        JsonNode[] out = new JsonNode[2];
        for (int i = 0; i < 2; i++) {
            Http.Response r = server.http.post(path, head + quote(words(seed + i, 300)) + tail);
            assertEquals(200, r.status(), r.body());
            out[i] = r.json();
        }
        return out;
    }

    /** The tokens of a ChatML system message and the user header after it. */
    private static int afterSystem(String system) {
        return tokens(chatml("system", system) + "<|im_start|>user\n");
    }

    @Test
    void anEditedLastMessageOfAConversationSentWholeContinuesWhereTheMessageStarts() {
        String system = words(1, 150);
        String user = words(2, 100);
        String answer = words(3, 100);
        String history = message("system", system) + "," + message("user", user) + "," + message("assistant", answer);
        chat("/v1/chat/completions", history + "," + message("user", words(4, 300)));
        JsonNode edited = chat("/v1/chat/completions", history + "," + message("user", words(5, 300)));
        // Up to the last user message's text, after its role header.
        int before = tokens(chatml("system", system) + chatml("user", user) + chatml("assistant", answer)
                + "<|im_start|>user\n");
        assertEquals(before, edited.get("timings").get("cache_n").asInt(), edited.toString());
    }

    @Test
    void anotherConversationUnderTheSameSystemPromptContinuesAfterIt() {
        String system = words(6, 150);
        chat("/v1/chat/completions", message("system", system) + "," + message("user", words(7, 300)));
        JsonNode other = chat("/v1/chat/completions", message("system", system) + "," + message("user",
                words(8, 300)));
        assertEquals(afterSystem(system), other.get("timings").get("cache_n").asInt(), other.toString());
    }

    /** Ollama's {@code prompt_eval_count} leaves out what came from the cache. */
    @Test
    void ollamaChatAnEditedLastMessageContinuesWhereTheMessageStarts() {
        String system = words(9, 150);
        String user = words(10, 100);
        String answer = words(11, 100);
        String history = message("system", system) + "," + message("user", user) + "," + message("assistant", answer);
        JsonNode first = chat("/api/chat", history + "," + message("user", words(12, 300)));
        JsonNode edited = chat("/api/chat", history + "," + message("user", words(13, 300)));
        int before = tokens(chatml("system", system) + chatml("user", user) + chatml("assistant", answer)
                + "<|im_start|>user\n");
        int whole = first.get("prompt_eval_count").asInt();
        assertEquals(whole - before, edited.get("prompt_eval_count").asInt(), edited.toString());
    }

    /** Ollama's generate renders its {@code system} and {@code prompt} through the chat template. */
    @Test
    void ollamaGenerateAnotherPromptUnderTheSameSystemPromptContinuesAfterIt() {
        String system = words(20, 150);
        String head = "{\"model\":\"swa\",\"stream\":false,\"options\":{\"num_predict\":4,\"temperature\":0},"
                + "\"system\":" + quote(system) + ",\"prompt\":";
        JsonNode[] both = twice("/api/generate", head, 21, "}");
        int whole = both[0].get("prompt_eval_count").asInt();
        assertEquals(whole - afterSystem(system), both[1].get("prompt_eval_count").asInt(), both[1].toString());
    }

    /** The Responses API renders its {@code instructions} as the system message. */
    @Test
    void responsesAnotherInputUnderTheSameInstructionsContinuesAfterThem() {
        String system = words(17, 150);
        String head = "{\"model\":\"swa\",\"max_output_tokens\":16,\"temperature\":0,\"store\":false,"
                + "\"instructions\":" + quote(system) + ",\"input\":";
        JsonNode other = twice("/v1/responses", head, 18, "}")[1];
        assertEquals(afterSystem(system), other.get("usage").get("input_tokens_details").get("cached_tokens").asInt(),
                other.toString());
    }

    /** Anthropic's system prompt is a field of its own; the cache's part is {@code cache_read_input_tokens}. */
    @Test
    void anthropicMessagesAnotherQuestionUnderTheSameSystemPromptContinuesAfterIt() {
        String system = words(14, 150);
        String head = "{\"model\":\"swa\",\"max_tokens\":4,\"temperature\":0,\"system\":" + quote(system)
                + ",\"messages\":[";
        JsonNode other = twice("/v1/messages", head + "{\"role\":\"user\",\"content\":", 15, "}]}")[1];
        assertEquals(afterSystem(system), other.get("usage").get("cache_read_input_tokens").asInt(), other.toString());
    }
}
