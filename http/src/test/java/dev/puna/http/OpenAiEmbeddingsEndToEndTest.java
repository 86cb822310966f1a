package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.testkit.ScriptedModel;
import dev.puna.testkit.TestModels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /v1/embeddings} end to end on the scripted model, whose pooled embeddings are known exactly: its layers
 * are zero, so the mean-pooled, normalised embedding of a text is the normalised mean of its tokens' embeddings.
 */
@Timeout(120)
class OpenAiEmbeddingsEndToEndTest {
    private static final ScriptedModel SCRIPT = TestModels.scriptedModel();
    private static final int HELLO = TestModels.vocabulary().id("▁Hello");
    private static ScriptedServer server;

    @BeforeAll
    static void start() {
        server = new ScriptedServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Http.Response embed(String fields) {
        return server.http.post("/v1/embeddings", "{\"model\":\"scripted\"," + fields + "}");
    }

    /** [BOS, ▁Hello], mean-pooled and normalised. */
    private static float[] hello() {
        float[] a = SCRIPT.embedding(1);
        float[] b = SCRIPT.embedding(HELLO);
        float[] sum = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            sum[i] = a[i] + b[i];
        }
        return normalise(sum);
    }

    private static float[] normalise(float[] v) {
        double n = 0;
        for (float x : v) {
            n += (double) x * x;
        }
        float[] r = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = (float) (v[i] / Math.sqrt(n));
        }
        return r;
    }

    private static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }

    @Test
    void floatVectors() {
        Http.Response r = embed("\"input\":[\"Hello\",\"Count:\"]");
        assertEquals(200, r.status(), r.body());
        JsonNode o = r.json();
        assertEquals(Set.of("object", "data", "model", "usage"), GenerateEndToEndTest.fields(o));
        assertEquals("list", o.get("object").asText());
        assertEquals("scripted", o.get("model").asText());
        assertEquals(2, o.get("data").size());
        for (int i = 0; i < 2; i++) {
            JsonNode e = o.get("data").get(i);
            assertEquals(Set.of("object", "index", "embedding"), GenerateEndToEndTest.fields(e));
            assertEquals("embedding", e.get("object").asText());
            assertEquals(i, e.get("index").asInt());
            assertEquals(ScriptedModel.EMBEDDING_LENGTH, e.get("embedding").size());
        }
        assertArrayEquals(hello(), floats(o.get("data").get(0).get("embedding")), 1e-4f);
        assertEquals(OpenAiChatEndToEndTest.json("{\"prompt_tokens\":4,\"total_tokens\":4}"), o.get("usage"));
    }

    @Test
    void base64IsLittleEndianFloat32() {
        JsonNode o = embed("\"input\":\"Hello\",\"encoding_format\":\"base64\"").json();
        byte[] bytes = Base64.getDecoder().decode(o.get("data").get(0).get("embedding").asText());
        assertEquals(4 * ScriptedModel.EMBEDDING_LENGTH, bytes.length);
        float[] v = new float[ScriptedModel.EMBEDDING_LENGTH];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        float[] asFloats = floats(embed("\"input\":\"Hello\"").json().get("data").get(0).get("embedding"));
        assertArrayEquals(asFloats, v, 0f, "the same numbers, bit for bit");
        assertArrayEquals(hello(), v, 1e-4f);
    }

    @Test
    void tokenIdsAreEmbeddedAsGiven() {
        float[] text = floats(embed("\"input\":\"Hello\"").json().get("data").get(0).get("embedding"));
        JsonNode one = embed("\"input\":[1," + HELLO + "]").json();
        assertEquals(1, one.get("data").size());
        assertArrayEquals(text, floats(one.get("data").get(0).get("embedding")), 0f);
        JsonNode two = embed("\"input\":[[1," + HELLO + "],[" + HELLO + "]]").json();
        assertEquals(2, two.get("data").size());
        assertArrayEquals(normalise(SCRIPT.embedding(HELLO)), floats(two.get("data").get(1).get("embedding")), 1e-4f);
        assertEquals(3, two.get("usage").get("prompt_tokens").asInt());
    }

    @Test
    void dimensionsTruncateAndRenormalise() {
        JsonNode o = embed("\"input\":\"Hello\",\"dimensions\":8").json();
        float[] v = floats(o.get("data").get(0).get("embedding"));
        float[] full = hello();
        float[] expected = new float[8];
        System.arraycopy(full, 0, expected, 0, 8);
        assertArrayEquals(normalise(expected), v, 1e-4f);
        Http.Response tooMany = embed("\"input\":\"Hello\",\"dimensions\":65");
        assertEquals(400, tooMany.status());
        assertEquals(OpenAiRoutesTest.error("\"dimensions\" 65 is more than the model's embedding length of 64",
                "invalid_request_error", "dimensions", null), tooMany.json());
    }

    @Test
    void inputsLongerThanTheContextAreRefused() {
        Http.Response r = embed("\"input\":\"" + " Hello".repeat(300) + "\"");
        assertEquals(400, r.status());
        String message = r.json().get("error").get("message").asText();
        assertTrue(message.matches("input 0 is 3\\d\\d tokens, more than the context length of 256 \\(num_ctx\\); "
                + "shorten it or raise num_ctx"), message);
        assertEquals("input", r.json().get("error").get("param").asText());
        Http.Response outside = embed("\"input\":[1,999999]");
        assertEquals(400, outside.status());
        assertEquals("input", outside.json().get("error").get("param").asText());
    }

    @Test
    void servedWithoutTheV1Prefix() {
        JsonNode o = server.http.post("/embeddings", "{\"model\":\"scripted\",\"input\":\"Hello\"}").json();
        assertArrayEquals(hello(), floats(o.get("data").get(0).get("embedding")), 1e-4f);
    }
}
