package dev.puna.http;

import java.util.Locale;

/** How {@code puna serve} writes its logs ({@code PUNA_LOG_FORMAT}). */
public enum LogFormat {
    /** One human-readable line per event (the default). */
    TEXT,
    /** One JSON object per line (Log4j 2's JSON Template Layout), for log collectors and {@code jq}. */
    JSON;

    /**
     * {@code text} or {@code json}, in any case.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static LogFormat parse(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "text" -> TEXT;
            case "json" -> JSON;
            default -> throw new IllegalArgumentException("expected text or json");
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
