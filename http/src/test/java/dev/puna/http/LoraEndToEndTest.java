package dev.puna.http;

import static dev.puna.http.StoreEndToEndTest.create;
import static dev.puna.http.StoreEndToEndTest.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.store.Digest;
import dev.puna.testkit.TestModels;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoRA adapters through the real server and store: a Modelfile {@code ADAPTER} (the generated adapter that makes
 * the scripted model answer {@value TestModels#HELLO_LORA_COMPLETION}) applied on every route, llama-server's
 * per-request {@code lora} list and {@code GET/POST /lora-adapters}, and their bad inputs.
 */
@Timeout(120)
class LoraEndToEndTest {
    @TempDir
    static Path dir;
    private static StoreServer server;
    private static Digest adapter;

    @BeforeAll
    static void start() throws Exception {
        server = new StoreServer(dir.resolve("models"));
        Digest model = upload(server.http, ScriptedServer.MODEL);
        adapter = upload(server.http, TestModels.scriptedLora(dir));
        create(server.http, """
                {"model":"tuned","files":{"scripted.gguf":"%s"},"adapters":{"lora.gguf":"%s"},
                 "template":"{{ .Prompt }}","parameters":{"temperature":0}}""".formatted(model, adapter));
        create(server.http, """
                {"model":"bare","files":{"scripted.gguf":"%s"},"template":"{{ .Prompt }}",
                 "parameters":{"temperature":0}}""".formatted(model));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String generate(String model) {
        Http.Response r = server.http.post("/api/generate", "{\"model\":\"" + model + "\",\"prompt\":\"Hello\","
                + "\"stream\":false}");
        assertEquals(200, r.status(), r.body());
        return r.json().get("response").asText();
    }

    private static Http.Response completion(String model, String lora) {
        return server.http.post("/v1/completions", "{\"model\":\"" + model + "\",\"prompt\":\"Hello\","
                + "\"temperature\":0" + (lora == null ? "" : ",\"lora\":" + lora) + "}");
    }

    private static String text(Http.Response r) {
        assertEquals(200, r.status(), r.body());
        return r.json().get("choices").get(0).get("text").asText();
    }

    private static String error(Http.Response r, int status) {
        assertEquals(status, r.status(), r.body());
        return r.json().get("error").get("message").asText();
    }

    @Test
    void theModelfileAdapterAppliesOnEveryRouteAndARequestCanTurnItOff() {
        assertEquals(TestModels.HELLO_LORA_COMPLETION, generate("tuned"));
        assertEquals(TestModels.HELLO_COMPLETION, generate("bare"));
        assertEquals(TestModels.HELLO_LORA_COMPLETION, text(completion("tuned", null)));
        assertEquals(TestModels.HELLO_COMPLETION, text(completion("tuned", "[{\"id\":0,\"scale\":0}]")));
        assertEquals(TestModels.HELLO_COMPLETION, text(completion("tuned", "[]")), "unlisted adapters run at 0");
        assertEquals(TestModels.HELLO_LORA_COMPLETION, text(completion("tuned", "[{\"id\":0,\"scale\":1}]")));
        Http.Response chat = server.http.post("/v1/chat/completions", "{\"model\":\"tuned\",\"temperature\":0,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}");
        assertEquals(200, chat.status(), chat.body());
        assertEquals(TestModels.HELLO_LORA_COMPLETION,
                chat.json().get("choices").get(0).get("message").get("content").asText());
    }

    @Test
    void globalScalesAreListedAndSetAsLlamaServerDoes() throws Exception {
        Http.Response listed = server.http.get("/lora-adapters?model=tuned");
        assertEquals(200, listed.status(), listed.body());
        assertEquals(Http.JSON.readTree("[{\"id\":0,\"path\":\"sha256-" + adapter.hex() + "\",\"scale\":1.0}]"),
                listed.json());
        try {
            Http.Response set = server.http.post("/lora-adapters?model=tuned", "[{\"id\":0,\"scale\":0}]");
            assertEquals(200, set.status(), set.body());
            assertEquals("{\"success\":true}", set.body());
            assertEquals(0.0, server.http.get("/lora-adapters?model=tuned").json().get(0).get("scale").asDouble());
            assertEquals(TestModels.HELLO_COMPLETION, generate("tuned"));
            assertEquals(TestModels.HELLO_LORA_COMPLETION, text(completion("tuned", "[{\"id\":0,\"scale\":1}]")),
                    "a request's own list wins over the global scales");
        } finally {
            assertEquals(200, server.http.post("/lora-adapters?model=tuned", "[{\"id\":0,\"scale\":1}]").status());
        }
        assertEquals(TestModels.HELLO_LORA_COMPLETION, generate("tuned"));
        assertEquals("[]", server.http.get("/lora-adapters?model=bare").body());
    }

    @Test
    void badLoraInputsAreClear400sInOpenAisFormat() {
        assertEquals("invalid LoRA adapter id 1: the model's adapters are 0..0",
                error(completion("tuned", "[{\"id\":1,\"scale\":1}]"), 400));
        assertEquals("invalid LoRA adapter id 0: the model has no LoRA adapters",
                error(completion("bare", "[{\"id\":0,\"scale\":1}]"), 400));
        assertEquals("\"lora\" must be an array of objects with \"id\" and \"scale\"",
                error(completion("tuned", "{\"id\":0}"), 400));
        assertEquals("\"lora[0].id\" must be an integer adapter id", error(completion("tuned", "[{\"scale\":1}]"), 400));
        assertEquals("\"lora[0].scale\" must be a number between -100 and 100",
                error(completion("tuned", "[{\"id\":0,\"scale\":\"big\"}]"), 400));
        assertEquals("\"lora[0].scale\" must be a number between -100 and 100",
                error(completion("tuned", "[{\"id\":0,\"scale\":1e9}]"), 400));
        assertEquals("adapter id 0 is listed twice in \"lora\"",
                error(completion("tuned", "[{\"id\":0,\"scale\":1},{\"id\":0,\"scale\":0}]"), 400));
        assertEquals("\"lora[0]\" must be an object with \"id\" and \"scale\"", error(completion("tuned", "[3]"), 400));

        assertEquals("the model is required: /lora-adapters?model=NAME",
                error(server.http.get("/lora-adapters"), 400));
        assertEquals("model 'nope' not found", error(server.http.get("/lora-adapters?model=nope"), 404));
        assertEquals("the request body must be an array of {\"id\", \"scale\"} objects",
                error(server.http.post("/lora-adapters?model=tuned", "{\"id\":0}"), 400));
        assertEquals("invalid LoRA adapter id 3: the model's adapters are 0..0",
                error(server.http.post("/lora-adapters?model=tuned", "[{\"id\":3,\"scale\":1}]"), 400));
        assertEquals(1.0, server.http.get("/lora-adapters?model=tuned").json().get(0).get("scale").asDouble(),
                "a refused update changes nothing");
        JsonNode wrongMethod = server.http.delete("/lora-adapters?model=tuned", null).json();
        assertEquals("invalid_request_error", wrongMethod.get("error").get("type").asText(), wrongMethod.toString());
    }
}
