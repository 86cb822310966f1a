package dev.puna.http.internal;

import java.security.SecureRandom;

/**
 * Ids of generated responses and tool calls as the APIs write them: a prefix and 24 random letters and digits
 * ({@code chatcmpl-...} for OpenAI, {@code msg_...} and {@code toolu_...} for Anthropic). Thread-safe.
 */
public final class ResponseIds {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private ResponseIds() {
    }

    /** {@code prefix} (its separator included) and 24 random alphanumerics. */
    public static String next(String prefix) {
        StringBuilder b = new StringBuilder(prefix.length() + 24).append(prefix);
        for (int i = 0; i < 24; i++) {
            b.append(ID_CHARS[RANDOM.nextInt(ID_CHARS.length)]);
        }
        return b.toString();
    }
}
