package dev.puna.http.internal.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.puna.http.CatalogModel;
import dev.puna.http.ModelDetails;
import dev.puna.http.internal.ApiException;
import dev.puna.runtime.FinishReason;
import dev.puna.runtime.TokenLogprob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** OpenAI's shared shapes: error objects per failure kind, legacy logprobs, owners, fingerprints, finish reasons. */
class OpenAiJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            BAD_REQUEST        | invalid_request_error |
            NOT_FOUND          | invalid_request_error |
            METHOD_NOT_ALLOWED | invalid_request_error | method_not_allowed
            PAYLOAD_TOO_LARGE  | invalid_request_error | request_too_large
            FORBIDDEN          | invalid_request_error |
            NOT_IMPLEMENTED    | invalid_request_error | unsupported_feature
            INTERNAL           | server_error          |
            UNAVAILABLE        | server_error          | server_busy
            CLIENT_CLOSED      | server_error          |
            """)
    void everyKindHasOpenAisTypeAndCode(ApiException.Kind kind, String type, String code) throws Exception {
        JsonNode o = OpenAiErrors.object(ApiException.ofStatus(kind.status(), "boom"));
        JsonNode expected = json("{\"error\":{\"message\":\"boom\",\"type\":\"" + type + "\",\"param\":null,\"code\":"
                + (code == null ? "null" : "\"" + code + "\"") + "}}");
        assertEquals(expected, o);
    }

    @Test
    void anUnknownModelIsModelNotFound() throws Exception {
        assertEquals(json("{\"error\":{\"message\":\"model 'x' not found\",\"type\":\"invalid_request_error\","
                + "\"param\":\"model\",\"code\":\"model_not_found\"}}"), OpenAiErrors.object(ApiException.modelNotFound("x")));
    }

    @Test
    void aStreamErrorIsAnEventThenDone() {
        String s = OpenAiErrors.INSTANCE.streamError(ApiException.badParameter("n", "bad n")).toString();
        assertEquals("data: {\"error\":{\"message\":\"bad n\",\"type\":\"invalid_request_error\",\"param\":\"n\","
                + "\"code\":null}}\n\ndata: [DONE]\n\n", s);
    }

    @Test
    void legacyLogprobsCountOffsetsInCodePoints() throws Exception {
        TokenLogprob emoji = lp("\uD83D\uDE00", -0.5, List.of(lp("\uD83D\uDE00", -0.5, List.of()), lp("a", -2, List.of())));
        TokenLogprob ok = lp(" ok", -0.25, List.of());
        assertEquals(json("{\"tokens\":[\"\uD83D\uDE00\",\" ok\"],\"token_logprobs\":[-0.5,-0.25],"
                        + "\"top_logprobs\":[{\"\uD83D\uDE00\":-0.5,\"a\":-2.0},{}],\"text_offset\":[3,4]}"),
                OpenAiJson.completionLogprobs(List.of(emoji, ok), 3));
    }

    private static TokenLogprob lp(String text, double logprob, List<TokenLogprob> top) {
        return new TokenLogprob(1, text, text.getBytes(StandardCharsets.UTF_8), logprob, top);
    }

    @Test
    void ownersAreNamespaces() {
        assertEquals("library", OpenAiJson.ownedBy("qwen:latest"));
        assertEquals("alice", OpenAiJson.ownedBy("alice/coder:7b"));
        assertEquals("ns", OpenAiJson.ownedBy("localhost:5000/ns/model:tag"));
    }

    @Test
    void fingerprintsComeFromTheDigest() {
        assertEquals("fp_0123456789ab", OpenAiJson.fingerprint(model("sha256:0123456789abcdef")));
        assertEquals("fp_0123456789ab", OpenAiJson.fingerprint(model("sha256-0123456789abcdef")));
        assertEquals("fp_puna", OpenAiJson.fingerprint(model("")));
    }

    private static CatalogModel model(String digest) {
        return CatalogModel.ofFile("m:latest", Path.of("m.gguf"), digest, 1, Instant.EPOCH,
                new ModelDetails("", "gguf", "llama", List.of("llama"), "1M", "F32"));
    }

    @Test
    void finishReasons() {
        assertEquals("stop", OpenAiJson.finishReason(FinishReason.STOP));
        assertEquals("stop", OpenAiJson.finishReason(FinishReason.EOS));
        assertEquals("stop", OpenAiJson.finishReason(FinishReason.CANCELLED));
        assertEquals("length", OpenAiJson.finishReason(FinishReason.LENGTH));
        assertEquals("length", OpenAiJson.finishReason(FinishReason.CONTEXT_FULL));
    }

    @Test
    void toolCallDeltasNameTheCallOnceThenCarryArguments() throws Exception {
        assertEquals(json("{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_1\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"f\",\"arguments\":\"\"}}]},\"logprobs\":null,\"finish_reason\":null}"),
                ChatChoices.toolCallDelta(0, 1, "call_1", "f", ""));
        assertEquals(json("{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":"
                        + "\"{\\\"a\\\":\"}}]},\"logprobs\":null,\"finish_reason\":null}"),
                ChatChoices.toolCallDelta(0, 1, null, null, "{\"a\":"));
    }
}
