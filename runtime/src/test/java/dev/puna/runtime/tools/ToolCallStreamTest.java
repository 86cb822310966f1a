package dev.puna.runtime.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.runtime.tools.ToolCallEvent.ArgumentsDelta;
import dev.puna.runtime.tools.ToolCallEvent.CallEnded;
import dev.puna.runtime.tools.ToolCallEvent.CallStarted;
import dev.puna.runtime.tools.ToolCallEvent.Content;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Streaming tool-call parsing: what each piece releases, and agreement with whole-output parsing for any split. */
class ToolCallStreamTest {
    private static final List<String> TOOLS = List.of("get_weather", "add");

    private static ToolCallParser parser(ToolCallFormat format) {
        return ToolCallParser.builder(format).toolNames(TOOLS).random(new Random(3)).build();
    }

    @Test
    void hermesEventsComeAsSoonAsTheyAreCertain() {
        ToolCallStream stream = parser(ToolCallFormat.HERMES).stream();
        String id = parser(ToolCallFormat.HERMES).parse("<tool_call>{\"name\": \"x\"}</tool_call>").toolCalls().get(0).id();
        List<List<ToolCallEvent>> got = new ArrayList<>();
        for (String piece : List.of("I'll", " check", ".\n", "<tool", "_call", ">\n", "{\"", "name", "\":", " \"",
                "get", "_weather", "\",", " \"", "arguments", "\":", " {\"", "city", "\":", " \"", "Par", "is", "\"}}",
                "\n</", "tool_call", ">")) {
            got.add(stream.push(piece));
        }
        got.add(stream.finish());
        String args = "{\"city\": \"Paris\"}";
        assertEquals(List.of(
                List.of(new Content("I'll")), List.of(new Content(" check")), List.of(new Content(".\n")),
                List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(new CallStarted(0, id, "get_weather")),
                List.of(), List.of(), List.of(),
                List.of(new ArgumentsDelta(0, "{\"")), List.of(new ArgumentsDelta(0, "city")),
                List.of(new ArgumentsDelta(0, "\":")), List.of(new ArgumentsDelta(0, " \"")),
                List.of(new ArgumentsDelta(0, "Par")), List.of(new ArgumentsDelta(0, "is")),
                List.of(new ArgumentsDelta(0, "\"}"), new CallEnded(new ParsedToolCall(0, id, "get_weather", args, true))),
                List.of(), List.of(), List.of(), List.of()), got);
    }

    @Test
    void aPossibleMarkerIsHeldOnlyWhileItCanStillBeOne() {
        ToolCallStream stream = parser(ToolCallFormat.HERMES).stream();
        assertEquals(List.of(new Content("a ")), stream.push("a <tool"));
        assertEquals(List.of(new Content("<toolbox> b")), stream.push("box> b"));
        assertEquals(List.of(), stream.push("<"));
        assertEquals(List.of(new Content("<")), stream.finish());
    }

    @Test
    void aBareJsonAnswerIsReleasedAsSoonAsAKeyShowsItIsNoCall() {
        ToolCallStream stream = parser(ToolCallFormat.LLAMA3).stream();
        assertEquals(List.of(), stream.push(" {\"ans"));
        assertEquals(List.of(new Content(" {\"answer\"")), stream.push("wer\""));
        assertEquals(List.of(new Content(": 42}")), stream.push(": 42}"));
        assertEquals(List.of(), stream.finish());
    }

    @Test
    void aBareCallStartsWhenItsNameIsComplete() {
        ToolCallStream stream = parser(ToolCallFormat.LLAMA3).stream();
        assertEquals(List.of(), stream.push("{\"name\": \"add"));
        List<ToolCallEvent> started = stream.push("\", \"parameters\": {\"a\"");
        assertEquals(2, started.size());
        assertEquals("add", ((CallStarted) started.get(0)).name());
        assertEquals(new ArgumentsDelta(0, "{\"a\""), started.get(1));
        List<ToolCallEvent> end = stream.push(": 1}}");
        assertEquals(new ArgumentsDelta(0, ": 1}"), end.get(0));
        assertEquals("{\"a\": 1}", ((CallEnded) end.get(1)).call().arguments());
        assertEquals(List.of(), stream.finish());
    }

    @Test
    void whitespaceBetweenCallsIsDropped() {
        ToolCallStream stream = parser(ToolCallFormat.HERMES).stream();
        List<ToolCallEvent> events = new ArrayList<>(stream.push(
                "<tool_call>{\"name\": \"add\"}</tool_call>\n\n<tool_call>{\"name\": \"add\"}</tool_call>\n"));
        events.addAll(stream.finish());
        assertTrue(events.stream().noneMatch(e -> e instanceof Content), events::toString);
        assertEquals(2, events.stream().filter(e -> e instanceof CallEnded).count());
    }

