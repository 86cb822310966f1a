package dev.puna.http.internal.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.runtime.FinishReason;
import dev.puna.runtime.GenerationResult;
import dev.puna.runtime.Timings;
import dev.puna.runtime.TokenLogprob;
import dev.puna.runtime.tools.ToolCallFormat;
import dev.puna.runtime.tools.ToolCallParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * Chat choices when the model may call tools: text fed piece by piece comes out as content deltas and
 * {@code delta.tool_calls} fragments, the whole reply as {@code message.tool_calls}, and the finish reason is
 * {@code tool_calls} unless the output was cut off.
 */
class ChatChoicesTest {
    private static final String REPLY = "Let me check.<tool_call>\n{\"name\": \"get_weather\", \"arguments\": "
            + "{\"city\": \"Oslo\"}}\n</tool_call>";

    private static ChoiceState state(boolean logprobs) {
        ToolCallParser parser = ToolCallParser.builder(ToolCallFormat.HERMES).toolNames(List.of("get_weather"))
                .random(RandomGenerator.of("L64X128MixRandom")).build();
        return new ChoiceState(0, 0, "", logprobs, parser);
    }

    /** Feeds {@code REPLY} in 5-character pieces, as GenerationRun does, and returns every chunk choice. */
    private static List<ObjectNode> stream(ChoiceState state, FinishReason reason) {
        List<ObjectNode> out = new ArrayList<>();
        for (int i = 0; i < REPLY.length(); i += 5) {
            String piece = REPLY.substring(i, Math.min(REPLY.length(), i + 5));
            out.addAll(ChatChoices.INSTANCE.delta(state, piece, List.of(lp(piece))));
            state.text.append(piece);
        }
        out.addAll(ChatChoices.INSTANCE.flush(state));
        state.result = new GenerationResult(REPLY, new int[0], reason, 1, 0, 1, new Timings(0, 0, 0, 1, 1));
        return out;
    }

    private static TokenLogprob lp(String text) {
        return new TokenLogprob(1, text, text.getBytes(StandardCharsets.UTF_8), -0.5, List.of());
    }

    @Test
    void contentThenACallAsDeltas() {
        ChoiceState state = state(false);
        List<ObjectNode> chunks = stream(state, FinishReason.EOS);
        StringBuilder content = new StringBuilder();
        StringBuilder arguments = new StringBuilder();
        List<String> names = new ArrayList<>();
        for (ObjectNode c : chunks) {
            JsonNode delta = c.get("delta");
            if (delta.has("content")) {
                content.append(delta.get("content").asText());
            } else {
                JsonNode call = delta.get("tool_calls").get(0);
                assertEquals(0, call.get("index").asInt());
                if (call.has("id")) {
                    names.add(call.get("function").get("name").asText());
                }
                arguments.append(call.get("function").get("arguments").asText());
            }
        }
        assertEquals("Let me check.", content.toString());
        assertEquals(List.of("get_weather"), names);
        assertEquals("{\"city\": \"Oslo\"}", arguments.toString());
        assertEquals("tool_calls", ChatChoices.INSTANCE.finishReason(state));
    }

    @Test
    void theWholeReplyCarriesParsedCalls() throws Exception {
        ChoiceState state = state(false);
        stream(state, FinishReason.EOS);
        JsonNode message = ChatChoices.INSTANCE.whole(state, ChatChoices.INSTANCE.finishReason(state)).get("message");
        assertEquals("Let me check.", message.get("content").asText());
        JsonNode call = message.get("tool_calls").get(0);
        assertEquals("function", call.get("type").asText());
        assertEquals("get_weather", call.get("function").get("name").asText());
        assertEquals("{\"city\": \"Oslo\"}", call.get("function").get("arguments").asText());
    }

    @Test
    void aCutOffReplyEndsWithLength() {
        ChoiceState state = state(false);
        stream(state, FinishReason.LENGTH);
        assertEquals("length", ChatChoices.INSTANCE.finishReason(state));
    }

    @Test
    void heldBackLogprobsGoWithTheNextChunk() {
        ChoiceState state = state(true);
        List<ObjectNode> chunks = new ArrayList<>(stream(state, FinishReason.EOS));
        chunks.add(ChatChoices.INSTANCE.finish(state, ChatChoices.INSTANCE.finishReason(state)));
        int entries = 0;
        for (ObjectNode c : chunks) {
            if (!c.get("logprobs").isNull()) {
                entries += c.get("logprobs").get("content").size();
            }
        }
        assertEquals((REPLY.length() + 4) / 5, entries, "every piece's log-probability is sent exactly once");
        assertTrue(state.carried.isEmpty());
    }
}
