package dev.puna.http.internal.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.puna.http.internal.output.ThinkingSplitter.Piece;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reasoning split from the answer as Ollama's thinking parser splits it, streamed in any chunking. */
class ThinkingSplitterTest {
    private static List<Piece> stream(ThinkingSplitter s, String... chunks) {
        List<Piece> out = new ArrayList<>();
        for (String c : chunks) {
            out.addAll(s.push(c));
        }
        out.addAll(s.finish());
        return out;
    }

    private static ThinkingSplitter think() {
        return new ThinkingSplitter("<think>", "</think>", false);
    }

    @Test
    void tagsSplitAcrossChunksAndWhiteSpaceAroundTheBlockIsDropped() {
        assertEquals(List.of(new Piece(true, "a"), new Piece(true, " b"), new Piece(false, "Answer"),
                new Piece(false, " here")),
                stream(think(), "\n <th", "ink>\n", "a", " b\n</th", "ink>", "\n\n", "Answer", " here"));
    }

    @Test
    void outputThatDoesNotOpenABlockIsAllAnswer() {
        assertEquals(List.of(new Piece(false, "  Hel"), new Piece(false, "lo <think>x</think>")),
                stream(think(), "  Hel", "lo <think>x</think>"));
        assertEquals(new ThinkingSplitter.Split("", "<thin"), think().split("<thin"));
    }

    @Test
    void anUnclosedBlockIsReasoningAndAPromptThatOpenedItStartsInside() {
        assertEquals(new ThinkingSplitter.Split("still thinking", ""), think().split("<think>still thinking \n"));
        assertEquals(new ThinkingSplitter.Split("a < b", "yes"),
                new ThinkingSplitter("<think>", "</think>", true).split(" a < b</think> yes"));
    }

    @Test
    void aPartialClosingTagIsHeldBackUntilItIsCertain() {
        ThinkingSplitter s = new ThinkingSplitter("<think>", "</think>", true);
        assertEquals(List.of(new Piece(true, "x")), s.push("x </"));
        assertEquals(List.of(new Piece(true, " </b")), s.push("b"));
        assertEquals(List.of(), s.push("</think>"));
        assertEquals(List.of(new Piece(false, "ok")), s.push("ok"));
    }
}