    @Test
    void pushAfterFinishIsAnError() {
        ToolCallStream stream = parser(ToolCallFormat.GENERIC).stream();
        stream.finish();
        assertEquals(List.of(), stream.finish());
        assertThrows(IllegalStateException.class, () -> stream.push("x"));
    }

    static Stream<Arguments> outputs() {
        return Stream.of(
                Arguments.of(ToolCallFormat.HERMES, "Let me check.\n<tool_call>\n{\"name\": \"get_weather\", "
                        + "\"arguments\": {\"city\": \"Paris\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"add\", "
                        + "\"arguments\": {\"a\": 1, \"b\": [2, {\"c\": \"}\"}]}}\n</tool_call>"),
                Arguments.of(ToolCallFormat.HERMES, "<tool_call>\n{\"name\": \"add\", \"arguments\": \"{\\\"a\\\": 1}\"}"),
                Arguments.of(ToolCallFormat.HERMES, "<tool_call>\n{\"name\": \"add\", \"arguments\": {\"a\": 1, \"b\""),
                Arguments.of(ToolCallFormat.HERMES, "Text with <tool_call> inside and <tool_call>{bad json</tool_call>"),
                Arguments.of(ToolCallFormat.LLAMA3, "<|python_tag|>{\"name\": \"add\", \"parameters\": {\"a\": 1}}; "
                        + "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Rome\"}}"),
                Arguments.of(ToolCallFormat.LLAMA3, "{\"name\": \"Bob\", \"age\": 3}"),
                Arguments.of(ToolCallFormat.LLAMA3, "  {\"name\": \"add\", \"parameters\": {}}\nDone."),
                Arguments.of(ToolCallFormat.MISTRAL, "[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": "
                        + "{\"city\": \"Paris\"}, \"id\": \"abc123def\"}, {\"name\": \"add\", \"arguments\": {\"a\": 1}}]"),
                Arguments.of(ToolCallFormat.MISTRAL, "[TOOL_CALLS]get_weather[ARGS]{\"city\": \"Paris\"}"
                        + "[TOOL_CALLS]add[CALL_ID]a1b2c3d4e[ARGS]{\"a\": 2}"),
                Arguments.of(ToolCallFormat.MISTRAL, "[TOOL_ROUTES] are [not] calls"),
                Arguments.of(ToolCallFormat.GENERIC, "[{\"name\": \"add\", \"arguments\": {\"a\": 1}}, "
                        + "{\"type\": \"function\", \"function\": {\"name\": \"add\", \"arguments\": {\"a\": 2}}}]"),
                Arguments.of(ToolCallFormat.GENERIC, "Plain words: no calls at all. 😀"));
    }

    @ParameterizedTest
    @MethodSource("outputs")
    void anySplitGivesTheSameResultAsWholeParsing(ToolCallFormat format, String output) {
        ParsedOutput whole = parser(format).parse(output);
        Random random = new Random(output.hashCode());
        for (int round = 0; round < 40; round++) {
            ToolCallStream stream = parser(format).stream();
            List<ToolCallEvent> events = new ArrayList<>();
            int i = 0;
            while (i < output.length()) {
                int n = round == 0 ? 1 : 1 + random.nextInt(8);
                int end = Math.min(output.length(), i + n);
                if (Character.isHighSurrogate(output.charAt(end - 1)) && end < output.length()) {
                    end++;
                }
                events.addAll(stream.push(output.substring(i, end)));
                i = end;
            }
            events.addAll(stream.finish());
            assertEquals(whole, aggregate(events), "split round " + round);
        }
    }

    /** Rebuilds the whole-output result from events, checking their order per call. */
    private static ParsedOutput aggregate(List<ToolCallEvent> events) {
        StringBuilder content = new StringBuilder();
        List<ParsedToolCall> calls = new ArrayList<>();
        StringBuilder args = null;
        int open = -1;
        for (ToolCallEvent e : events) {
            switch (e) {
                case Content c -> {
                    assertEquals(-1, open, "content inside a call");
                    content.append(c.text());
                }
                case CallStarted s -> {
                    assertEquals(-1, open, "a call started inside another");
                    assertEquals(calls.size(), s.index());
                    open = s.index();
                    args = new StringBuilder();
                }
                case ArgumentsDelta d -> {
                    assertEquals(open, d.index());
                    args.append(d.text());
                }
                case CallEnded end -> {
                    assertEquals(open, end.call().index());
                    assertEquals(args.toString(), end.call().arguments());
                    calls.add(end.call());
                    open = -1;
                }
            }
        }
        assertEquals(-1, open, "a call was left open");
        return new ParsedOutput(content.toString(), calls);
    }
}
