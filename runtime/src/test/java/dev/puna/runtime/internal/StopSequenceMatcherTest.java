package dev.puna.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.puna.runtime.InvalidParameterException;
import dev.puna.runtime.internal.StopSequenceMatcher.Result;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StopSequenceMatcherTest {

    private static Result emit(String text) {
        return new Result(text, false);
    }

    private static Result stop(String text) {
        return new Result(text, true);
    }

    @Test
    void noStopsMeansNoHoldBack() {
        StopSequenceMatcher m = new StopSequenceMatcher(List.of());
        assertEquals(emit("Hello"), m.push("Hello"));
        assertEquals(emit(" wor"), m.push(" wor"));
        assertEquals(emit(""), m.push(""));
        assertEquals("", m.flush());
        assertEquals(Optional.empty(), m.matchedStop());
    }

    @Test
    void stopInsideOnePieceTruncatesAndDiscardsTheRest() {
        StopSequenceMatcher m = new StopSequenceMatcher(List.of("END"));
        assertEquals(stop("abc"), m.push("abcENDxyz"));
        assertEquals(Optional.of("END"), m.matchedStop());
        assertEquals("", m.flush());
    }

    @Test
    void stopAtTheVeryStart() {
        StopSequenceMatcher m = new StopSequenceMatcher(List.of("</s>"));
        assertEquals(stop(""), m.push("</s>"));
        assertEquals(Optional.of("</s>"), m.matchedStop());
    }

    @Test
    void stopSpanningSeveralPiecesNeverLeaks() {
        StopSequenceMatcher m = new StopSequenceMatcher(List.of("<|end|>"));
        assertEquals(emit("Hi"), m.push("Hi<"));
        assertEquals(emit(""), m.push("|e"));
        assertEquals(emit(""), m.push("nd"));
        assertEquals(stop(""), m.push("|>more"));
        assertEquals(Optional.of("<|end|>"), m.matchedStop());
        assertEquals("", m.flush());
    }

    @Test
    void falseStartIsReleasedOnceItCannotMatch() {
        StopSequenceMatcher m = new StopSequenceMatcher(List.of("<|end|>"));
        assertEquals(emit("a"), m.push("a<|e"));
        assertEquals(emit("<|ex"), m.push("x"));
        assertEquals(emit("t"), m.push("t"));
        assertEquals(Optional.empty(), m.matchedStop());
    }

    @Test
    void heldTextCanRestartAStopString() {
        // "aab": the first 'a' is released when the second one arrives, the second is the start of "ab".
        StopSequenceMatcher m = new StopSequenceMatcher(List.of("ab"));
        assertEquals(emit(""), m.push("a"));
        assertEquals(emit("a"), m.push("a"));
        assertEquals(stop(""), m.push("b"));
    }

    @Test
    void overlappingPrefixesShortestCompleteStopWins() {
        // Stops "ab" and "abc", text "xaab": "ab" completes first, so the output is "xa".
        StopSequenceMatcher whole = new StopSequenceMatcher(List.of("ab", "abc"));
        assertEquals(stop("xa"), whole.push("xaab"));
        assertEquals(Optional.of("ab"), whole.matchedStop());

        StopSequenceMatcher pieces = new StopSequenceMatcher(List.of("abc", "ab"));
        assertEquals(emit("x"), pieces.push("xa"));
        assertEquals(emit("a"), pieces.push("a"));
        assertEquals(stop(""), pieces.push("b"));
        assertEquals(Optional.of("ab"), pieces.matchedStop());
    }

    @Test
    void earliestEndingStopWinsEvenIfAnotherStartsEarlier() {
        // "bcd" ends at 4, "abcdef" would end at 6: a token-by-token reader sees "bcd" first.
        StopSequenceMatcher m = new StopSequenceMatcher(List.of("abcdef", "bcd"));
        assertEquals(stop("a"), m.push("abcdef"));
        assertEquals(Optional.of("bcd"), m.matchedStop());
    }

    @Test
    void amongStopsEndingTogetherTheLongestWins() {
        StopSequenceMatcher m = new StopSequenceMatcher(List.of("c", "bc"));
        assertEquals(stop("a"), m.push("abc"));
        assertEquals(Optional.of("bc"), m.matchedStop());
    }

    @Test
    void holdsBackOnlyTheLongestSuffixThatCouldStartAStop() {
        StopSequenceMatcher m = new StopSequenceMatcher(List.of("\n\nUser:", "###"));
        assertEquals(emit("The answer is 42."), m.push("The answer is 42.\n\nUs"));
        assertEquals(emit("\n\nUsage"), m.push("age"));
        assertEquals(emit("done"), m.push("done##"));
        assertEquals("##", m.flush());
        assertEquals(Optional.empty(), m.matchedStop());
    }

    @Test
    void flushReturnsHeldTextOnce() {
        StopSequenceMatcher m = new StopSequenceMatcher(List.of("STOP"));
        assertEquals(emit("go "), m.push("go ST"));
        assertEquals("ST", m.flush());
        assertEquals("", m.flush());
    }

    @Test
    void pushAfterStopIsAnError() {
        StopSequenceMatcher m = new StopSequenceMatcher(List.of("x"));
        assertEquals(stop(""), m.push("x"));
        assertThrows(IllegalStateException.class, () -> m.push("more"));
    }

    @Test
    void emptyOrNullStopIsRejected() {
        InvalidParameterException empty =
                assertThrows(InvalidParameterException.class, () -> new StopSequenceMatcher(List.of("ok", "")));
        assertEquals("stop", empty.parameter());
        InvalidParameterException nul =
                assertThrows(InvalidParameterException.class, () -> new StopSequenceMatcher(Arrays.asList("a", null)));
        assertEquals("stop", nul.parameter());
        assertThrows(NullPointerException.class, () -> new StopSequenceMatcher(null));
    }

    @Test
    void duplicateStopsAreHarmless() {
        StopSequenceMatcher m = new StopSequenceMatcher(List.of("ab", "ab"));
        assertEquals(stop("x"), m.push("xab"));
        assertEquals(Optional.of("ab"), m.matchedStop());
    }

    @Test
    void supplementaryCharactersInStops() {
        StopSequenceMatcher m = new StopSequenceMatcher(List.of("😀!"));
        assertEquals(emit("hi "), m.push("hi 😀"));
        assertEquals(stop(""), m.push("!"));
    }

    @Test
    void longGenerationKeepsHoldBackBounded() {
        StopSequenceMatcher m = new StopSequenceMatcher(List.of("aaaa"));
        StringBuilder out = new StringBuilder();
        // Three 'a's and a 'b', over and over: the longest run never reaches the stop.
        for (int i = 0; i < 100_000; i++) {
            Result r = m.push(i % 4 == 3 ? "b" : "a");
            out.append(r.text());
            // At most max(stop length) - 1 = 3 characters are ever pending.
            assertEquals(true, (i + 1) - out.length() <= 3);
        }
        out.append(m.flush());
        assertEquals(100_000, out.length());
    }

    /** The reference semantics: cut at the first stop to end, longest among those ending there. */
    private static String expectedOutput(String text, List<String> stops) {
        for (int end = 1; end <= text.length(); end++) {
            int bestStart = -1;
            for (String stop : stops) {
                int start = end - stop.length();
                if (start >= 0 && text.startsWith(stop, start) && (bestStart < 0 || start < bestStart)) {
                    bestStart = start;
                }
            }
            if (bestStart >= 0) {
                return text.substring(0, bestStart);
            }
        }
        return text;
    }

    @Test
    void randomSplitsProduceTheTextTruncatedAtTheFirstStop() {
        Random random = new Random(42);
        String alphabet = "abc<|>";
        for (int round = 0; round < 5000; round++) {
            List<String> stops = new ArrayList<>();
            int stopCount = random.nextInt(4);
            for (int s = 0; s < stopCount; s++) {
                stops.add(randomString(random, alphabet, 1 + random.nextInt(4)));
            }
            String text = randomString(random, alphabet, random.nextInt(40));
            String expected = expectedOutput(text, stops);
            boolean expectStop = stopsOccur(text, stops);

            StopSequenceMatcher m = new StopSequenceMatcher(stops);
            StringBuilder out = new StringBuilder();
            boolean stopped = false;
            int pos = 0;
            while (pos < text.length() && !stopped) {
                int len = 1 + random.nextInt(Math.min(6, text.length() - pos));
                Result r = m.push(text.substring(pos, pos + len));
                out.append(r.text());
                // Nothing emitted so far may go beyond the final output: no stop string ever leaks.
                String context = "stops " + stops + " text " + text;
                assertEquals(true, expected.startsWith(out.toString()), context);
                stopped = r.stopped();
                pos += len;
            }
            if (!stopped) {
                out.append(m.flush());
            }
            String context = "stops " + stops + " text " + text;
            assertEquals(expected, out.toString(), context);
            assertEquals(expectStop, stopped, context);
            assertEquals(stopped, m.matchedStop().isPresent(), context);
        }
    }

    private static boolean stopsOccur(String text, List<String> stops) {
        return stops.stream().anyMatch(text::contains);
    }

    private static String randomString(Random random, String alphabet, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
