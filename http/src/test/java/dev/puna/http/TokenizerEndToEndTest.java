package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.testkit.TestModels;
import dev.puna.testkit.Vocabulary;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * llama-server's {@code /tokenize}, {@code /detokenize} and {@code /apply-template} and Ollama-style
 * {@code /api/tokenize} and {@code /api/detokenize}, end to end on the scripted model, whose vocabulary gives every
 * id exactly ({@link Vocabulary}: SentencePiece with a space put before text and after special tokens).
 */
@Timeout(120)
class TokenizerEndToEndTest {
    private static final Vocabulary VOCAB = TestModels.vocabulary();
    private static final int HELLO = VOCAB.id("▁Hello");
    private static final int WORLD = VOCAB.id("▁world");
    private static final int USER = VOCAB.id("▁user");
    private static final int SPACE = VOCAB.id(Vocabulary.SPACE);
    /** A Modelfile TEMPLATE (Go syntax) and SYSTEM, which /apply-template must use as the chat route does. */
    private static final String GO_TEMPLATE = "{{ range .Messages }}<{{ .Role }}>{{ .Content }}{{ end }}<assistant>";
    private static ScriptedServer server;

    @BeforeAll
    static void start() {
        server = new ScriptedServer();
        server.catalog.add("tools", ScriptedServer.TOOLS_MODEL);
        server.catalog.add(new CatalogModel("templated:latest", ScriptedServer.MODEL, "", 1, TestCatalog.MODIFIED,
                TestCatalog.DETAILS, GO_TEMPLATE, "Be nice.", Map.of(), null, null));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Http.Response post(String path, String fields) {
        return server.http.post(path, "{\"model\":\"scripted\"," + fields + "}");
    }

    @Test
    void tokenizeWithoutAndWithSpecialTokens() {
        Http.Response plain = post("/tokenize", "\"content\":\"Hello world\"");
        assertEquals(200, plain.status(), plain.body());
        assertEquals("{\"tokens\":[" + HELLO + "," + WORLD + "]}", plain.body());
        Http.Response special = post("/tokenize", "\"content\":\"Hello world\",\"add_special\":true");
        assertEquals("{\"tokens\":[" + Vocabulary.BOS + "," + HELLO + "," + WORLD + "]}", special.body());
    }

    @Test
    void specialTokenTextIsParsedUnlessTurnedOff() {
        Http.Response parsed = post("/tokenize", "\"content\":\"<|im_start|>user\"");
        assertEquals("{\"tokens\":[" + Vocabulary.IM_START + "," + USER + "]}", parsed.body());
        Http.Response literal = post("/tokenize", "\"content\":\"<|im_start|>user\",\"parse_special\":false,"
                + "\"with_pieces\":true");
        StringBuilder text = new StringBuilder();
        for (JsonNode t : literal.json().get("tokens")) {
            assertEquals(false, t.get("id").asInt() == Vocabulary.IM_START, literal.body());
            text.append(t.get("piece").asText());
        }
        assertEquals(" <|im_start|>user", text.toString());
    }

    @Test
    void piecesAreStringsOrTheBytesOfAPartialCharacter() {
        Http.Response r = post("/tokenize", "\"content\":\"Hello \uD83D\uDE00\",\"add_special\":true,"
                + "\"with_pieces\":true");
        assertEquals(200, r.status(), r.body());
        // No piece holds the emoji: it is four byte tokens, none of them valid UTF-8 alone.
        assertEquals("{\"tokens\":[{\"id\":1,\"piece\":\"<s>\"},{\"id\":" + HELLO + ",\"piece\":\" Hello\"},"
                + "{\"id\":" + SPACE + ",\"piece\":\" \"},{\"id\":" + VOCAB.byteToken(0xF0) + ",\"piece\":[240]},"
                + "{\"id\":" + VOCAB.byteToken(0x9F) + ",\"piece\":[159]},{\"id\":" + VOCAB.byteToken(0x98)
                + ",\"piece\":[152]},{\"id\":" + VOCAB.byteToken(0x80) + ",\"piece\":[128]}]}", r.body());
    }

    @Test
    void mixedContentPassesTokenIdsThroughAndAddsSpecialTokensOnce() {
        Http.Response r = post("/tokenize", "\"content\":[\"Hello\"," + Vocabulary.EOS + ",\"world\"],"
                + "\"add_special\":true");
        assertEquals("{\"tokens\":[1," + HELLO + "," + Vocabulary.EOS + "," + WORLD + "]}", r.body());
    }

    @Test
    void detokenizeConcatenatesPiecesWithSpecialTokensAsText() {
        Http.Response r = post("/detokenize", "\"tokens\":[1," + HELLO + "," + WORLD + "]");
        assertEquals(200, r.status(), r.body());
        assertEquals("{\"content\":\"<s> Hello world\"}", r.body());
        Http.Response emoji = post("/detokenize", "\"tokens\":[" + VOCAB.byteToken(0xF0) + ","
                + VOCAB.byteToken(0x9F) + "," + VOCAB.byteToken(0x98) + "," + VOCAB.byteToken(0x80) + "]");
        assertEquals("\uD83D\uDE00", emoji.json().get("content").asText());
        // A cut character is not valid UTF-8: its bytes become U+FFFD rather than an invalid JSON string.
        Http.Response cut = post("/detokenize", "\"tokens\":[" + VOCAB.byteToken(0xF0) + "," + HELLO + "]");
        assertEquals("\uFFFD Hello", cut.json().get("content").asText());
    }

    @Test
    void tokenizeThenDetokenizeGivesTheTextBack() {
        for (String text : List.of("Hello world from Puna", "Count: one two three", "x = {\"a\": [1, 2]}\n\tend",
                "\uD83D\uDE00 ok <|im_end|>", "caf\u00e9 \u00fcber na\u00efve")) {
            Http.Response t = server.http.post("/tokenize", Http.JSON.createObjectNode().put("model", "scripted")
                    .put("content", text).toString());
            assertEquals(200, t.status(), t.body());
            Http.Response d = post("/detokenize", "\"tokens\":" + t.json().get("tokens"));
            assertEquals(" " + text, d.json().get("content").asText(), "round trip of " + text);
        }
    }

    @Test
    void applyTemplateRendersWhatTheChatRouteGeneratesFrom() {
        String messages = "\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"Hello\"}]";
        Http.Response r = post("/apply-template", messages);
        assertEquals(200, r.status(), r.body());
        String prompt = "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n"
                + "<|im_start|>assistant\n";
        assertEquals(Http.JSON.createObjectNode().put("prompt", prompt).toString(), r.body());
        // The chat route evaluates exactly this prompt: BOS, then the rendered text with special tokens parsed.
        Http.Response tokens = server.http.post("/tokenize", Http.JSON.createObjectNode().put("model", "scripted")
                .put("content", prompt).put("add_special", true).toString());
        Http.Response chat = post("/v1/chat/completions", messages + ",\"max_tokens\":1");
        assertEquals(200, chat.status(), chat.body());
        assertEquals(chat.json().get("usage").get("prompt_tokens").asInt(), tokens.json().get("tokens").size());
    }

    @Test
    void applyTemplatePassesToolsToTheTemplateUnlessToolChoiceIsNone() {
        String body = "{\"model\":\"tools\",\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":"
                + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}]";
        Http.Response r = server.http.post("/apply-template", body + "}");
        assertEquals(200, r.status(), r.body());
        String prompt = r.json().get("prompt").asText();
        assertEquals(true, prompt.startsWith("<|im_start|>system\n# Tools\n\n<tools>\n{"), prompt);
        assertEquals(true, prompt.contains("\"get_weather\""), prompt);
        assertEquals(true, prompt.endsWith("</tools>\n\nCall a function with <tool_call>{\"name\": ..., "
                + "\"arguments\": {...}}</tool_call>.<|im_end|>\n<|im_start|>user\nWeather?<|im_end|>\n"
                + "<|im_start|>assistant\n"), prompt);
        // The chat route evaluates the same prompt with the same tools.
        Http.Response tokens = server.http.post("/tokenize", Http.JSON.createObjectNode().put("model", "tools")
                .put("content", prompt).put("add_special", true).toString());
        Http.Response chat = server.http.post("/v1/chat/completions", body + ",\"max_tokens\":1}");
        assertEquals(200, chat.status(), chat.body());
        assertEquals(chat.json().get("usage").get("prompt_tokens").asInt(), tokens.json().get("tokens").size());

