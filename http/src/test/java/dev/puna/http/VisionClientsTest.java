package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionUserMessageParam;
import dev.puna.store.Digest;
import dev.puna.testkit.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images through clients nobody on the project wrote: the official Ollama and OpenAI JavaScript clients
 * ({@code src/test/js/vision.mjs}) and the official OpenAI Java SDK, on a generated vision model (the scripted model
 * with the generated projector, 16 cells per image) and a model that attends to its images: the same image twice
 * gives the same answer, two images different ones, and token counts grow by each image's cells.
 */
@Timeout(240)
class VisionClientsTest {
    private static final Path SCRIPTS = Path.of("src/test/js").toAbsolutePath();
    @TempDir
    static Path dir;
    private static StoreServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new StoreServer(dir.resolve("models"));
        Digest scripted = StoreEndToEndTest.upload(server.http, ScriptedServer.MODEL);
        Digest projector = StoreEndToEndTest.upload(server.http, TestModels.scriptedProjector(dir));
        Digest looking = StoreEndToEndTest.upload(server.http, TestModels.randomVisionModel(dir));
        StoreEndToEndTest.create(server.http, "{\"model\":\"seeing\",\"files\":{\"m.gguf\":\"" + scripted
                + "\",\"p.gguf\":\"" + projector + "\"},\"parameters\":{\"temperature\":0}}");
        StoreEndToEndTest.create(server.http, "{\"model\":\"looking\",\"files\":{\"m.gguf\":\"" + looking
                + "\",\"p.gguf\":\"" + projector + "\"},\"parameters\":{\"temperature\":0}}");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theOllamaAndOpenAiJavaScriptClientsSendImages() throws Exception {
        String node = OllamaJsClientTest.node();
        if (!Files.isRegularFile(SCRIPTS.resolve("node_modules/ollama/package.json"))
                || !Files.isRegularFile(SCRIPTS.resolve("node_modules/openai/package.json"))) {
            fail("the JavaScript clients are not installed in " + SCRIPTS + ": run 'npm ci --prefix " + SCRIPTS
                    + "' (./run-tests does this)");
        }
        Path a = dir.resolve("a.png");
        Path b = dir.resolve("b.png");
        Files.write(a, Base64.getDecoder().decode(VisionEndToEndTest.png(21)));
        Files.write(b, Base64.getDecoder().decode(VisionEndToEndTest.png(22)));
        Process p = new ProcessBuilder(node, SCRIPTS.resolve("vision.mjs").toString(), server.server.url(),
                a.toString(), b.toString()).directory(SCRIPTS.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] stdout = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "node did not finish");
        String text = new String(stdout, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "node failed: " + text);
        JsonNode out = Http.JSON.readTree(text);

        assertEquals("[\"completion\",\"insert\",\"vision\"]", out.get("showCapabilities").toString());
        assertEquals(out.get("lookA").asText(), out.get("lookAagain").asText());
        assertNotEquals(out.get("lookA").asText(), out.get("lookB").asText());
        assertEquals(TestModels.CHAT_COMPLETION, out.get("chat").asText());
        assertEquals(TestModels.CHAT_COMPLETION, out.get("chatStreamed").asText());
        assertEquals(TestModels.CHAT_COMPLETION, out.get("openaiContent").asText());
        assertEquals(out.get("openaiPromptTokensOne").asInt() + 16, out.get("openaiPromptTokensTwo").asInt());
        assertEquals(400, out.get("remote").get("status").asInt(), out.toString());
        assertTrue(out.get("remote").get("message").asText().startsWith("remote image URLs are not fetched"),
                out.toString());
    }

    private static ChatCompletionCreateParams imageChat(String model, List<String> pngs) {
        List<ChatCompletionContentPart> parts = new ArrayList<>();
        for (String png : pngs) {
            parts.add(ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                    .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder().url("data:image/png;base64," + png)
                            .build()).build()));
        }
        parts.add(ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text("Hello").build()));
        return ChatCompletionCreateParams.builder().model(model).maxCompletionTokens(8)
                .addMessage(ChatCompletionUserMessageParam.builder().contentOfArrayOfContentParts(parts).build())
                .build();
    }

    @Test
    void theOpenAiJavaSdkSendsImages() throws Exception {
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(server.server.url() + "/v1").apiKey("unused")
                .maxRetries(0).build();
        try {
            ChatCompletion one = client.chat().completions().create(imageChat("seeing",
                    List.of(VisionEndToEndTest.png(31))));
            ChatCompletion two = client.chat().completions().create(imageChat("seeing",
                    List.of(VisionEndToEndTest.png(31), VisionEndToEndTest.png(32))));
            assertEquals(TestModels.CHAT_COMPLETION, one.choices().getFirst().message().content().orElseThrow());
            assertEquals(one.usage().orElseThrow().promptTokens() + 16, two.usage().orElseThrow().promptTokens());
            String x = client.chat().completions().create(imageChat("looking", List.of(VisionEndToEndTest.png(33))))
                    .choices().getFirst().message().content().orElse("");
            String again = client.chat().completions().create(imageChat("looking",
                    List.of(VisionEndToEndTest.png(33)))).choices().getFirst().message().content().orElse("");
            assertEquals(x, again);
            // Eight greedy tokens of a random model can coincide for two images; three other images cannot all.
            List<String> others = new ArrayList<>();
            for (int seed : new int[] {1, 2, 34}) {
                others.add(client.chat().completions().create(imageChat("looking",
                        List.of(VisionEndToEndTest.png(seed)))).choices().getFirst().message().content().orElse(""));
            }
            assertTrue(others.stream().anyMatch(o -> !o.equals(x)), x + " for every image: " + others);
        } finally {
            client.close();
        }
    }
}
