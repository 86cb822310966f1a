package dev.puna.store.internal;

import java.util.Locale;

/**
 * Ollama's {@code format.HumanNumber}: how {@code parameter_size} is written ({@code 8B}, {@code 8.1B},
 * {@code 134.52M}).
 */
public final class HumanNumber {
    private HumanNumber() {
    }

    /** Formats a parameter count. */
    public static String format(long n) {
        if (n >= 1_000_000_000L) {
            double v = n / 1e9;
            return String.format(Locale.ROOT, v == Math.floor(v) ? "%.0fB" : "%.1fB", v);
        }
        if (n >= 1_000_000L) {
            double v = n / 1e6;
            return String.format(Locale.ROOT, v == Math.floor(v) ? "%.0fM" : "%.2fM", v);
        }
        if (n >= 1_000L) {
            return String.format(Locale.ROOT, "%.0fK", n / 1e3);
        }
        return Long.toString(n);
    }
}
