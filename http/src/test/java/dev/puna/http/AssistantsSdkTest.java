package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.beta.assistants.Assistant;
import com.openai.models.beta.assistants.AssistantCreateParams;
import com.openai.models.beta.assistants.AssistantStreamEvent;
import com.openai.models.beta.assistants.AssistantUpdateParams;
import com.openai.models.beta.assistants.FunctionTool;
import com.openai.models.beta.threads.AssistantToolChoice;
import com.openai.models.beta.threads.AssistantToolChoiceFunction;
import com.openai.models.beta.threads.Thread;
import com.openai.models.beta.threads.ThreadCreateParams;
import com.openai.models.beta.threads.messages.Message;
import com.openai.models.beta.threads.messages.MessageCreateParams;
import com.openai.models.beta.threads.messages.MessageListParams;
import com.openai.models.beta.threads.runs.RequiredActionFunctionToolCall;
import com.openai.models.beta.threads.runs.Run;
import com.openai.models.beta.threads.runs.RunCreateParams;
import com.openai.models.beta.threads.runs.RunRetrieveParams;
import com.openai.models.beta.threads.runs.RunStatus;
import com.openai.models.beta.threads.runs.RunSubmitToolOutputsParams;
import com.openai.models.beta.threads.runs.steps.RunStep;
import com.openai.models.beta.threads.runs.steps.StepListParams;
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
 * The Assistants API driven by the official OpenAI Java SDK ({@code client.beta()}) against the real server on the
 * scripted models, with its state in SQLite ({@link AssistantsSdkSqliteTest}) and in PostgreSQL
 * ({@link AssistantsSdkPostgresTest}): assistants, threads
 * and messages, a polled run that answers, the tool loop (requires_action, submit_tool_outputs, completed), a streamed
 * run with OpenAI's event order, and typed errors.
 */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AssistantsSdkTest {
    private StatefulServer server;

    abstract Backend backend();



    @BeforeAll
    void start() {
        server = new StatefulServer(backend(), "assistants_sdk");
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private Assistant assistant(AssistantCreateParams.Builder b) {
        return server.client.beta().assistants().create(b.build());
    }

    private Run await(String threadId, String runId, Set<RunStatus> until) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            Run r = server.client.beta().threads().runs().retrieve(runId, RunRetrieveParams.builder()
                    .threadId(threadId).build());
            if (until.contains(r.status())) {
                return r;
            }
            assertTrue(System.nanoTime() < deadline, "run " + runId + " still " + r.status());
            try {
                java.lang.Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static final Set<RunStatus> RESTING = Set.of(RunStatus.COMPLETED, RunStatus.REQUIRES_ACTION,
            RunStatus.FAILED, RunStatus.INCOMPLETE, RunStatus.CANCELLED, RunStatus.EXPIRED);

    private static String text(Message m) {
        return m.content().getFirst().asText().text().value();
    }

    @Test
    void assistantsAreCreatedReadUpdatedListedAndDeleted() {
        Assistant a = assistant(AssistantCreateParams.builder().model("scripted").name("Helper")
                .instructions("Be brief.").temperature(0.0).metadata(AssistantCreateParams.Metadata.builder()
                        .putAdditionalProperty("team", JsonValue.from("docs")).build()));
        assertTrue(a.id().startsWith("asst_"), a.id());
        assertEquals("scripted", a.model());
        assertEquals("Helper", a.name().orElseThrow());
        assertEquals("Be brief.", a.instructions().orElseThrow());
        assertEquals(0.0, a.temperature().orElseThrow());
        assertEquals(JsonValue.from("docs"), a.metadata().orElseThrow()._additionalProperties().get("team"));
        assertTrue(Math.abs(a.createdAt() - System.currentTimeMillis() / 1000) <= 5);

        Assistant renamed = server.client.beta().assistants().update(a.id(), AssistantUpdateParams.builder()
                .name("Helper 2").build());
        assertEquals("Helper 2", renamed.name().orElseThrow());
        assertEquals("Be brief.", renamed.instructions().orElseThrow(), "an update changes only what it names");
        assertEquals("Helper 2", server.client.beta().assistants().retrieve(a.id()).name().orElseThrow());
        List<String> listed = new ArrayList<>();
        server.client.beta().assistants().list().autoPager().forEach(x -> listed.add(x.id()));
        assertTrue(listed.contains(a.id()));

        assertTrue(server.client.beta().assistants().delete(a.id()).deleted());
        NotFoundException e = assertThrows(NotFoundException.class,
                () -> server.client.beta().assistants().retrieve(a.id()));
        assertEquals(404, e.statusCode());
    }

    @Test
    void aPolledRunAnswersInTheThread() {
        Assistant a = assistant(AssistantCreateParams.builder().model("scripted").temperature(0.0));
        Thread t = server.client.beta().threads().create(ThreadCreateParams.builder()
                .addMessage(ThreadCreateParams.Message.builder().role(ThreadCreateParams.Message.Role.USER)
                        .content("Hello").build()).build());
        Run queued = server.client.beta().threads().runs().create(t.id(), RunCreateParams.builder()
                .assistantId(a.id()).build());
        assertEquals(t.id(), queued.threadId());
        assertEquals(a.id(), queued.assistantId());
        Run done = await(t.id(), queued.id(), RESTING);
        assertEquals(RunStatus.COMPLETED, done.status());
        assertEquals(2, done.usage().orElseThrow().completionTokens());
        assertTrue(done.completedAt().isPresent());

        List<Message> messages = server.client.beta().threads().messages().list(t.id()).data();
        assertEquals(2, messages.size());
        Message answer = messages.getFirst(); // newest first
        assertEquals(Message.Role.ASSISTANT, answer.role());
        assertEquals(TestModels.CHAT_COMPLETION, text(answer));
        assertEquals(queued.id(), answer.runId().orElseThrow());
        assertEquals(Message.Status.COMPLETED, answer.status());
        assertEquals("Hello", text(messages.get(1)));

        List<RunStep> steps = server.client.beta().threads().runs().steps().list(queued.id(),
                StepListParams.builder().threadId(t.id()).build()).data();
        assertEquals(1, steps.size());
        assertEquals(answer.id(), steps.getFirst().stepDetails().asMessageCreation().messageCreation().messageId());
        assertEquals(RunStep.Status.COMPLETED, steps.getFirst().status());

        // The thread goes on: a second turn renders the first as history.
        server.client.beta().threads().messages().create(t.id(), MessageCreateParams.builder()
                .role(MessageCreateParams.Role.USER).content("Again").build());
        Run second = server.client.beta().threads().runs().create(t.id(), RunCreateParams.builder()
                .assistantId(a.id()).build());
        assertEquals(RunStatus.COMPLETED, await(t.id(), second.id(), RESTING).status());
        List<Message> after = server.client.beta().threads().messages().list(t.id(), MessageListParams.builder()
                .order(MessageListParams.Order.ASC).build()).data();
        assertEquals(List.of("Hello", TestModels.CHAT_COMPLETION, "Again", TestModels.CHAT_COMPLETION),
                after.stream().map(AssistantsSdkTest::text).toList());
    }

    private static FunctionTool weatherTool() {
        return FunctionTool.builder().function(FunctionDefinition.builder().name("get_weather")
                .description("Weather in a city").parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city",
                                Map.of("type", "string", "maxLength", 8))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("city"))).build()).build()).build();
    }

    @Test
    void toolCallsWaitForTheirOutputsAndTheRunGoesOn() throws Exception {
        Assistant a = assistant(AssistantCreateParams.builder().model("scripted").temperature(0.0)
                .addTool(weatherTool()));
        Thread t = server.client.beta().threads().create(ThreadCreateParams.builder()
                .addMessage(ThreadCreateParams.Message.builder().role(ThreadCreateParams.Message.Role.USER)
                        .content("Weather in Oslo?").build()).build());
        Run run = server.client.beta().threads().runs().create(t.id(), RunCreateParams.builder().assistantId(a.id())
                .toolChoice(AssistantToolChoice.builder().type(AssistantToolChoice.Type.FUNCTION)
                        .function(AssistantToolChoiceFunction.builder().name("get_weather").build()).build())
                .parallelToolCalls(false).build());
        Run waiting = await(t.id(), run.id(), RESTING);
        assertEquals(RunStatus.REQUIRES_ACTION, waiting.status());
        List<RequiredActionFunctionToolCall> calls = waiting.requiredAction().orElseThrow().submitToolOutputs()
                .toolCalls();
        assertEquals(1, calls.size());
        RequiredActionFunctionToolCall call = calls.getFirst();
        assertTrue(call.id().startsWith("call_"), call.id());
        assertEquals("get_weather", call.function().name());
        JsonNode arguments = Http.JSON.readTree(call.function().arguments());
        assertTrue(arguments.get("city").isTextual(), arguments.toString());
        assertTrue(waiting.expiresAt().orElseThrow() > System.currentTimeMillis() / 1000 + 500,
                "waits ten minutes for the outputs");

        BadRequestException early = assertThrows(BadRequestException.class, () -> server.client.beta().threads()
                .messages().create(t.id(), MessageCreateParams.builder().role(MessageCreateParams.Role.USER)
                        .content("More?").build()));
        assertEquals("Can't add messages to " + t.id() + " while a run " + run.id() + " is active.",
                early.getMessage().replaceFirst("^400: ", ""));

        Run resumed = server.client.beta().threads().runs().submitToolOutputs(run.id(),
                RunSubmitToolOutputsParams.builder().threadId(t.id()).addToolOutput(
                        RunSubmitToolOutputsParams.ToolOutput.builder().toolCallId(call.id()).output("sunny, 21 C")
                                .build()).build());
        assertTrue(Set.of(RunStatus.QUEUED, RunStatus.IN_PROGRESS).contains(resumed.status()), resumed.status()
                .toString());
        Run done = await(t.id(), run.id(), RESTING);
        assertEquals(RunStatus.COMPLETED, done.status());
        Message answer = server.client.beta().threads().messages().list(t.id()).data().getFirst();
        assertEquals(TestModels.CHAT_COMPLETION, text(answer));

        List<RunStep> steps = server.client.beta().threads().runs().steps().list(run.id(), StepListParams.builder()
                .threadId(t.id()).order(StepListParams.Order.ASC).build()).data();
        assertEquals(2, steps.size());
        var toolCall = steps.getFirst().stepDetails().asToolCalls().toolCalls().getFirst().asFunction();
        assertEquals(call.id(), toolCall.id());
        assertEquals("sunny, 21 C", toolCall.function().output().orElseThrow());
        assertEquals(RunStep.Status.COMPLETED, steps.getFirst().status());
        assertEquals(answer.id(), steps.get(1).stepDetails().asMessageCreation().messageCreation().messageId());
        long total = steps.stream().mapToLong(s -> s.usage().orElseThrow().completionTokens()).sum();
        assertEquals(total, done.usage().orElseThrow().completionTokens());
    }

    @Test
    void aStreamedRunSendsOpenAisEventsInOrder() {
        Assistant a = assistant(AssistantCreateParams.builder().model("scripted").temperature(0.0));
        Thread t = server.client.beta().threads().create(ThreadCreateParams.builder()
                .addMessage(ThreadCreateParams.Message.builder().role(ThreadCreateParams.Message.Role.USER)
                        .content("Hello").build()).build());
        List<String> names = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        try (StreamResponse<AssistantStreamEvent> stream = server.client.beta().threads().runs().createStreaming(t.id(),
                RunCreateParams.builder().assistantId(a.id()).build())) {
            stream.stream().forEach(e -> {
                names.add(eventName(e));
                e.threadMessageDelta().ifPresent(d -> d.data().delta().content().orElseThrow().forEach(
                        part -> text.append(part.asText().text().orElseThrow().value().orElse(""))));
            });
        }
        List<String> expected = new ArrayList<>(List.of("thread.run.created", "thread.run.queued",
                "thread.run.in_progress", "thread.run.step.created", "thread.run.step.in_progress",
                "thread.message.created", "thread.message.in_progress"));
        expected.addAll(java.util.Collections.nCopies(names.size() - 10, "thread.message.delta"));
        expected.addAll(List.of("thread.message.completed", "thread.run.step.completed", "thread.run.completed"));
        assertEquals(expected, names);
        assertEquals(TestModels.CHAT_COMPLETION, text.toString());
    }

    private static String eventName(AssistantStreamEvent e) {
        if (e.isThreadRunCreated()) return "thread.run.created";
        if (e.isThreadRunQueued()) return "thread.run.queued";
        if (e.isThreadRunInProgress()) return "thread.run.in_progress";
        if (e.isThreadRunCompleted()) return "thread.run.completed";
        if (e.isThreadRunRequiresAction()) return "thread.run.requires_action";
        if (e.isThreadRunFailed()) return "thread.run.failed";
        if (e.isThreadRunStepCreated()) return "thread.run.step.created";
        if (e.isThreadRunStepInProgress()) return "thread.run.step.in_progress";
        if (e.isThreadRunStepDelta()) return "thread.run.step.delta";
        if (e.isThreadRunStepCompleted()) return "thread.run.step.completed";
        if (e.isThreadMessageCreated()) return "thread.message.created";
        if (e.isThreadMessageInProgress()) return "thread.message.in_progress";
        if (e.isThreadMessageDelta()) return "thread.message.delta";
        if (e.isThreadMessageCompleted()) return "thread.message.completed";
        return e.toString();
    }

    @Test
    void unknownIdsAreOpenAis404s() {
        NotFoundException e = assertThrows(NotFoundException.class,
                () -> server.client.beta().threads().retrieve("thread_missing"));
        assertEquals("No thread found with id 'thread_missing'.", e.getMessage().replaceFirst("^404: ", ""));
    }
}
