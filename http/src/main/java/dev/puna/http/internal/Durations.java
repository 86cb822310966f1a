package dev.puna.http.internal;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code keep_alive} values the way Ollama does: a number is seconds, a string is a Go duration
 * ({@code "5m"}, {@code "1h30m"}, {@code "300ms"}, {@code "-1s"}) or a bare number of seconds (as
 * {@code OLLAMA_KEEP_ALIVE} accepts). Any negative value means "keep loaded forever", represented by
 * {@link #FOREVER}; zero means "unload now".
 */
public final class Durations {
    /** How "forever" is represented: any negative duration. */
    public static final Duration FOREVER = Duration.ofSeconds(-1);

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");
    private static final Map<String, Long> UNIT_NANOS = Map.of("ns", 1L, "us", 1_000L, "µs", 1_000L, "μs", 1_000L,
            "ms", 1_000_000L, "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

    private Durations() {
    }

    /** Seconds (any finite number) as a keep-alive duration; negative is {@link #FOREVER}. */
    public static Duration ofSeconds(double seconds) {
        if (!Double.isFinite(seconds)) {
            throw new IllegalArgumentException("must be a finite number of seconds, got " + seconds);
        }
        if (seconds < 0) {
            return FOREVER;
        }
        BigDecimal nanos = BigDecimal.valueOf(seconds).movePointRight(9);
        return nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) >= 0 ? Duration.ofNanos(Long.MAX_VALUE)
                : Duration.ofNanos(nanos.longValue());
    }

    /**
     * A Go duration string or a bare number of seconds.
     *
     * @throws IllegalArgumentException naming what cannot be parsed
     */
    public static Duration parse(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        try {
            return ofSeconds(Double.parseDouble(s));
        } catch (NumberFormatException notANumber) {
            // a Go duration, below
        }
        boolean negative = s.startsWith("-");
        String rest = s.startsWith("-") || s.startsWith("+") ? s.substring(1) : s;
        Matcher m = PART.matcher(rest);
        BigDecimal nanos = BigDecimal.ZERO;
        int at = 0;
        while (at < rest.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException("invalid duration '" + text
                        + "' (expected seconds or a Go duration such as 5m, 1h30m, 300ms)");
            }
            nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(UNIT_NANOS.get(m.group(2)))));
            at = m.end();
        }
        if (negative && nanos.signum() > 0) {
            return FOREVER;
        }
        return nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) >= 0 ? Duration.ofNanos(Long.MAX_VALUE)
                : Duration.ofNanos(nanos.longValue());
    }

    /** Whether {@code d} means "never expire". */
    public static boolean isForever(Duration d) {
        return d.isNegative();
    }

    /** Go-style rendering for logs and /api/show: {@code 5m0s}, {@code forever}. */
    public static String format(Duration d) {
        if (isForever(d)) {
            return "forever";
        }
        long s = d.toSeconds();
        StringBuilder b = new StringBuilder();
        if (s >= 3600) {
            b.append(s / 3600).append('h');
        }
        if (s >= 60) {
            b.append(s % 3600 / 60).append('m');
        }
        b.append(s % 60);
        int millis = d.toMillisPart();
        if (millis != 0) {
            b.append('.').append(String.format("%03d", millis).replaceAll("0+$", ""));
        }
        return b.append('s').toString();
    }
}
