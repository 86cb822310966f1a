package dev.puna.runtime.grammar.internal;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Grammars for the JSON Schema string formats we enforce exactly. Each rule matches the string's content (without
 * quotes) and never needs an escape.
 *
 * <ul>
 *   <li>{@code date}: RFC 3339 {@code full-date}, with the real number of days in each month, February 29 only in
 *       leap years (Gregorian: divisible by 4, centuries only when divisible by 400).</li>
 *   <li>{@code time}: RFC 3339 {@code full-time}: {@code HH:MM:SS}, an optional fraction of 1 to 9 digits, then
 *       {@code Z} or {@code +HH:MM}/{@code -HH:MM}. Leap seconds ({@code :60}) and lower-case {@code z} are left
 *       out.</li>
 *   <li>{@code date-time}: {@code date}, {@code T}, {@code time}.</li>
 *   <li>{@code uuid}: RFC 4122 {@code 8-4-4-4-12} hexadecimal digits.</li>
 *   <li>{@code ipv4}: dotted quad of decimal octets 0 to 255 without leading zeros.</li>
 * </ul>
 */
public final class StringFormats {
    private static final String TWO_DIGIT_LEAP = "( \"0\" [48] | [2468] [048] | [13579] [26] )";
    private static final String TWO_DIGIT_COMMON = "( [02468] [1235679] | [13579] [01345789] )";
    private static final String CENTURY_LEAP = "( \"0\" [048] | [2468] [048] | [13579] [26] )";

    private static final Map<String, Function<GrammarBuilder, String>> FORMATS = Map.of(
            "date", StringFormats::date,
            "time", StringFormats::time,
            "date-time", StringFormats::dateTime,
            "uuid", StringFormats::uuid,
            "ipv4", StringFormats::ipv4);

    private StringFormats() {
    }

    /** The formats {@link #rule} knows, sorted. */
    public static Set<String> names() {
        return new TreeSet<>(FORMATS.keySet());
    }

    /** The rule for {@code format}'s content, if it is one we enforce. */
    public static Optional<String> rule(GrammarBuilder g, String format) {
        return Optional.ofNullable(FORMATS.get(format)).map(f -> f.apply(g));
    }

    private static String date(GrammarBuilder g) {
        return g.shared("fmt-date", () -> {
            String day28 = "( \"0\" [1-9] | \"1\" [0-9] | \"2\" [0-8] )";
            String day29 = "( \"0\" [1-9] | [12] [0-9] )";
            String day30 = "( \"0\" [1-9] | [12] [0-9] | \"30\" )";
            String day31 = "( \"0\" [1-9] | [12] [0-9] | \"3\" [01] )";
            String longAndShortMonths = "( \"0\" [13578] | \"1\" [02] ) \"-\" " + day31
                    + " | ( \"0\" [469] | \"11\" ) \"-\" " + day30;
            String leapYear = g.shared("fmt-leap-year",
                    () -> "[0-9] [0-9] " + TWO_DIGIT_LEAP + " | " + CENTURY_LEAP + " \"00\"");
            String commonYear = g.shared("fmt-common-year",
                    () -> "[0-9] [0-9] " + TWO_DIGIT_COMMON + " | " + TWO_DIGIT_COMMON + " \"00\"");
            return leapYear + " \"-\" ( " + longAndShortMonths + " | \"02-\" " + day29 + " ) | "
                    + commonYear + " \"-\" ( " + longAndShortMonths + " | \"02-\" " + day28 + " )";
        });
    }

    private static String time(GrammarBuilder g) {
        return g.shared("fmt-time", () -> {
            String hour = "( [01] [0-9] | \"2\" [0-3] )";
            String minute = "[0-5] [0-9]";
            return hour + " \":\" " + minute + " \":\" " + minute + " ( \".\" [0-9]{1,9} )? ( \"Z\" | [+\\-] " + hour
                    + " \":\" " + minute + " )";
        });
    }

    private static String dateTime(GrammarBuilder g) {
        return g.shared("fmt-date-time", () -> date(g) + " \"T\" " + time(g));
    }

    private static String uuid(GrammarBuilder g) {
        return g.shared("fmt-uuid", () -> {
            String hex = "[0-9a-fA-F]";
            return hex + "{8} \"-\" " + hex + "{4} \"-\" " + hex + "{4} \"-\" " + hex + "{4} \"-\" " + hex + "{12}";
        });
    }

    private static String ipv4(GrammarBuilder g) {
        return g.shared("fmt-ipv4", () -> {
            String octet = g.shared("fmt-octet",
                    () -> "\"25\" [0-5] | \"2\" [0-4] [0-9] | \"1\" [0-9] [0-9] | [1-9] [0-9] | [0-9]");
            return octet + " \".\" " + octet + " \".\" " + octet + " \".\" " + octet;
        });
    }
}
