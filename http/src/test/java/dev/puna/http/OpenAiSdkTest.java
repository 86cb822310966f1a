package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import dev.puna.testkit.ScriptedModel;
import dev.puna.testkit.TestModels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The official OpenAI Java SDK ({@code com.openai:openai-java}) against the real server on the scripted model:
 * chat and legacy completions, streamed and not, {@code n}, stop, max tokens, logprobs, usage in streams,
 * structured output, tool calls (whole and as streamed deltas), embeddings as floats and base64, the model list, and errors as the SDK's typed exceptions.
 */
@Timeout(120)
class OpenAiSdkTest {
    private static ScriptedServer server;
    private static OpenAIClient client;

    @BeforeAll
    static void start() {
        server = new ScriptedServer();
        // No retries: a test must see the first answer, and a 5xx would otherwise be sent again.
        client = OpenAIOkHttpClient.builder().baseUrl(server.server.url() + "/v1").apiKey("unused").maxRetries(0)
                .build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    private static ChatCompletionCreateParams.Builder hello() {
        return ChatCompletionCreateParams.builder().model("scripted").addUserMessage("Hello").temperature(0.0);
    }

    private static CompletionCreateParams.Builder completion(String prompt) {
        return CompletionCreateParams.builder().model("scripted").prompt(prompt).temperature(0.0);
    }

    @Test
    void chat() {
        ChatCompletion c = client.chat().completions().create(hello().build());
        assertEquals("chat.completion", c._object_().asString().orElseThrow());
        assertEquals("scripted", c.model());
        assertEquals(1, c.choices().size());
        ChatCompletion.Choice choice = c.choices().getFirst();
        assertEquals(TestModels.CHAT_COMPLETION, choice.message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, choice.finishReason());
        assertEquals(2, c.usage().orElseThrow().completionTokens());
        assertEquals(c.usage().orElseThrow().promptTokens() + 2, c.usage().orElseThrow().totalTokens());
        assertTrue(c.systemFingerprint().orElseThrow().startsWith("fp_"));
    }

    @Test
    void chatStreamed() {
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(hello()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            stream.stream().forEach(chunks::add);
        }
        StringBuilder text = new StringBuilder();
        List<String> finishReasons = new ArrayList<>();
        for (ChatCompletionChunk chunk : chunks) {
            assertEquals(chunks.getFirst().id(), chunk.id());
            for (ChatCompletionChunk.Choice ch : chunk.choices()) {
                ch.delta().content().ifPresent(text::append);
                ch.finishReason().ifPresent(r -> finishReasons.add(r.asString()));
            }
        }
        assertEquals(TestModels.CHAT_COMPLETION, text.toString());
        assertEquals(List.of("stop"), finishReasons);
        assertEquals(ChatCompletionChunk.Choice.Delta.Role.ASSISTANT,
                chunks.getFirst().choices().getFirst().delta().role().orElseThrow());
        ChatCompletionChunk last = chunks.getLast();
        assertEquals(0, last.choices().size());
        assertEquals(2, last.usage().orElseThrow().completionTokens());
    }

    @Test
    void chatWithTwoChoices() {
        ChatCompletion c = client.chat().completions().create(hello().n(2).build());
        assertEquals(2, c.choices().size());
        for (int i = 0; i < 2; i++) {
            assertEquals(i, c.choices().get(i).index());
            assertEquals(TestModels.CHAT_COMPLETION, c.choices().get(i).message().content().orElseThrow());
        }
        Map<Long, StringBuilder> streamed = new TreeMap<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                hello().n(2).build())) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(ch -> ch.delta().content()
                    .ifPresent(t -> streamed.computeIfAbsent(ch.index(), k -> new StringBuilder()).append(t))));
        }
        assertEquals(2, streamed.size());
        streamed.values().forEach(t -> assertEquals(TestModels.CHAT_COMPLETION, t.toString()));
    }

    @Test
    void chatStopAndMaxTokens() {
        ChatCompletion stopped = client.chat().completions().create(hello()
                .stop(ChatCompletionCreateParams.Stop.ofString(" there")).build());
        assertEquals("Hi", stopped.choices().getFirst().message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, stopped.choices().getFirst().finishReason());
        ChatCompletion cut = client.chat().completions().create(hello().maxCompletionTokens(1L).build());
        assertEquals("Hi", cut.choices().getFirst().message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.LENGTH, cut.choices().getFirst().finishReason());
    }

    @Test
    void chatLogprobs() {
        ChatCompletion c = client.chat().completions().create(hello().logprobs(true).topLogprobs(3L).build());
        List<ChatCompletionTokenLogprob> content = c.choices().getFirst().logprobs().orElseThrow().content()
                .orElseThrow();
        assertEquals(List.of("Hi", " there!"), content.stream().map(ChatCompletionTokenLogprob::token).toList());
        for (ChatCompletionTokenLogprob lp : content) {
            assertTrue(lp.logprob() <= 0 && lp.logprob() > -0.01, "near certain: " + lp.logprob());
            assertEquals(3, lp.topLogprobs().size());
            assertEquals(lp.token(), lp.topLogprobs().getFirst().token());
        }
    }

    @Test
    void chatWithAJsonSchema() throws Exception {
        ResponseFormatJsonSchema format = ResponseFormatJsonSchema.builder().jsonSchema(
                ResponseFormatJsonSchema.JsonSchema.builder().name("answer").strict(true)
                        .schema(ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                                .putAdditionalProperty("type", JsonValue.from("object"))
                                .putAdditionalProperty("properties", JsonValue.from(Map.of("ok",
                                        Map.of("type", "boolean"))))
                                .putAdditionalProperty("required", JsonValue.from(List.of("ok")))
                                .putAdditionalProperty("additionalProperties", JsonValue.from(false)).build())
                        .build()).build();
        ChatCompletion c = client.chat().completions().create(hello().responseFormat(format).maxCompletionTokens(50L)
                .build());
        JsonNode value = Http.JSON.readTree(c.choices().getFirst().message().content().orElseThrow());
        assertTrue(value.get("ok").isBoolean(), value.toString());
        assertEquals(1, value.size());
    }

    @Test
    void toolCalls() throws Exception {
        ChatCompletionFunctionTool weather = ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder()
                .name("get_weather").parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city",
                                Map.of("type", "string", "maxLength", 8))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("city"))).build())
                .build()).build();
        ChatCompletionCreateParams params = hello().addTool(weather).toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED)
                .parallelToolCalls(false).build();
        ChatCompletion c = client.chat().completions().create(params);
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, c.choices().getFirst().finishReason());
        ChatCompletionMessageFunctionToolCall call = c.choices().getFirst().message().toolCalls().orElseThrow()
                .getFirst().asFunction();
        assertEquals("get_weather", call.function().name());
        assertEquals(" one two", Http.JSON.readTree(call.function().arguments()).get("city").asText());

        StringBuilder arguments = new StringBuilder();
        List<String> names = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(ch -> ch.delta().toolCalls().ifPresent(calls ->
                    calls.forEach(tc -> tc.function().ifPresent(f -> {
                        f.name().ifPresent(names::add);
                        f.arguments().ifPresent(arguments::append);
                    })))));
        }
        assertEquals(List.of("get_weather"), names);
        assertEquals(call.function().arguments(), arguments.toString());
    }

    @Test
    void completions() {
        Completion c = client.completions().create(completion(TestModels.HELLO_PROMPT).build());
        assertEquals(TestModels.HELLO_COMPLETION, c.choices().getFirst().text());
        assertEquals(CompletionChoice.FinishReason.STOP, c.choices().getFirst().finishReason());
        assertEquals(4, c.usage().orElseThrow().completionTokens());
        StringBuilder text = new StringBuilder();
        try (StreamResponse<Completion> stream = client.completions().createStreaming(
                completion(TestModels.HELLO_PROMPT).build())) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(ch -> text.append(ch.text())));
        }
        assertEquals(TestModels.HELLO_COMPLETION, text.toString());
    }

    @Test
    void completionsWithLimitsEchoAndLogprobs() {
        Completion cut = client.completions().create(completion(TestModels.COUNT_PROMPT).maxTokens(3L).build());
        assertEquals(TestModels.countCompletion(3), cut.choices().getFirst().text());
        assertEquals(CompletionChoice.FinishReason.LENGTH, cut.choices().getFirst().finishReason());
        Completion echoed = client.completions().create(completion(TestModels.HELLO_PROMPT).echo(true).n(2L).build());
        assertEquals(2, echoed.choices().size());
        echoed.choices().forEach(ch -> assertEquals("Hello world from Puna!", ch.text()));
        CompletionChoice.Logprobs lp = client.completions().create(completion(TestModels.HELLO_PROMPT).logprobs(1L)
                .build()).choices().getFirst().logprobs().orElseThrow();
        assertEquals(List.of(" world", " from", " Puna", "!"), lp.tokens().orElseThrow());
        assertEquals(List.of(0L, 6L, 11L, 16L), lp.textOffset().orElseThrow());
    }

    @Test
    void embeddingsAsFloatsAndBase64() {
        CreateEmbeddingResponse floats = client.embeddings().create(EmbeddingCreateParams.builder().model("scripted")
                .inputOfArrayOfStrings(List.of("Hello", "Count:"))
                .encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT).build());
        assertEquals(2, floats.data().size());
        List<Float> hello = floats.data().getFirst().embedding();
        assertEquals(ScriptedModel.EMBEDDING_LENGTH, hello.size());
        assertEquals(4, floats.usage().promptTokens());

        CreateEmbeddingResponse base64 = client.embeddings().create(EmbeddingCreateParams.builder().model("scripted")
                .input("Hello").encodingFormat(EmbeddingCreateParams.EncodingFormat.BASE64).build());
        String encoded = base64.data().getFirst().embeddingValue().asBase64();
        float[] decoded = new float[ScriptedModel.EMBEDDING_LENGTH];
        ByteBuffer.wrap(Base64.getDecoder().decode(encoded)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                .get(decoded);
        for (int i = 0; i < decoded.length; i++) {
            assertEquals(hello.get(i), decoded[i], 0f, "dimension " + i);
        }
        CreateEmbeddingResponse shortened = client.embeddings().create(EmbeddingCreateParams.builder()
                .model("scripted").input("Hello").dimensions(16L)
                .encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT).build());
        assertEquals(16, shortened.data().getFirst().embedding().size());
    }

    @Test
    void models() {
        List<Model> models = client.models().list().data();
        assertEquals(List.of("scripted:latest"), models.stream().map(Model::id).toList());
        assertEquals("library", models.getFirst().ownedBy());
        Model m = client.models().retrieve("scripted:latest");
        assertEquals("scripted:latest", m.id());
        assertEquals(TestCatalog.MODIFIED.getEpochSecond(), m.created());
        NotFoundException missing = assertThrows(NotFoundException.class, () -> client.models().retrieve("nope"));
        assertEquals("model_not_found", missing.code().orElseThrow());
    }

    @Test
    void errorsAreTheSdksTypedExceptions() {
        NotFoundException unknown = assertThrows(NotFoundException.class, () -> client.chat().completions()
                .create(ChatCompletionCreateParams.builder().model("nope").addUserMessage("Hello").build()));
        assertEquals(404, unknown.statusCode());
        assertEquals("model_not_found", unknown.code().orElseThrow());
        assertEquals("model", unknown.param().orElseThrow());
        assertEquals("invalid_request_error", unknown.type().orElseThrow());

        BadRequestException hot = assertThrows(BadRequestException.class, () -> client.chat().completions()
                .create(hello().temperature(3.0).build()));
        assertEquals("temperature", hot.param().orElseThrow());
        assertTrue(hot.getMessage().contains("\"temperature\" must be between 0 and 2, got 3"), hot.getMessage());

        BadRequestException noStop = assertThrows(BadRequestException.class, () -> client.completions()
                .create(completion("x").stop(CompletionCreateParams.Stop.ofStrings(List.of("a", "b", "c", "d", "e")))
                        .build()));
        assertEquals("stop", noStop.param().orElseThrow());

        BadRequestException dims = assertThrows(BadRequestException.class, () -> client.embeddings()
                .create(EmbeddingCreateParams.builder().model("scripted").input("Hello").dimensions(1000L).build()));
        assertEquals("dimensions", dims.param().orElseThrow());
    }

    @Test
    void aBaseUrlWithoutV1Works() {
        OpenAIClient bare = OpenAIOkHttpClient.builder().baseUrl(server.server.url()).apiKey("unused")
                .maxRetries(0).build();
        try {
            ChatCompletion c = bare.chat().completions().create(hello().build());
            assertEquals(TestModels.CHAT_COMPLETION, c.choices().getFirst().message().content().orElseThrow());
        } finally {
            bare.close();
        }
    }
}
