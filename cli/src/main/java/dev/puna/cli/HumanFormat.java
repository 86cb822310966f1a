package dev.puna.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** Sizes and times the way Ollama's CLI prints them ({@code 4.7 GB}, {@code 2 weeks ago}). */
final class HumanFormat {
    private HumanFormat() {
    }

    /** Decimal units: {@code 512 B}, {@code 1.5 KB}, {@code 12 MB}, {@code 135 MB}, {@code 4.7 GB}. */
    static String bytes(long b) {
        String[] units = {"TB", "GB", "MB", "KB"};
        long[] scales = {1_000_000_000_000L, 1_000_000_000L, 1_000_000L, 1_000L};
        for (int i = 0; i < units.length; i++) {
            if (b >= scales[i]) {
                double value = (double) b / scales[i];
                if (value >= 10 || value == Math.floor(value)) {
                    return (long) value + " " + units[i];
                }
                return String.format(Locale.ROOT, "%.1f %s", value, units[i]);
            }
        }
        return b + " B";
    }

    /**
     * {@code t} relative to {@code now}: {@code 3 minutes ago}, {@code 4 minutes from now}, {@code Forever} for times
     * more than 20 years ahead (a model kept loaded forever), {@code Never} for no time.
     */
    static String time(Instant t, Instant now) {
        if (t == null) {
            return "Never";
        }
        Duration delta = Duration.between(t, now);
        if (delta.isNegative() && delta.negated().toDays() > 20 * 365) {
            return "Forever";
        }
        return delta.isNegative() ? duration(delta.negated()) + " from now" : duration(delta) + " ago";
    }

    private static String duration(Duration d) {
        long seconds = d.toSeconds();
        if (seconds < 1) {
            return "Less than a second";
        }
        if (seconds == 1) {
            return "1 second";
        }
        if (seconds < 60) {
            return seconds + " seconds";
        }
        long minutes = d.toMinutes();
        if (minutes == 1) {
            return "About a minute";
        }
        if (minutes < 60) {
            return minutes + " minutes";
        }
        long hours = Math.round(d.toSeconds() / 3600.0);
        if (hours == 1) {
            return "About an hour";
        }
        if (hours < 48) {
            return hours + " hours";
        }
        if (hours < 24 * 7 * 2) {
            return hours / 24 + " days";
        }
        if (hours < 24 * 30 * 2) {
            return hours / 24 / 7 + " weeks";
        }
        if (hours < 24 * 365 * 2) {
            return hours / 24 / 30 + " months";
        }
        return hours / 24 / 365 + " years";
    }
}
