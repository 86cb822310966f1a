package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.state.DatabaseUrl.Backend;
import dev.puna.testkit.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The official OpenAI JavaScript client ({@code openai} on npm, pinned in {@code src/test/js/package.json} and its
 * lockfile) and its helpers against the stateful APIs of the real server: {@code createAndPoll} (which must follow
 * {@code openai-poll-after-ms}), the {@code AssistantStream} helper (which throws on any event out of its rules: one
 * open message and step at a time, ids, delta merging, a final run), the tool loop polled and streamed,
 * {@code submitToolOutputsAndPoll}, the cursor pager one item at a time, typed errors, and for Responses a chain, the
 * {@code ResponseStream} helper's checks and a conversation. Needs Node.js and {@code npm ci} in {@code src/test/js},
 * which {@code ./run-tests} runs; without them the test fails, saying so.
 */
@Timeout(180)
class OpenAiJsClientTest {
    private static final Path SCRIPTS = Path.of("src/test/js").toAbsolutePath();

    @Test
    void theNodeClientsHelpersDriveAssistantsAndResponses() throws Exception {
        if (!Files.isRegularFile(SCRIPTS.resolve("node_modules/openai/package.json"))) {
            fail("the OpenAI JavaScript client is not installed in " + SCRIPTS + ": run 'npm ci --prefix " + SCRIPTS
                    + "' (./run-tests does this)");
        }
        try (StatefulServer server = new StatefulServer(Backend.SQLITE, "openai_js")) {
            Process p = new ProcessBuilder(OllamaJsClientTest.node(), SCRIPTS.resolve("openai-stateful.mjs").toString(),
                    server.url()).directory(SCRIPTS.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "node did not finish");
            assertEquals(0, p.exitValue(), "node failed: " + stdout);
            JsonNode out = Http.JSON.readTree(stdout.lines().reduce((a, b) -> b).orElseThrow());

            assertEquals("completed", out.get("polled").get("status").asText());
            assertEquals(2, out.get("polled").get("usage").get("completion_tokens").asInt());
            assertTrue(out.get("polled").get("millis").asLong() < 4000,
                    "the poller waited " + out.get("polled").get("millis") + " ms: it ignored openai-poll-after-ms");
            assertEquals(List.of("Hello", TestModels.CHAT_COMPLETION), strings(out.get("polledMessages")));

            JsonNode streamed = out.get("streamed");
            List<String> events = strings(streamed.get("events"));
            List<String> expected = new ArrayList<>(List.of("thread.run.created", "thread.run.queued",
                    "thread.run.in_progress", "thread.run.step.created", "thread.run.step.in_progress",
                    "thread.message.created", "thread.message.in_progress"));
            expected.addAll(Collections.nCopies(events.size() - 10, "thread.message.delta"));
            expected.addAll(List.of("thread.message.completed", "thread.run.step.completed", "thread.run.completed"));
            assertEquals(expected, events);
            assertEquals(TestModels.CHAT_COMPLETION, streamed.get("text").asText());
            assertEquals("completed", streamed.get("status").asText());
            assertEquals(List.of(TestModels.CHAT_COMPLETION), strings(streamed.get("messages")));

            assertEquals("requires_action", out.get("waitingStatus").asText());
            assertEquals(1, out.get("toolCalls").size());
            assertEquals("get_weather", out.get("toolCalls").get(0).get("name").asText());
            assertTrue(out.get("toolCalls").get(0).get("arguments").get("city").isTextual());
            assertEquals("completed", out.get("answered").get("status").asText());
            assertEquals(TestModels.CHAT_COMPLETION, out.get("toolAnswer").asText());

            JsonNode st = out.get("streamedTool");
            assertEquals("requires_action", st.get("status").asText());
            assertEquals(1, st.get("calls").size(), "the deltas merged into one call: " + st);
            assertEquals(st.get("required").get(0).get("id").asText(), st.get("calls").get(0).get("id").asText(),
                    "the merged id is the call's id, not repeated");
            assertEquals("get_weather", st.get("calls").get(0).get("name").asText());
            assertEquals(st.get("required").get(0).get("arguments").asText(),
                    st.get("calls").get(0).get("arguments").asText());
            assertEquals("completed", out.get("streamedToolEnd").asText());

            assertEquals(List.of(TestModels.CHAT_COMPLETION, "Again", TestModels.CHAT_COMPLETION, "Hello"),
                    strings(out.get("paged")));
            assertEquals(404, out.get("notFound").get("status").asInt());
            assertEquals("NotFoundError", out.get("notFound").get("type").asText());

            JsonNode responses = out.get("responses");
            assertEquals(TestModels.CHAT_COMPLETION, responses.get("first").asText());
            assertEquals(TestModels.CHAT_COMPLETION, responses.get("second").asText());
            assertTrue(responses.get("cached").asInt() >= responses.get("firstInput").asInt(), responses.toString());
            JsonNode rs = out.get("responseStream");
            assertEquals(TestModels.CHAT_COMPLETION, rs.get("text").asText());
            assertEquals("completed", rs.get("status").asText());
            assertEquals("response.created", rs.get("types").get(0).asText());
            assertEquals("response.completed", rs.get("types").get(rs.get("types").size() - 1).asText());
            assertEquals(List.of("user:Hi", "user:Hello", "assistant:" + TestModels.CHAT_COMPLETION),
                    strings(out.get("conversation")));
            assertEquals(400, out.get("previousMissing").get("status").asInt());
            assertEquals("previous_response_not_found", out.get("previousMissing").get("code").asText());
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }
}
