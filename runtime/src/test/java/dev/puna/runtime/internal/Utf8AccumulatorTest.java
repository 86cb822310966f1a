package dev.puna.runtime.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Utf8AccumulatorTest {

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Feeds each byte as its own piece and returns the concatenated output, flush included. */
    private static String feedByteByByte(byte[] input) {
        Utf8Accumulator acc = new Utf8Accumulator();
        StringBuilder out = new StringBuilder();
        for (byte b : input) {
            out.append(acc.append(new byte[] {b}));
        }
        return out.append(acc.flush()).toString();
    }

    /**
     * What the JDK's decoder makes of the whole input at once: the reference for the maximal-subpart rule. The JDK
     * deviates from Unicode only for encoded surrogates (it replaces {@code ED A0} as one unit, Unicode says two),
     * so the random inputs below avoid 0xED; {@link #overlongSurrogateAndOutOfRangeFormsAreInvalid} covers it.
     */
    private static String jdkDecode(byte[] input) throws Exception {
        CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE)
                .decode(ByteBuffer.wrap(input));
        return chars.toString();
    }

    @Test
    void asciiPassesStraightThrough() {
        Utf8Accumulator acc = new Utf8Accumulator();
        assertEquals("Hello", acc.append(utf8("Hello")));
        assertEquals(", world!\n", acc.append(utf8(", world!\n")));
        assertEquals("", acc.append(new byte[0]));
        assertEquals(0, acc.pendingBytes());
        assertEquals("", acc.flush());
    }

    @ParameterizedTest
    @ValueSource(strings = {"é", "ß", "€", "中", "한", "😀", "𝄞", "\u0080", "\u07FF", "\u0800", "\uFFFF", "\uDBFF\uDFFF"})
    void everyMultiByteCharacterSplitAtEveryPositionDecodesExactly(String character) {
        byte[] encoded = utf8("a" + character + "b");
        for (int split = 0; split <= encoded.length; split++) {
            Utf8Accumulator acc = new Utf8Accumulator();
            String first = acc.append(Arrays.copyOfRange(encoded, 0, split));
            String second = acc.append(Arrays.copyOfRange(encoded, split, encoded.length));
            assertEquals("a" + character + "b", first + second + acc.flush(), "split at " + split);
            // The character appears whole in whichever piece completes it, never partially.
            int charEnd = 1 + utf8(character).length;
            String expectedFirst = split == 0 ? "" : split < charEnd ? "a" : split < encoded.length
                    ? "a" + character : "a" + character + "b";
            assertEquals(expectedFirst, first, "split at " + split);
        }
    }

    @Test
    void fourByteEmojiAsFourOneByteTokens() {
        byte[] emoji = utf8("😀");
        Utf8Accumulator acc = new Utf8Accumulator();
        assertEquals("", acc.append(new byte[] {emoji[0]}));
        assertEquals(1, acc.pendingBytes());
        assertEquals("", acc.append(new byte[] {emoji[1]}));
        assertEquals(2, acc.pendingBytes());
        assertEquals("", acc.append(new byte[] {emoji[2]}));
        assertEquals(3, acc.pendingBytes());
        String out = acc.append(new byte[] {emoji[3]});
        assertEquals("😀", out);
        assertEquals(2, out.length()); // both halves of the surrogate pair together
        assertEquals(0, acc.pendingBytes());
        assertEquals("", acc.flush());
    }

    @Test
    void splitsAcrossThreePiecesWithTextAround() {
        byte[] text = utf8("x中😀y");
        // x | E4 B8 | AD F0 9F | 98 80 y
        Utf8Accumulator acc = new Utf8Accumulator();
        assertEquals("x", acc.append(Arrays.copyOfRange(text, 0, 3)));
        assertEquals("中", acc.append(Arrays.copyOfRange(text, 3, 6)));
        assertEquals("😀y", acc.append(Arrays.copyOfRange(text, 6, text.length)));
    }

    @Test
    void offsetAndLengthSelectPartOfTheBuffer() {
        byte[] buffer = utf8("__é__");
        Utf8Accumulator acc = new Utf8Accumulator();
        assertEquals("", acc.append(buffer, 2, 1));
        assertEquals("é_", acc.append(buffer, 3, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> acc.append(buffer, 4, 5));
    }

    @Test
    void strayContinuationAndImpossibleLeadBytesAreReplacedImmediately() {
        Utf8Accumulator acc = new Utf8Accumulator();
        assertEquals("a\uFFFDb", acc.append(bytes('a', 0x80, 'b')));
        assertEquals("\uFFFD\uFFFD", acc.append(bytes(0xC0, 0xC1)));
        assertEquals("\uFFFD\uFFFD\uFFFD", acc.append(bytes(0xF5, 0xFE, 0xFF)));
        assertEquals(0, acc.pendingBytes());
    }

    @Test
    void truncatedSequenceFollowedByAnotherCharacterIsReplacedOnce() {
        Utf8Accumulator acc = new Utf8Accumulator();
        // E4 B8 is a valid prefix of 中, but 'z' cannot continue it.
        assertEquals("", acc.append(bytes(0xE4, 0xB8)));
        assertEquals("\uFFFDz", acc.append(bytes('z')));
        // A new lead byte interrupting a sequence starts its own character.
        assertEquals("", acc.append(bytes(0xF0, 0x9F)));
        assertEquals("\uFFFDé", acc.append(bytes(0xC3, 0xA9)));
        assertEquals(0, acc.pendingBytes());
    }

    @Test
    void overlongSurrogateAndOutOfRangeFormsAreInvalid() {
        Utf8Accumulator acc = new Utf8Accumulator();
        // Overlong '/' (E0 80 AF): E0 needs A0..BF next, so each byte is its own maximal subpart.
        assertEquals("\uFFFD\uFFFD\uFFFD", acc.append(bytes(0xE0, 0x80, 0xAF)));
        // Encoded high surrogate U+D800 (ED A0 80).
        assertEquals("\uFFFD\uFFFD\uFFFD", acc.append(bytes(0xED, 0xA0, 0x80)));
        // U+110000 (F4 90 80 80).
        assertEquals("\uFFFD\uFFFD\uFFFD\uFFFD", acc.append(bytes(0xF4, 0x90, 0x80, 0x80)));
        // Overlong 4-byte form (F0 80 80 80).
        assertEquals("\uFFFD\uFFFD\uFFFD\uFFFD", acc.append(bytes(0xF0, 0x80, 0x80, 0x80)));
        assertEquals(0, acc.pendingBytes());
    }

    @Test
    void encodedSurrogatePrefixFollowedByTextFollowsUnicodeNotTheJdk() {
        // Unicode Table 3-8 / WHATWG: ED A0 is two maximal subparts (ED cannot be followed by A0).
        assertEquals("\uFFFD\uFFFD ", new Utf8Accumulator().append(bytes(0xED, 0xA0, ' ')));
        // ED 9F BF is U+D7FF, the last code point before the surrogates: valid.
        assertEquals("\uD7FF", new Utf8Accumulator().append(bytes(0xED, 0x9F, 0xBF)));
    }

    @Test
    void invalidSecondByteIsDetectedAcrossPieces() {
        Utf8Accumulator acc = new Utf8Accumulator();
        assertEquals("", acc.append(bytes(0xED)));
        assertEquals(1, acc.pendingBytes());
        assertEquals("\uFFFD\uFFFD\uFFFD", acc.append(bytes(0xA0, 0x80)));
        assertEquals(0, acc.pendingBytes());
    }

    @Test
    void flushReplacesAnUnfinishedCharacterOnceAndResets() {
        Utf8Accumulator acc = new Utf8Accumulator();
        assertEquals("ok", acc.append(bytes('o', 'k', 0xF0, 0x9F, 0x98)));
        assertEquals(3, acc.pendingBytes());
        assertEquals("\uFFFD", acc.flush());
        assertEquals(0, acc.pendingBytes());
        assertEquals("", acc.flush());
        assertEquals("é", acc.append(utf8("é")));
    }

    @Test
    void flushOnEmptyAccumulatorIsEmpty() {
        assertEquals("", new Utf8Accumulator().flush());
    }

    @Test
    void neverHoldsMoreThanThreeBytes() {
        Utf8Accumulator acc = new Utf8Accumulator();
        acc.append(bytes(0xF0, 0x9F, 0x98));
        assertEquals(3, acc.pendingBytes());
        // A fourth byte either completes the character or breaks it; either way nothing stays held.
        assertEquals("\uFFFD\uFFFD", acc.append(bytes(0xFF)));
        assertEquals(0, acc.pendingBytes());
    }

    @Test
    void matchesJdkDecoderOnRandomBytesAnySplit() throws Exception {
        Random random = new Random(20240601);
        // Bias toward bytes that form (and break) multi-byte sequences.
        int[] interesting = {'a', ' ', 0x80, 0x9F, 0xA0, 0xBF, 0xC2, 0xDF, 0xE0, 0xE1, 0xEF, 0xF0, 0xF4, 0xF5, 0xC0};
        for (int round = 0; round < 2000; round++) {
            byte[] input = new byte[random.nextInt(24)];
            for (int i = 0; i < input.length; i++) {
                int b = random.nextBoolean() ? interesting[random.nextInt(interesting.length)] : random.nextInt(256);
                input[i] = (byte) (b == 0xED ? 0xEE : b);
            }
            String expected = jdkDecode(input);
            assertEquals(expected, feedByteByByte(input), () -> "bytes " + Arrays.toString(input));
            Utf8Accumulator acc = new Utf8Accumulator();
            StringBuilder out = new StringBuilder();
            int pos = 0;
            while (pos < input.length) {
                int len = 1 + random.nextInt(input.length - pos);
                String piece = acc.append(input, pos, len);
                // Never half a surrogate pair at the end of a piece.
                if (!piece.isEmpty()) {
                    assertEquals(false, Character.isHighSurrogate(piece.charAt(piece.length() - 1)));
                }
                out.append(piece);
                pos += len;
            }
            assertEquals(expected, out.append(acc.flush()).toString(), () -> "bytes " + Arrays.toString(input));
        }
    }

    @Test
    void validTextRoundTripsByteByByte() {
        String text = "naïve café — 中文 한국어 😀👍🏽 𝄞 done";
        assertEquals(text, feedByteByByte(utf8(text)));
    }
}
