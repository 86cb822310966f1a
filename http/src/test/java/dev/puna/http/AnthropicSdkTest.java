package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Base64ImageSource;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.MessageParam;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.testkit.TestModels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /v1/messages} through the official Anthropic Java SDK, against a server that requires an API key (the SDK
 * sends it as {@code x-api-key}, with {@code anthropic-version}): a plain message, a streamed one (the SDK's event
 * sequence), a tool-use round trip on the tool-calling model, token counting, and the SDK's exception for each bad
 * request.
 */
@Timeout(120)
class AnthropicSdkTest {
    private static final String KEY = "sk-ant-test";
    /** This SDK version has no temperature setter; the API still takes the field. */
    private static final JsonValue GREEDY = JsonValue.from(0);
    private static ScriptedServer server;
    private static AnthropicClient client;

    @BeforeAll
    static void start() {
        server = new ScriptedServer(ServerConfig.builder().apiKeys(List.of(KEY)), 1024);
        server.catalog.add("tools", ScriptedServer.TOOLS_MODEL);
        client = AnthropicOkHttpClient.builder().baseUrl(server.server.url()).apiKey(KEY).maxRetries(0)
                .timeout(Duration.ofSeconds(60)).build();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        server.close();
    }

    private static MessageCreateParams.Builder hello(String model) {
        return MessageCreateParams.builder().model(model).maxTokens(64).putAdditionalBodyProperty("temperature", GREEDY).addUserMessage("Hello");
    }

    @Test
    void aPlainMessage() {
        Message m = client.messages().create(hello("scripted").build());
        assertTrue(m.id().matches("msg_[A-Za-z0-9]{24}"), m.id());
        assertEquals("scripted", m.model().asString());
        assertEquals(1, m.content().size());
        assertEquals(TestModels.CHAT_COMPLETION, m.content().getFirst().asText().text());
        assertEquals(StopReason.END_TURN, m.stopReason().orElseThrow());
        assertEquals(2, m.usage().outputTokens());
        long counted = client.messages().countTokens(MessageCountTokensParams.builder().model("scripted")
                .addUserMessage("Hello").build()).inputTokens();
        assertEquals(counted, m.usage().inputTokens() + m.usage().cacheReadInputTokens().orElseThrow());
    }

