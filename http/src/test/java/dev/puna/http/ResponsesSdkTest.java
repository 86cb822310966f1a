package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.conversations.Conversation;
import com.openai.models.conversations.ConversationUpdateParams;
import com.openai.models.conversations.items.ConversationItem;
import com.openai.models.conversations.items.ItemListParams;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ToolChoiceFunction;
import dev.puna.state.DatabaseUrl.Backend;
import dev.puna.testkit.TestModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The Responses and Conversations APIs driven by the official OpenAI Java SDK on the scripted models, on SQLite and
 * PostgreSQL: stored responses and their input items, chains through {@code previous_response_id} (which reuse the
 * previous turn's KV cache), the function-call loop, the stream's event order, background responses, and
 * conversations that grow with each response.
 */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ResponsesSdkTest {
    private StatefulServer server;

    abstract Backend backend();



    @BeforeAll
    void start() {
        server = new StatefulServer(backend(), "responses_sdk");
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private static ResponseCreateParams.Builder hello(String input) {
        return ResponseCreateParams.builder().model("scripted").input(input).temperature(0.0);
    }

    private static String outputText(Response r) {
        StringBuilder b = new StringBuilder();
        for (ResponseOutputItem item : r.output()) {
            item.message().ifPresent(m -> m.content().forEach(c -> c.outputText().ifPresent(t -> b.append(t.text()))));
        }
        return b.toString();
    }

    @Test
    void aStoredResponseCanBeReadListedAndDeleted() {
        Response r = server.client.responses().create(hello("Hello").instructions("Be brief.").build());
        assertTrue(r.id().startsWith("resp_"), r.id());
        assertEquals(ResponseStatus.COMPLETED, r.status().orElseThrow());
        assertEquals(TestModels.CHAT_COMPLETION, outputText(r));
        assertEquals(2, r.usage().orElseThrow().outputTokens());
        assertEquals("Be brief.", r.instructions().orElseThrow().asString());

        Response again = server.client.responses().retrieve(r.id());
        assertEquals(r.id(), again.id());
        assertEquals(TestModels.CHAT_COMPLETION, outputText(again));
        var items = server.client.responses().inputItems().list(r.id()).data();
        assertEquals(1, items.size());
        assertEquals("Hello", items.getFirst().asResponseInputMessageItem().content().getFirst().asInputText().text());

        server.client.responses().delete(r.id());
        assertThrows(NotFoundException.class, () -> server.client.responses().retrieve(r.id()));
    }

    @Test
    void previousResponseIdContinuesTheChainOnItsKvCache() {
        Response first = server.client.responses().create(hello("Hello").build());
        Response second = server.client.responses().create(hello("Again").previousResponseId(first.id()).build());
        assertEquals(ResponseStatus.COMPLETED, second.status().orElseThrow());
        assertEquals(TestModels.CHAT_COMPLETION, outputText(second));
        assertEquals(first.id(), second.previousResponseId().orElseThrow());
        long firstPrompt = first.usage().orElseThrow().inputTokens();
        var usage = second.usage().orElseThrow();
        assertTrue(usage.inputTokens() > firstPrompt + 2, "the chain is in the prompt: " + usage);
        assertTrue(usage.inputTokensDetails().cachedTokens() >= firstPrompt,
                "the first turn's prompt comes from the KV cache: " + usage);

        BadRequestException e = assertThrows(BadRequestException.class, () -> server.client.responses().create(
                hello("x").previousResponseId("resp_missing").build()));
        assertEquals("previous_response_not_found", e.code().orElseThrow());
        assertEquals("Previous response with id 'resp_missing' not found.", e.getMessage().replaceFirst("^400: ", ""));

        Response unstored = server.client.responses().create(hello("Hello").store(false).build());
        assertEquals(TestModels.CHAT_COMPLETION, outputText(unstored));
        assertThrows(NotFoundException.class, () -> server.client.responses().retrieve(unstored.id()));
        assertThrows(BadRequestException.class, () -> server.client.responses().create(
                hello("x").previousResponseId(unstored.id()).build()));
    }

    @Test
    void functionCallsAndTheirOutputsGoRoundTheChain() throws Exception {
        FunctionTool weather = FunctionTool.builder().name("get_weather").description("Weather in a city")
                .strict(false).parameters(FunctionTool.Parameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city",
                                Map.of("type", "string", "maxLength", 8))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("city"))).build()).build();
        Response call = server.client.responses().create(hello("Weather in Oslo?").addTool(weather)
                .toolChoice(ToolChoiceFunction.builder().name("get_weather").build()).parallelToolCalls(false)
                .build());
        assertEquals(ResponseStatus.COMPLETED, call.status().orElseThrow());
        List<ResponseFunctionToolCall> calls = new ArrayList<>();
        call.output().forEach(o -> o.functionCall().ifPresent(calls::add));
        assertEquals(1, calls.size());
        ResponseFunctionToolCall fc = calls.getFirst();
        assertEquals("get_weather", fc.name());
        assertTrue(fc.callId().startsWith("call_"), fc.callId());
        assertTrue(fc.id().orElseThrow().startsWith("fc_"));
        JsonNode arguments = Http.JSON.readTree(fc.arguments());
        assertTrue(arguments.get("city").isTextual(), fc.arguments());

        Response answer = server.client.responses().create(ResponseCreateParams.builder().model("scripted")
                .temperature(0.0).previousResponseId(call.id()).addTool(weather)
                .inputOfResponse(List.of(ResponseInputItem.ofFunctionCallOutput(
                        ResponseInputItem.FunctionCallOutput.builder().callId(fc.callId()).output("sunny").build())))
                .build());
        assertEquals(ResponseStatus.COMPLETED, answer.status().orElseThrow());
        assertEquals(TestModels.CHAT_COMPLETION, outputText(answer));
    }

    @Test
    void aStreamedResponseSendsTypedEventsInOrder() throws Exception {
        // The SDK's own stream parses every event...
        Response[] completed = new Response[1];
        StringBuilder deltas = new StringBuilder();
        try (StreamResponse<ResponseStreamEvent> stream = server.client.responses().createStreaming(
                hello("Hello").build())) {
            stream.stream().forEach(e -> {
                e.outputTextDelta().ifPresent(d -> deltas.append(d.delta()));
                e.completed().ifPresent(c -> completed[0] = c.response());
            });
        }
        assertEquals(TestModels.CHAT_COMPLETION, deltas.toString());
        assertEquals(TestModels.CHAT_COMPLETION, outputText(completed[0]));
        assertEquals(completed[0].id(), server.client.responses().retrieve(completed[0].id()).id(), "stored");

        // ...and on the wire they come named, in order, numbered from 0, with no top-level error key.
        Http.Response raw = server.http().post("/v1/responses", "{\"model\":\"scripted\",\"input\":\"Hello\","
                + "\"temperature\":0,\"stream\":true}");
        List<String> types = new ArrayList<>();
        int n = 0;
        for (String frame : raw.body().split("\n\n")) {
            String event = null;
            JsonNode data = null;
            for (String line : frame.split("\n")) {
                if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = Http.JSON.readTree(line.substring(6));
                }
            }
            assertEquals(event, data.get("type").asText());
            assertEquals(n++, data.get("sequence_number").asInt());
            assertFalse(data.has("error"), frame);
            types.add(event);
        }
        List<String> expected = new ArrayList<>(List.of("response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added"));
        expected.addAll(java.util.Collections.nCopies(types.size() - 8, "response.output_text.delta"));
        expected.addAll(List.of("response.output_text.done", "response.content_part.done",
                "response.output_item.done", "response.completed"));
        assertEquals(expected, types);
    }

    @Test
    void backgroundResponsesArePolledToTheirEnd() throws Exception {
        Response queued = server.client.responses().create(hello("Hello").background(true).build());
        assertTrue(Set.of(ResponseStatus.QUEUED, ResponseStatus.IN_PROGRESS).contains(queued.status().orElseThrow()));
        assertTrue(queued.background().orElseThrow());
        Response done = queued;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!done.status().orElseThrow().equals(ResponseStatus.COMPLETED)) {
            assertTrue(System.nanoTime() < deadline, "still " + done.status());
            Thread.sleep(20);
            done = server.client.responses().retrieve(queued.id());
        }
        assertEquals(TestModels.CHAT_COMPLETION, outputText(done));
        // A finished response cannot be cancelled; one that was not in the background never can.
        assertThrows(BadRequestException.class, () -> server.client.responses().cancel(queued.id()));
        Response foreground = server.client.responses().create(hello("Hello").build());
        BadRequestException e = assertThrows(BadRequestException.class,
                () -> server.client.responses().cancel(foreground.id()));
        assertEquals("Only responses created with background=true can be cancelled.",
                e.getMessage().replaceFirst("^400: ", ""));
    }

    @Test
    void aBackgroundResponseIsCancelledMidGeneration() throws Exception {
        // Streamed, so the test sees it generate: the counting model would count on without end.
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpResponse<java.util.stream.Stream<String>> stream = http.send(java.net.http.HttpRequest
                .newBuilder(java.net.URI.create(server.url() + "/v1/responses"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"model\":\"counter\",\"input\":\"Hello\","
                        + "\"temperature\":0,\"background\":true,\"stream\":true}"))
                .header("Content-Type", "application/json").build(), java.net.http.HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, stream.statusCode());
        String id = null;
        String last = null;
        int deltas = 0;
        var lines = stream.body().iterator();
        while (lines.hasNext()) {
            String line = lines.next();
            if (!line.startsWith("data: ")) {
                continue;
            }
            JsonNode data = Http.JSON.readTree(line.substring(6));
            last = data.get("type").asText();
            if (last.equals("response.created")) {
                id = data.get("response").get("id").asText();
            }
            if (last.equals("response.output_text.delta") && ++deltas == 3) {
                Response cancelled = server.client.responses().cancel(id);
                assertEquals(ResponseStatus.CANCELLED, cancelled.status().orElseThrow());
            }
        }
        assertEquals("response.failed", last, "the stream ends with its terminal event");
        Response after = server.client.responses().retrieve(id);
        assertEquals(ResponseStatus.CANCELLED, after.status().orElseThrow());
        String text = outputText(after);
        assertTrue(text.startsWith(TestModels.countCompletion(3)), text);
        assertTrue(TestModels.countCompletion(200).startsWith(text), text);
        assertTrue(after.usage().orElseThrow().outputTokens() < 200, "stopped at once, not at a limit");
    }

    @Test
    void conversationsGrowWithEachResponse() {
        Conversation conv = server.client.conversations().create();
        assertTrue(conv.id().startsWith("conv_"), conv.id());
        Response first = server.client.responses().create(hello("Hello").conversation(conv.id()).build());
        assertEquals(conv.id(), first.conversation().orElseThrow().id());
        Response second = server.client.responses().create(hello("Again").conversation(conv.id()).build());
        assertTrue(second.usage().orElseThrow().inputTokensDetails().cachedTokens()
                >= first.usage().orElseThrow().inputTokens(), "the conversation so far comes from the KV cache");
        List<ConversationItem> items = server.client.conversations().items().list(conv.id(), ItemListParams.builder()
                .order(ItemListParams.Order.ASC).build()).data();
        List<String> texts = new ArrayList<>();
        for (ConversationItem i : items) {
            var m = i.asMessage();
            StringBuilder b = new StringBuilder();
            m.content().forEach(c -> {
                c.inputText().ifPresent(t -> b.append(t.text()));
                c.outputText().ifPresent(t -> b.append(t.text()));
            });
            texts.add(m.role() + ":" + b);
        }
        assertEquals(List.of("user:Hello", "assistant:" + TestModels.CHAT_COMPLETION, "user:Again",
                "assistant:" + TestModels.CHAT_COMPLETION), texts);

        Conversation tagged = server.client.conversations().update(conv.id(), ConversationUpdateParams.builder()
                .metadata(ConversationUpdateParams.Metadata.builder().putAdditionalProperty("topic",
                        JsonValue.from("greetings")).build()).build());
        assertEquals("greetings", Http.JSON.valueToTree(tagged._metadata().convert(Map.class)).get("topic").asText());
        assertTrue(server.client.conversations().delete(conv.id()).deleted());
        assertThrows(NotFoundException.class, () -> server.client.conversations().retrieve(conv.id()));
        assertFalse(texts.isEmpty());
    }
}
