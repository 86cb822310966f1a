package dev.puna.state;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Object ids as OpenAI shapes them ({@code asst_}, {@code thread_}, {@code msg_}, {@code run_}, {@code step_},
 * {@code call_}, {@code resp_}, {@code fc_}, {@code conv_} ... then 24 characters), made time-ordered: the first 14
 * hex digits are the creation time in microseconds since the epoch (strictly increasing within this process), the
 * other 10 are random. So an id carries its place in creation order, and a list cursor works even after its object
 * was deleted. Thread-safe.
 */
public final class Ids {
    private static final Pattern OURS = Pattern.compile("[a-z]+_[0-9a-f]{14}[0-9a-z]{10}");
    private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicLong LAST = new AtomicLong();

    private Ids() {
    }

    /** A fresh id with {@code prefix} (without the underscore), e.g. {@code next("msg")}. */
    public static String next(String prefix) {
        long seq = nextSeq();
        StringBuilder b = new StringBuilder(prefix.length() + 25).append(prefix).append('_');
        String hex = Long.toHexString(seq);
        b.append("0".repeat(Math.max(0, 14 - hex.length()))).append(hex);
        for (int i = 0; i < 10; i++) {
            b.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return b.toString();
    }

    /** The next value of this process's creation clock: microseconds since the epoch, strictly increasing. */
    public static long nextSeq() {
        java.time.Instant t = java.time.Instant.now();
        long now = t.getEpochSecond() * 1_000_000 + t.getNano() / 1000;
        return LAST.accumulateAndGet(now, (last, n) -> Math.max(last + 1, n));
    }

    /** The creation clock value inside an id made by {@link #next}, or -1 for any other string. */
    public static long seqOf(String id) {
        if (id == null || !OURS.matcher(id).matches()) {
            return -1;
        }
        int start = id.indexOf('_') + 1;
        return Long.parseLong(id, start, start + 14, 16);
    }

    /** The Unix time in seconds of a creation clock value, as OpenAI's {@code created_at} fields give it. */
    public static long epochSeconds(long seq) {
        return seq / 1_000_000;
    }
}
