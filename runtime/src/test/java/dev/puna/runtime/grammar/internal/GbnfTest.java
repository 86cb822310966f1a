package dev.puna.runtime.grammar.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** GBNF text helpers: escaping as llama.cpp's parser reads it, and repetitions within its limits. */
class GbnfTest {
    @Test
    void literalsEscapeQuotesBackslashesControlAndNonAsciiCharacters() {
        assertEquals("\"a\\\"b\\\\c\\n\\t\\r\\x01\\x7F\\u00E9\\U0001F600\"",
                Gbnf.literal("a\"b\\c\n\t\r\u0001\u007Fé😀"));
        assertEquals("\"\"", Gbnf.literal(""));
    }

    @Test
    void classesEscapeTheirMetacharacters() {
        assertEquals("[^\\x5E\\]\\-\\[\\\"\\\\a-z]",
                Gbnf.charClass(true, new int[] {'^', '^'}, new int[] {']', ']'}, new int[] {'-', '-'},
                        new int[] {'[', '['}, new int[] {'"', '"'}, new int[] {'\\', '\\'}, new int[] {'a', 'z'}));
        assertEquals("[abc]", Gbnf.chars(false, "abc"));
    }

    @Test
    void atomsAreSingleSymbols() {
        assertTrue(Gbnf.isAtom("json-value"));
        assertTrue(Gbnf.isAtom("\"a b\""));
        assertTrue(Gbnf.isAtom("\"a\\\"\""));
        assertTrue(Gbnf.isAtom("[^\\]a]"));
        assertTrue(Gbnf.isAtom("( \")\" | [)] )"));
        assertFalse(Gbnf.isAtom("a b"));
        assertFalse(Gbnf.isAtom("( a ) ( b )"));
        assertFalse(Gbnf.isAtom("[0-9]{4}"));
        assertEquals("( a | b )", Gbnf.alt(List.of("a", "b")));
        assertEquals("( a b )", Gbnf.alt(List.of("a b")));
        assertEquals("( a | \"\" )", Gbnf.alt(List.of("a", "")));
    }

    @Test
    void smallRepetitionsUseBraces() {
        GrammarBuilder g = new GrammarBuilder();
        assertEquals("x{2,5}", Gbnf.repeat(g, "x", 2, 5));
        assertEquals("x{3}", Gbnf.repeat(g, "x", 3, 3));
        assertEquals("x", Gbnf.repeat(g, "x", 1, 1));
        assertEquals("x{2} x*", Gbnf.repeat(g, "x", 2, -1));
        assertEquals("x*", Gbnf.repeat(g, "x", 0, -1));
        assertEquals("\"\"", Gbnf.repeat(g, "x", 0, 0));
    }

    @Test
    void largeRepetitionsAreBuiltFromBlocksNeverAboveTheParserLimit() {
        GrammarBuilder g = new GrammarBuilder();
        assertEquals("x-x1000{2} x{500}", Gbnf.repeat(g, "x", 2500, 2500));
        assertEquals("x{1000} x-upto1300", Gbnf.repeat(g, "x", 1000, 2300));
        g.root("x{1000} x-upto1300");
        assertEquals("""
                root ::= x{1000} x-upto1300
                x-x1000 ::= x{1000}
                x-upto999 ::= x{0,999}
                x-upto300 ::= x{0,300}
                x-upto1300 ::= x-upto999 | x-x1000 x-upto300
                """, g.build());
        assertThrows(IllegalArgumentException.class, () -> Gbnf.repeat(g, "x", 0, Gbnf.MAX_COUNT + 1));
    }
}