    @Test
    void aStreamedMessage() {
        List<String> types = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        StopReason[] reason = new StopReason[1];
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(hello("scripted")
                .build())) {
            stream.stream().forEach(e -> {
                types.add(type(e));
                e.contentBlockDelta().ifPresent(d -> text.append(d.delta().asText().text()));
                e.messageDelta().ifPresent(d -> reason[0] = d.delta().stopReason().orElseThrow());
            });
        }
        // The SDK passes every event on but the pings.
        assertEquals(List.of("message_start", "content_block_start", "content_block_delta", "content_block_delta",
                "content_block_stop", "message_delta", "message_stop"), types);
        assertEquals(TestModels.CHAT_COMPLETION, text.toString());
        assertEquals(StopReason.END_TURN, reason[0]);
    }

    private static String type(RawMessageStreamEvent e) {
        if (e.isMessageStart()) {
            return "message_start";
        } else if (e.isContentBlockStart()) {
            return "content_block_start";
        } else if (e.isContentBlockDelta()) {
            return "content_block_delta";
        } else if (e.isContentBlockStop()) {
            return "content_block_stop";
        } else if (e.isMessageDelta()) {
            return "message_delta";
        } else if (e.isMessageStop()) {
            return "message_stop";
        }
        throw new AssertionError("unknown event " + e);
    }

    private static Tool weather() {
        return Tool.builder().name(TestModels.TOOL_NAME).description("Current weather")
                .inputSchema(Tool.InputSchema.builder().properties(JsonValue.from(Map.of("city",
                        Map.of("type", "string")))).required(List.of("city")).build()).build();
    }

    @Test
    void aToolUseRoundTrip() {
        MessageCreateParams.Builder first = MessageCreateParams.builder().model("tools").maxTokens(64)
                .putAdditionalBodyProperty("temperature", GREEDY).addTool(weather()).addUserMessage("Weather in Oslo?");
        Message call = client.messages().create(first.build());
        assertEquals(StopReason.TOOL_USE, call.stopReason().orElseThrow());
        assertEquals(2, call.content().size());
        assertEquals(TestModels.TOOL_CONTENT, call.content().get(0).asText().text());
        ToolUseBlock use = call.content().get(1).asToolUse();
        assertTrue(use.id().matches("toolu_[A-Za-z0-9]{24}"), use.id());
        assertEquals(TestModels.TOOL_NAME, use.name());
        assertEquals(JsonValue.from(Map.of("city", "Oslo")), use._input());

        // The call and its result go back; the scripted model answers any chat the same way, so it calls again,
        // and the prompt it answered is the whole round trip.
        MessageCreateParams second = first.addMessage(call).addUserMessageOfContentBlockParams(List.of(
                ContentBlockParam.ofToolResult(ToolResultBlockParam.builder().toolUseId(use.id()).content("cold")
                        .build()))).build();
        Message answer = client.messages().create(second);
        assertEquals(StopReason.TOOL_USE, answer.stopReason().orElseThrow());
        long counted = client.messages().countTokens(MessageCountTokensParams.builder().model("tools")
                .addTool(weather()).messages(second.messages()).build()).inputTokens();
        assertEquals(counted, answer.usage().inputTokens() + answer.usage().cacheReadInputTokens().orElseThrow());
        List<MessageParam> firstOnly = List.of(second.messages().getFirst());
        long firstCount = client.messages().countTokens(MessageCountTokensParams.builder().model("tools")
                .addTool(weather()).messages(firstOnly).build()).inputTokens();
        assertTrue(counted > firstCount + 10, counted + " vs " + firstCount);
    }

    @Test
    void aStreamedToolUse() {
        StringBuilder json = new StringBuilder();
        List<String> blocks = new ArrayList<>();
        MessageAccumulator accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(MessageCreateParams
                .builder().model("tools").maxTokens(64).putAdditionalBodyProperty("temperature", GREEDY).addTool(weather())
                .addUserMessage("Weather in Oslo?").build())) {
            stream.stream().forEach(e -> {
                accumulator.accumulate(e);
                e.contentBlockStart().ifPresent(s -> blocks.add(s.contentBlock().isToolUse() ? "tool_use" : "text"));
                e.contentBlockDelta().flatMap(d -> d.delta().inputJson()).ifPresent(d -> json.append(d.partialJson()));
            });
        }
        assertEquals(List.of("text", "tool_use"), blocks);
        assertEquals(AnthropicMessagesEndToEndTest.json(TestModels.TOOL_ARGUMENTS),
                AnthropicMessagesEndToEndTest.json(json.toString()));
        // The SDK's accumulator makes the same message a whole response is.
        Message m = accumulator.message();
        assertEquals(TestModels.TOOL_CONTENT, m.content().get(0).asText().text());
        assertEquals(JsonValue.from(Map.of("city", "Oslo")), m.content().get(1).asToolUse()._input());
        assertEquals(StopReason.TOOL_USE, m.stopReason().orElseThrow());
        assertEquals(10, m.usage().outputTokens());
    }

    @Test
    void badRequestsRaiseTheSdksExceptions() throws Exception {
        AnthropicServiceException missing = assertThrows(BadRequestException.class, () -> client.messages().create(
                MessageCreateParams.builder().model("scripted").maxTokens(64).messages(List.of()).build()));
        assertEquals(400, missing.statusCode());
        assertEquals("messages: at least one message is required", apiMessage(missing));
        NotFoundException unknown = assertThrows(NotFoundException.class, () -> client.messages().create(
                hello("nonexistent-model").build()));
        assertEquals("model 'nonexistent-model' not found", apiMessage(unknown));
        BadRequestException image = assertThrows(BadRequestException.class, () -> client.messages().create(
                MessageCreateParams.builder().model("scripted").maxTokens(64).addUserMessageOfContentBlockParams(
                        List.of(ContentBlockParam.ofImage(Base64ImageSource.builder()
                                .mediaType(Base64ImageSource.MediaType.IMAGE_PNG).data(VisionEndToEndTest.png(1))
                                .build()))).build()));
        assertEquals("model 'scripted' does not support images: it has no vision projector", apiMessage(image));
        AnthropicClient wrong = AnthropicOkHttpClient.builder().baseUrl(server.server.url()).apiKey("sk-wrong")
                .maxRetries(0).build();
        try {
            UnauthorizedException e = assertThrows(UnauthorizedException.class, () -> wrong.messages().create(
                    hello("scripted").build()));
            assertEquals("invalid API key", apiMessage(e));
        } finally {
            wrong.close();
        }
    }

    private static String apiMessage(AnthropicServiceException e) {
        JsonNode body = Http.JSON.valueToTree(e.body().convert(Object.class));
        assertEquals("error", body.get("type").asText(), body.toString());
        return body.get("error").get("message").asText();
    }
}
