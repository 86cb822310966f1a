package dev.puna.http;

import static dev.puna.http.StoreEndToEndTest.create;
import static dev.puna.http.StoreEndToEndTest.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.store.Digest;
import dev.puna.testkit.TestModels;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images end to end through the store and both API families, on models created with Ollama's two {@code FROM}s (a
 * GGUF and its projector): {@code images} on {@code /api/generate} and {@code /api/chat}, {@code image_url} data URLs
 * on {@code /v1/chat/completions}; image cells counted in the prompt tokens (16 per image with the generated
 * projector), a follow-up turn served from the cache, the same image answered alike and another differently by a
 * model that attends to images, and every bad input a 400 naming it.
 */
@Timeout(180)
class VisionEndToEndTest {
    private static final int IMAGE_CELLS = 16;
    @TempDir
    static Path dir;
    private static StoreServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new StoreServer(dir.resolve("models"));
        Digest scripted = upload(server.http, ScriptedServer.MODEL);
        Digest projector = upload(server.http, TestModels.scriptedProjector(dir));
        Digest looking = upload(server.http, TestModels.randomVisionModel(dir));
        create(server.http, "{\"model\":\"seeing\",\"files\":{\"m.gguf\":\"" + scripted + "\",\"mmproj.gguf\":\""
                + projector + "\"},\"parameters\":{\"temperature\":0}}");
        create(server.http, "{\"model\":\"looking\",\"files\":{\"m.gguf\":\"" + looking + "\",\"mmproj.gguf\":\""
                + projector + "\"},\"parameters\":{\"temperature\":0}}");
        create(server.http, "{\"model\":\"blind\",\"files\":{\"m.gguf\":\"" + scripted + "\"},"
                + "\"parameters\":{\"temperature\":0}}");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String png(int seed) throws Exception {
        BufferedImage image = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                image.setRGB(x, y, ((x * 6 + seed * 70) & 0xFF) << 16 | ((y * 8 + seed * 30) & 0xFF) << 8
                        | ((((x / 4 + y / 4 + seed) & 1) == 0) ? 40 : 220));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    private static JsonNode ok(Http.Response r) {
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    private static Http.Response generate(String model, String images, String extra) {
        return server.http.post("/api/generate", "{\"model\":\"" + model + "\",\"prompt\":\"Hello\",\"raw\":true,"
                + "\"stream\":false" + (images == null ? "" : ",\"images\":" + images) + extra + "}");
    }

    private static Http.Response chat(String model, String messages) {
        return server.http.post("/api/chat", "{\"model\":\"" + model + "\",\"stream\":false,\"messages\":" + messages
                + "}");
    }

    @Test
    void anImageOnGenerateIsEvaluatedAndCounted() throws Exception {
        // Its own context length gives this test an instance of its own, whose cache holds nothing yet.
        JsonNode r = ok(generate("seeing", "[\"" + png(11) + "\"]", ",\"options\":{\"num_ctx\":320}"));
        // The scripted model's attention is zero: the image is in the context, the script goes on from "Hello".
        assertEquals(TestModels.HELLO_COMPLETION, r.get("response").asText());
        assertEquals(1 + IMAGE_CELLS + 1, r.get("prompt_eval_count").asInt(), "BOS, the image's cells, Hello");
        JsonNode plain = ok(generate("seeing", null, ""));
        assertEquals(TestModels.HELLO_COMPLETION, plain.get("response").asText());
    }

    @Test
    void chatImagesCountAndAFollowUpTurnComesFromTheCache() throws Exception {
        String image = png(3);
        String first = "[{\"role\":\"user\",\"content\":\"Hello\",\"images\":[\"" + image + "\"]}]";
        JsonNode withImage = ok(chat("seeing", first));
        assertEquals(TestModels.CHAT_COMPLETION, withImage.get("message").get("content").asText());
        int evaluated = withImage.get("prompt_eval_count").asInt();
        assertTrue(evaluated > IMAGE_CELLS, withImage.toString());
        String followUp = "[{\"role\":\"user\",\"content\":\"Hello\",\"images\":[\"" + image + "\"]},"
                + "{\"role\":\"assistant\",\"content\":\"" + TestModels.CHAT_COMPLETION + "\"},"
                + "{\"role\":\"user\",\"content\":\"Hello\"}]";
        JsonNode second = ok(chat("seeing", followUp));
        // The same follow-up with an image never seen evaluates that image's cells and the first turn again.
        JsonNode fresh = ok(chat("seeing", followUp.replace(image, png(4))));
        assertTrue(fresh.get("prompt_eval_count").asInt() - second.get("prompt_eval_count").asInt() >= IMAGE_CELLS,
                "the image and the first turn come from the cache: " + second + " vs " + fresh);
        // A second image in the same place adds exactly its cells (the text around it is tokenized alike).
        String two = "[{\"role\":\"user\",\"content\":\"Hello\",\"images\":[\"" + png(7) + "\",\"" + png(8)
                + "\"]}]";
        String one = "[{\"role\":\"user\",\"content\":\"Hello\",\"images\":[\"" + png(9) + "\"]}]";
        int withOne = ok(chat("seeing", one)).get("prompt_eval_count").asInt();
        int withTwo = ok(chat("seeing", two)).get("prompt_eval_count").asInt();
        assertEquals(IMAGE_CELLS, withTwo - withOne);
    }

    @Test
    void openAiImageUrlPartsAddTheImageCellsToThePromptTokens() throws Exception {
        String text = "{\"type\":\"text\",\"text\":\"Hello\"}";
        String image = "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,%s\","
                + "\"detail\":\"low\"}}";
        JsonNode one = ok(server.http.post("/v1/chat/completions", "{\"model\":\"seeing\",\"messages\":["
                + "{\"role\":\"user\",\"content\":[" + image.formatted(png(5)) + "," + text + "]}]}"));
        JsonNode two = ok(server.http.post("/v1/chat/completions", "{\"model\":\"seeing\",\"messages\":["
                + "{\"role\":\"user\",\"content\":[" + image.formatted(png(5)) + "," + image.formatted(png(6))
                + "," + text + "]}]}"));
        assertEquals(one.get("usage").get("prompt_tokens").asInt() + IMAGE_CELLS,
                two.get("usage").get("prompt_tokens").asInt());
        assertEquals(TestModels.CHAT_COMPLETION, one.get("choices").get(0).get("message").get("content").asText());
    }

    @Test
    void aModelThatAttendsAnswersTheSameImageAlikeAndAnotherDifferently() throws Exception {
        String options = ",\"options\":{\"num_predict\":8}";
        String a = ok(generate("looking", "[\"" + png(1) + "\"]", options)).get("response").asText();
        String again = ok(generate("looking", "[\"" + png(1) + "\"]", options)).get("response").asText();
        String b = ok(generate("looking", "[\"" + png(2) + "\"]", options)).get("response").asText();
        assertEquals(a, again);
        assertNotEquals(a, b);
    }

    private static String error(Http.Response r) {
        assertEquals(400, r.status(), r.body());
        JsonNode e = r.json().get("error");
        return e.isTextual() ? e.asText() : e.get("message").asText();
    }

    @Test
    void badImagesAreNamed400s() throws Exception {
        assertEquals("model 'blind' does not support images: it has no vision projector",
                error(generate("blind", "[\"" + png(1) + "\"]", "")));
        assertEquals("invalid image in \"images[0]\": not valid base64", error(generate("seeing", "[\"%%%\"]", "")));
        String notImage = Base64.getEncoder().encodeToString("<html>hello</html>".getBytes());
        assertTrue(error(generate("seeing", "[\"" + notImage + "\"]", "")).startsWith("invalid image in \"images[0]\": "));
        assertEquals("invalid value for \"images[0]\": expected a base64 string, got a number (5)",
                error(generate("seeing", "[5]", "")));
        assertEquals("images cannot be combined with context: send the conversation through /api/chat",
                error(server.http.post("/api/generate", "{\"model\":\"seeing\",\"prompt\":\"Hello\",\"stream\":false,"
                        + "\"context\":[1,2],\"images\":[\"" + png(1) + "\"]}")));
        assertTrue(error(chat("seeing", "[{\"role\":\"user\",\"content\":\"x\",\"images\":[\"" + notImage + "\"]}]"))
                .startsWith("invalid image in \"messages[0].images[0]\": "));
        String url = "{\"model\":\"seeing\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                + "\"image_url\":{\"url\":\"%s\"}}]}]}";
        assertEquals("remote image URLs are not fetched: the server downloads nothing a request names (unless its "
                + "host is in PUNA_IMAGE_URL_HOSTS); send the image inline as a data: URL (data:image/png;base64,...)",
                error(server.http.post("/v1/chat/completions", url.formatted("https://example.com/cat.png"))));
        assertEquals("invalid image URL in \"messages[0].content[0].image_url.url\": expected "
                + "data:image/<type>;base64,<data>",
                error(server.http.post("/v1/chat/completions", url.formatted("data:image/png,raw"))));
        assertEquals("model 'blind' does not support images: it has no vision projector", error(server.http.post(
                "/v1/chat/completions", url.replace("seeing", "blind").formatted("data:image/png;base64," + png(1)))));
        assertEquals("image_url content parts are only accepted in user messages of /v1/chat/completions",
                error(server.http.post("/v1/chat/completions", url.replace("\"user\"", "\"system\"")
                        .formatted("data:image/png;base64," + png(1)))));
        JsonNode fine = ok(generate("seeing", "[\"" + png(1) + "\"]", ""));
        assertEquals(TestModels.HELLO_COMPLETION, fine.get("response").asText(), "the server goes on");
    }

    private static String imageBlock(String png) {
        return "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\""
                + png + "\"}}";
    }

    private static int countTokens(String content) {
        return ok(server.http.post("/v1/messages/count_tokens", "{\"model\":\"seeing\",\"messages\":[{\"role\":"
                + "\"user\",\"content\":" + content + "}]}")).get("input_tokens").asInt();
    }

    @Test
    void anthropicImageBlocksAddTheirCellsToTheInputTokens() throws Exception {
        String one = "[" + imageBlock(png(21)) + ",{\"type\":\"text\",\"text\":\"Hello\"}]";
        String two = "[" + imageBlock(png(22)) + "," + imageBlock(png(23)) + ",{\"type\":\"text\",\"text\":\"Hello\"}]";
        assertEquals(IMAGE_CELLS, countTokens(two) - countTokens(one));
        JsonNode m = ok(server.http.post("/v1/messages", "{\"model\":\"seeing\",\"max_tokens\":16,\"messages\":"
                + "[{\"role\":\"user\",\"content\":" + one + "}]}"));
        assertEquals(TestModels.CHAT_COMPLETION, m.get("content").get(0).get("text").asText());
        JsonNode usage = m.get("usage");
        assertEquals(countTokens(one), usage.get("input_tokens").asInt() + usage.get("cache_read_input_tokens").asInt());
        // Through the official SDK, as an image block of a user message.
        com.anthropic.client.AnthropicClient client = com.anthropic.client.okhttp.AnthropicOkHttpClient.builder()
                .baseUrl(server.server.url()).apiKey("none").maxRetries(0).build();
        try {
            com.anthropic.models.messages.Message sdk = client.messages().create(
                    com.anthropic.models.messages.MessageCreateParams.builder().model("seeing").maxTokens(16)
                            .addUserMessageOfContentBlockParams(java.util.List.of(
                                    com.anthropic.models.messages.ContentBlockParam.ofImage(
                                            com.anthropic.models.messages.Base64ImageSource.builder()
                                                    .mediaType(com.anthropic.models.messages.Base64ImageSource
                                                            .MediaType.IMAGE_PNG).data(png(21)).build()),
                                    com.anthropic.models.messages.ContentBlockParam.ofText("Hello"))).build());
            assertEquals(TestModels.CHAT_COMPLETION, sdk.content().getFirst().asText().text());
            assertEquals(countTokens(one), sdk.usage().inputTokens() + sdk.usage().cacheReadInputTokens().orElseThrow());
        } finally {
            client.close();
        }
    }

    @Test
    void tagsAndShowAgreeThatAModelWithAProjectorHasVision() throws Exception {
        JsonNode show = ok(server.http.post("/api/show", "{\"model\":\"seeing\"}"));
        assertEquals(Http.JSON.readTree("[\"completion\",\"insert\",\"vision\"]"), show.get("capabilities"));
        for (JsonNode m : server.http.get("/api/tags").json().get("models")) {
            if (m.get("name").asText().equals("seeing:latest")) {
                assertEquals(show.get("capabilities"), m.get("capabilities"));
                return;
            }
        }
        throw new AssertionError("seeing is not listed");
    }

    @Test
    void badAnthropicImagesAreNamed400s() throws Exception {
        String body = "{\"model\":\"%s\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":[%s]}]}";
        Http.Response blind = server.http.post("/v1/messages", body.formatted("blind", imageBlock(png(1))));
        assertEquals(400, blind.status(), blind.body());
        assertEquals(Http.JSON.readTree("{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
                + "\"message\":\"model 'blind' does not support images: it has no vision projector\"}}"), blind.json());
        Http.Response corrupt = server.http.post("/v1/messages", body.formatted("seeing",
                imageBlock(Base64.getEncoder().encodeToString("not an image".getBytes()))));
        assertEquals(400, corrupt.status(), corrupt.body());
        assertTrue(corrupt.json().get("error").get("message").asText()
                .startsWith("invalid image in \"messages[0].content[0]\": "), corrupt.body());
    }
}
