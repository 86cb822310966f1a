package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.StreamingResponseHandler;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.ollama.OllamaEmbeddingModel;
import dev.langchain4j.model.ollama.OllamaLanguageModel;
import dev.langchain4j.model.ollama.OllamaModel;
import dev.langchain4j.model.ollama.OllamaModels;
import dev.langchain4j.model.ollama.OllamaStreamingChatModel;
import dev.langchain4j.model.ollama.OllamaStreamingLanguageModel;
import dev.langchain4j.model.ollama.RunningOllamaModel;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.Response;
import dev.puna.testkit.TestModels;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real Ollama client nobody on the project wrote, LangChain4j's Ollama module from Maven Central, driving the
 * server: generate, chat and embeddings, streaming and not, tool calls (on the tool-calling test model), JSON schema
 * output, model listing, and an error.
 */
@Timeout(120)
class OllamaClientTest {
    private static ScriptedServer server;
    private static String url;
    /** Serves the tool-calling model (with room for its longer prompts), apart from the model listing tests. */
    private static ScriptedServer toolServer;

    @BeforeAll
    static void start() {
        server = new ScriptedServer();
        url = server.server.url();
        toolServer = new ScriptedServer(ServerConfig.builder(), 1024);
        toolServer.catalog.add("tools", ScriptedServer.TOOLS_MODEL);
    }

    @AfterAll
    static void stop() {
        toolServer.close();
        server.close();
    }

    @Test
    void generateNonStreaming() {
        OllamaLanguageModel model = OllamaLanguageModel.builder().baseUrl(url).modelName("scripted").temperature(0.0)
                .timeout(Duration.ofSeconds(60)).build();
        Response<String> r = model.generate("Hello");
        assertEquals(TestModels.CHAT_COMPLETION, r.content());
        assertEquals(2, r.tokenUsage().outputTokenCount());
        assertTrue(r.tokenUsage().inputTokenCount() > 0);
    }

