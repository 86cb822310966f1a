package dev.puna.http.internal.stateful;

/**
 * What to do with a conversation longer than what fits: OpenAI's {@code truncation_strategy} of runs
 * ({@code auto}, {@code last_messages}) and {@code truncation} of responses ({@code auto}, {@code disabled}).
 */
public sealed interface Truncation {
    /** Drop the oldest messages (after the instructions) until the prompt fits. */
    record Auto() implements Truncation {
    }

    /** Keep only the newest {@code count} messages (after the instructions), then as {@link Auto}. */
    record LastMessages(int count) implements Truncation {
    }

    /** Never drop anything: a prompt that does not fit is an error. */
    record Disabled() implements Truncation {
    }

    static Truncation auto() {
        return new Auto();
    }

    static Truncation disabled() {
        return new Disabled();
    }
}