        Http.Response none = server.http.post("/apply-template", body + ",\"tool_choice\":\"none\"}");
        assertEquals("<|im_start|>user\nWeather?<|im_end|>\n<|im_start|>assistant\n",
                none.json().get("prompt").asText());
    }

    @Test
    void applyTemplateUsesTheModelfileTemplateAndSystem() {
        Http.Response r = server.http.post("/apply-template", "{\"model\":\"templated\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"Hello\"}]}");
        assertEquals(200, r.status(), r.body());
        assertEquals("{\"prompt\":\"<system>Be nice.<user>Hello<assistant>\"}", r.body());
    }

    @Test
    void tokenizerRoutesLoadNoModel() {
        post("/tokenize", "\"content\":\"Hello\"");
        post("/apply-template", "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]");
        server.http.post("/api/tokenize", "{\"model\":\"templated\",\"text\":\"Hello\"}");
        // Only the vocabulary was read: nothing is loaded, so nothing was evicted or kept alive either.
        JsonNode ps = server.http.get("/api/ps").json().get("models");
        for (JsonNode m : ps) {
            assertEquals(false, m.get("name").asText().startsWith("templated"), ps.toString());
        }
    }

    /** A loaded model answers from its own vocabulary (no lease): the same tokens, and its keep-alive stays. */
    @Test
    void withTheModelLoadedTheAnswersAreTheSameAndItsKeepAliveStays() {
        Http.Response loaded = server.http.post("/api/generate",
                "{\"model\":\"scripted\",\"prompt\":\"Hello\",\"stream\":false,\"keep_alive\":\"10m\"}");
        assertEquals(200, loaded.status(), loaded.body());
        String expires = expiresAt("scripted:latest");
        Http.Response plain = post("/tokenize", "\"content\":\"Hello world\"");
        assertEquals("{\"tokens\":[" + HELLO + "," + WORLD + "]}", plain.body());
        Http.Response template = post("/apply-template", "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]");
        assertEquals(200, template.status(), template.body());
        assertEquals(expires, expiresAt("scripted:latest"));
    }

    private static String expiresAt(String name) {
        for (JsonNode m : server.http.get("/api/ps").json().get("models")) {
            if (m.get("name").asText().equals(name)) {
                return m.get("expires_at").asText();
            }
        }
        throw new AssertionError(name + " is not loaded");
    }

    @Test
    void ollamaTokenizeAndDetokenize() {
        Http.Response t = server.http.post("/api/tokenize", "{\"model\":\"scripted\",\"text\":\"Hello world\"}");
        assertEquals(200, t.status(), t.body());
        assertEquals("{\"model\":\"scripted\",\"tokens\":[1," + HELLO + "," + WORLD + "]}", t.body());
        Http.Response d = server.http.post("/api/detokenize", "{\"model\":\"scripted\",\"tokens\":[" + HELLO + ","
                + WORLD + "]}");
        assertEquals(200, d.status(), d.body());
        assertEquals("{\"model\":\"scripted\",\"text\":\" Hello world\"}", d.body());
    }

    @Test
    void badTokenIdsAreRefusedInOpenAiFormat() {
        Http.Response outside = post("/detokenize", "\"tokens\":[1," + VOCAB.size() + "]");
        assertEquals(400, outside.status(), outside.body());
        assertEquals(OpenAiRoutesTest.error("invalid token id " + VOCAB.size() + " at \"tokens[1]\": outside the "
                + "model's vocabulary (0.." + (VOCAB.size() - 1) + ")", "invalid_request_error", "tokens", null),
                outside.json());
        for (String bad : List.of("[-1]", "[1.5]", "[\"1\"]", "[2147483648]", "5", "\"1 2\"", "[[1]]")) {
            Http.Response r = post("/detokenize", "\"tokens\":" + bad);
            assertEquals(400, r.status(), bad + ": " + r.body());
            assertEquals("tokens", r.json().get("error").get("param").asText(), r.body());
        }
        Http.Response mixed = post("/tokenize", "\"content\":[\"Hello\"," + VOCAB.size() + "]");
        assertEquals(400, mixed.status(), mixed.body());
        assertEquals(OpenAiRoutesTest.error("invalid token id " + VOCAB.size() + " at \"content[1]\": outside the "
                + "model's vocabulary (0.." + (VOCAB.size() - 1) + ")", "invalid_request_error", "content", null),
                mixed.json());
    }

    @Test
    void missingAndWrongFieldsAndUnknownModels() {
        assertEquals(OpenAiRoutesTest.error("\"content\" is required", "invalid_request_error", "content", null),
                post("/tokenize", "\"add_special\":true").json());
        assertEquals(400, post("/tokenize", "\"content\":5").status());
        assertEquals(400, post("/tokenize", "\"content\":[{}]").status());
        assertEquals(400, post("/tokenize", "\"content\":\"a\",\"with_pieces\":\"yes\"").status());
        assertEquals(400, post("/detokenize", "\"content\":\"a\"").status());
        assertEquals(400, post("/apply-template", "\"messages\":[]").status());
        Http.Response noModel = server.http.post("/tokenize", "{\"content\":\"Hello\"}");
        assertEquals(OpenAiRoutesTest.error("model is required", "invalid_request_error", "model", null),
                noModel.json());
        Http.Response unknown = server.http.post("/detokenize", "{\"model\":\"nonexistent\",\"tokens\":[1]}");
        assertEquals(404, unknown.status(), unknown.body());
        assertEquals("model_not_found", unknown.json().get("error").get("code").asText(), unknown.body());

        Http.Response ollamaBad = server.http.post("/api/detokenize", "{\"model\":\"scripted\",\"tokens\":[99999]}");
        assertEquals(400, ollamaBad.status(), ollamaBad.body());
        assertEquals("invalid token id 99999 at \"tokens[0]\": outside the model's vocabulary (0.."
                + (VOCAB.size() - 1) + ")", ollamaBad.json().get("error").asText());
        assertEquals("{\"error\":\"\\\"text\\\" is required\"}",
                server.http.post("/api/tokenize", "{\"model\":\"scripted\"}").body());
        Http.Response ollamaUnknown = server.http.post("/api/tokenize", "{\"model\":\"nonexistent\",\"text\":\"a\"}");
        assertEquals(404, ollamaUnknown.status());
        assertEquals("{\"error\":\"model 'nonexistent' not found\"}", ollamaUnknown.body());
    }
}
