package dev.puna.runtime.tools.internal;

import dev.puna.runtime.tools.ToolCallFormat;
import java.util.random.RandomGenerator;

/**
 * Fresh tool-call ids: OpenAI's shape {@code call_} and 24 letters or digits, except for {@link ToolCallFormat#MISTRAL},
 * whose chat templates refuse any id that is not exactly 9 letters or digits when the call is sent back in the
 * conversation.
 */
public final class CallIds {
    private static final String ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private CallIds() {
    }

    /** A new id for a call in {@code format}, drawn from {@code random}. */
    public static String next(ToolCallFormat format, RandomGenerator random) {
        return format == ToolCallFormat.MISTRAL ? alphanumeric(random, 9) : "call_" + alphanumeric(random, 24);
    }

    private static String alphanumeric(RandomGenerator random, int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(ALPHANUMERIC.charAt(random.nextInt(ALPHANUMERIC.length())));
        }
        return out.toString();
    }
}
