package dev.puna.runtime.internal;

import java.util.Objects;

/**
 * Turns the byte pieces of generated tokens into text. llama.cpp detokenizes token by token, and a token's piece
 * need not end on a character boundary: byte-fallback vocabularies emit an emoji as four one-byte tokens, and
 * BPE merges can split a multi-byte character between two tokens. Decoding each piece on its own would print
 * replacement characters in the middle of perfectly valid output, so this class holds back an incomplete
 * trailing sequence until the next piece completes it.
 *
 * <p>Invalid input follows Unicode's recommended "substitution of maximal subparts" (Unicode 3.9, Table 3-8; the
 * WHATWG Encoding Standard decodes the same way): each maximal byte sequence that cannot be completed to a
 * well-formed character becomes one U+FFFD as soon as the offending byte arrives, so at most three bytes (a valid
 * but unfinished prefix) are ever held. Overlong forms, encoded surrogates and code points above U+10FFFF are
 * invalid. (The JDK's own decoder agrees except for encoded surrogates, where it replaces {@code ED A0} as one
 * unit.) Output contains whole code points only, so a supplementary character never appears as half a surrogate
 * pair.
 *
 * <p>Not thread-safe: one instance belongs to one generation.
 */
public final class Utf8Accumulator {

    private static final char REPLACEMENT = '\uFFFD';

    /** A valid but unfinished prefix of a multi-byte sequence, in {@code pending[0 .. pendingLength)}. */
    private final byte[] pending = new byte[3];
    private int pendingLength;

    /** Creates an empty accumulator. */
    public Utf8Accumulator() {}

    /**
     * Adds the next piece and returns the text that is now complete.
     *
     * @param bytes the token's bytes; not retained
     * @return the decoded text, possibly empty when the piece only extends an unfinished character
     */
    public String append(byte[] bytes) {
        return append(bytes, 0, bytes.length);
    }

    /**
     * Adds {@code length} bytes of {@code bytes} starting at {@code offset}, for callers that reuse one buffer for
     * every token.
     *
     * @return the decoded text, possibly empty
     * @throws IndexOutOfBoundsException if the range is outside {@code bytes}
     */
    public String append(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (length == 0) {
            return "";
        }
        byte[] input;
        int start;
        int end;
        if (pendingLength == 0) {
            input = bytes;
            start = offset;
            end = offset + length;
        } else {
            // Rare path (only after a split character): join the held prefix and the new bytes so one decoder
            // loop handles sequences that straddle the boundary.
            input = new byte[pendingLength + length];
            System.arraycopy(pending, 0, input, 0, pendingLength);
            System.arraycopy(bytes, offset, input, pendingLength, length);
            start = 0;
            end = input.length;
            pendingLength = 0;
        }
        return decode(input, start, end);
    }

    /**
     * Ends the stream: returns one U+FFFD if an unfinished character is held (it can no longer be completed),
     * otherwise the empty string. The accumulator is empty afterwards and can be reused.
     */
    public String flush() {
        if (pendingLength == 0) {
            return "";
        }
        // The held bytes are a valid prefix, i.e. a single maximal subpart, hence a single replacement character.
        pendingLength = 0;
        return String.valueOf(REPLACEMENT);
    }

    /** How many bytes of an unfinished character are held back (0 to 3). */
    public int pendingBytes() {
        return pendingLength;
    }

    private String decode(byte[] in, int start, int end) {
        StringBuilder out = new StringBuilder(end - start);
        int i = start;
        while (i < end) {
            int b0 = in[i] & 0xFF;
            if (b0 < 0x80) {
                out.append((char) b0);
                i++;
                continue;
            }
            int needed = sequenceLength(b0);
            if (needed == 0) {
                // A continuation byte without a lead, or a lead that can never start a valid sequence
                // (C0, C1: overlong; F5..FF: beyond U+10FFFF).
                out.append(REPLACEMENT);
                i++;
                continue;
            }
            int codePoint = b0 & (0x7F >> needed);
            int j = 1;
            boolean broken = false;
            for (; j < needed && i + j < end; j++) {
                int b = in[i + j] & 0xFF;
                if (b < lowerBound(b0, j) || b > upperBound(b0, j)) {
                    broken = true;
                    break;
                }
                codePoint = (codePoint << 6) | (b & 0x3F);
            }
            if (broken) {
                // The bytes so far are the maximal subpart: replace them and resume at the offending byte, which
                // may itself start a valid character.
                out.append(REPLACEMENT);
                i += j;
            } else if (j < needed) {
                // Ran out of input inside a valid prefix: keep it (at most 3 bytes) for the next piece.
                pendingLength = end - i;
                System.arraycopy(in, i, pending, 0, pendingLength);
                i = end;
            } else {
                out.appendCodePoint(codePoint);
                i += needed;
            }
        }
        return out.toString();
    }

    /** The total length of a sequence starting with lead byte {@code b0} (&ge; 0x80), or 0 if it cannot lead. */
    private static int sequenceLength(int b0) {
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            return 2;
        }
        if (b0 >= 0xE0 && b0 <= 0xEF) {
            return 3;
        }
        if (b0 >= 0xF0 && b0 <= 0xF4) {
            return 4;
        }
        return 0;
    }

    /*
     * The second byte's range depends on the lead byte (Unicode Table 3-7): it is what excludes overlong forms
     * (E0, F0), UTF-16 surrogates (ED) and code points above U+10FFFF (F4). Later bytes are always 80..BF.
     */

    private static int lowerBound(int b0, int index) {
        if (index == 1) {
            if (b0 == 0xE0) {
                return 0xA0;
            }
            if (b0 == 0xF0) {
                return 0x90;
            }
        }
        return 0x80;
    }

    private static int upperBound(int b0, int index) {
        if (index == 1) {
            if (b0 == 0xED) {
                return 0x9F;
            }
            if (b0 == 0xF4) {
                return 0x8F;
            }
        }
        return 0xBF;
    }
}