    @Test
    void generateStreaming() throws Exception {
        OllamaStreamingLanguageModel model = OllamaStreamingLanguageModel.builder().baseUrl(url).modelName("scripted")
                .temperature(0.0).numPredict(1).timeout(Duration.ofSeconds(60)).build();
        List<String> tokens = new CopyOnWriteArrayList<>();
        CompletableFuture<Response<String>> done = new CompletableFuture<>();
        model.generate("Hello", new StreamingResponseHandler<>() {
            @Override
            public void onNext(String token) {
                tokens.add(token);
            }

            @Override
            public void onComplete(Response<String> response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        Response<String> r = done.get(60, TimeUnit.SECONDS);
        // The client hands every chunk's text on, the final chunk's empty one included (as with Ollama).
        assertEquals(List.of("Hi", ""), tokens);
        assertEquals("Hi", r.content());
        assertEquals(1, r.tokenUsage().outputTokenCount());
    }

    @Test
    void chatNonStreaming() {
        OllamaChatModel model = OllamaChatModel.builder().baseUrl(url).modelName("scripted").temperature(0.0)
                .timeout(Duration.ofSeconds(60)).build();
        ChatResponse r = model.chat(UserMessage.from("Hello"));
        assertEquals(TestModels.CHAT_COMPLETION, r.aiMessage().text());
        assertEquals(2, r.tokenUsage().outputTokenCount());
        assertEquals(FinishReason.STOP, r.finishReason());
    }

    @Test
    void chatStreaming() throws Exception {
        OllamaStreamingChatModel model = OllamaStreamingChatModel.builder().baseUrl(url).modelName("scripted")
                .temperature(0.0).timeout(Duration.ofSeconds(60)).build();
        List<String> partials = new CopyOnWriteArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat("Hello", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                partials.add(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse r = done.get(60, TimeUnit.SECONDS);
        assertEquals(List.of("Hi", " there!"), partials);
        assertEquals(TestModels.CHAT_COMPLETION, r.aiMessage().text());
        assertEquals(2, r.tokenUsage().outputTokenCount());
    }

    private static final ToolSpecification WEATHER = ToolSpecification.builder().name(TestModels.TOOL_NAME)
            .description("Current weather").parameters(JsonObjectSchema.builder().addStringProperty("city")
                    .required("city").build()).build();

    private static OllamaChatModel toolModel() {
        return OllamaChatModel.builder().baseUrl(toolServer.server.url()).modelName("tools").temperature(0.0)
                .timeout(Duration.ofSeconds(60)).build();
    }

    @Test
    void toolCalls() {
        ChatRequest ask = ChatRequest.builder().messages(UserMessage.from("Weather in Oslo?"))
                .toolSpecifications(WEATHER).build();
        ChatResponse r = toolModel().chat(ask);
        assertEquals(TestModels.TOOL_CONTENT, r.aiMessage().text());
        assertEquals(1, r.aiMessage().toolExecutionRequests().size());
        ToolExecutionRequest call = r.aiMessage().toolExecutionRequests().getFirst();
        assertEquals(TestModels.TOOL_NAME, call.name());
        assertEquals("{\"city\":\"Oslo\"}", call.arguments());
        assertTrue(call.id().startsWith("call_"), call.id());
        assertEquals(10, r.tokenUsage().outputTokenCount());

        // The client sends the call and its result back as history; the server renders both and the model answers.
        ChatResponse next = toolModel().chat(ChatRequest.builder().messages(UserMessage.from("Weather in Oslo?"),
                r.aiMessage(), ToolExecutionResultMessage.from(call, "cold")).toolSpecifications(WEATHER).build());
        assertEquals(TestModels.TOOL_NAME, next.aiMessage().toolExecutionRequests().getFirst().name());
    }

    @Test
    void toolCallsStreaming() throws Exception {
        OllamaStreamingChatModel model = OllamaStreamingChatModel.builder().baseUrl(toolServer.server.url())
                .modelName("tools").temperature(0.0).timeout(Duration.ofSeconds(60)).build();
        List<String> partials = new CopyOnWriteArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat(ChatRequest.builder().messages(UserMessage.from("Weather in Oslo?")).toolSpecifications(WEATHER)
                .build(), new StreamingChatResponseHandler() {
                    @Override
                    public void onPartialResponse(String partial) {
                        partials.add(partial);
                    }

                    @Override
                    public void onCompleteResponse(ChatResponse response) {
                        done.complete(response);
                    }

                    @Override
                    public void onError(Throwable error) {
                        done.completeExceptionally(error);
                    }
                });
        ChatResponse r = done.get(60, TimeUnit.SECONDS);
        assertEquals(List.of("Let", " me", " check."), partials, "no tool-call text reaches the partial responses");
        assertEquals(TestModels.TOOL_CONTENT, r.aiMessage().text());
        ToolExecutionRequest call = r.aiMessage().toolExecutionRequests().getFirst();
        assertEquals(TestModels.TOOL_NAME, call.name());
        assertEquals("{\"city\":\"Oslo\"}", call.arguments());
    }

    @Test
    void jsonSchemaOutput() throws Exception {
        ResponseFormat format = ResponseFormat.builder().type(ResponseFormatType.JSON).jsonSchema(JsonSchema.builder()
                .name("Weather").rootElement(JsonObjectSchema.builder().addBooleanProperty("cold")
                        .addEnumProperty("unit", List.of("c", "f")).required("cold", "unit").build()).build()).build();
        OllamaChatModel model = OllamaChatModel.builder().baseUrl(url).modelName("scripted").temperature(0.0)
                .timeout(Duration.ofSeconds(60)).build();
        ChatResponse r = model.chat(ChatRequest.builder().messages(UserMessage.from("Hello")).responseFormat(format)
                .build());
        String text = r.aiMessage().text();
        // The scripted answer "Hi there!" is not JSON: under the schema's grammar the model writes this instead.
        assertEquals("{\"cold\":true\n, \"unit\" :\n\"f\"\n}", text);
        com.fasterxml.jackson.databind.JsonNode value = Http.JSON.readTree(text);
        assertTrue(value.get("cold").isBoolean());
        assertTrue(List.of("c", "f").contains(value.get("unit").asText()));
    }

    @Test
    void embeddings() {
        OllamaEmbeddingModel model = OllamaEmbeddingModel.builder().baseUrl(url).modelName("scripted")
                .timeout(Duration.ofSeconds(60)).build();
        Embedding one = model.embed("Hello").content();
        assertEquals(64, one.dimension());
        List<Embedding> all = model.embedAll(List.of(TextSegment.from("Hello"), TextSegment.from("Count:"))).content();
        assertEquals(2, all.size());
        assertEquals(one.vectorAsList(), all.getFirst().vectorAsList());
    }

    @Test
    void listsModelsAndRunningModels() {
        OllamaModels models = OllamaModels.builder().baseUrl(url).timeout(Duration.ofSeconds(60)).build();
        List<OllamaModel> available = models.availableModels().content();
        assertEquals(List.of("scripted:latest"), available.stream().map(OllamaModel::getName).toList());
        assertEquals("llama", available.getFirst().getDetails().getFamily());
        OllamaLanguageModel.builder().baseUrl(url).modelName("scripted").temperature(0.0).build().generate("Hello");
        List<RunningOllamaModel> running = models.runningModels().content();
        assertEquals(List.of("scripted:latest"), running.stream().map(RunningOllamaModel::getName).toList());
        assertTrue(models.modelCard("scripted").content().getTemplate().contains("<|im_start|>"));
    }

    @Test
    void anUnknownModelIsAClearError() {
        OllamaChatModel model = OllamaChatModel.builder().baseUrl(url).modelName("nope").maxRetries(0)
                .timeout(Duration.ofSeconds(60)).build();
        RuntimeException e = assertThrows(RuntimeException.class, () -> model.chat(UserMessage.from("Hello")));
        assertTrue(String.valueOf(e.getMessage()).contains("model 'nope' not found"), e.toString());
    }
}
