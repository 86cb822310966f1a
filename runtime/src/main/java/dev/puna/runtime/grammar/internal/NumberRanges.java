package dev.puna.runtime.grammar.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * Grammars for the decimal numbers inside a range, exactly: every number the expression accepts lies in the range.
 *
 * <p>Shape of the numbers: an optional minus, an integer part without leading zeros, and (unless integers only) an
 * optional fraction of 1 to {@link JsonRules#MAX_FRACTION_DIGITS} digits; no exponent, and never {@code -0}. An
 * unbounded side stops at {@link JsonRules#MAX_INT_DIGITS} integer digits (or the bound's length, if longer).
 *
 * <p>How: numbers are split by sign into magnitudes. For magnitudes in {@code [lo, hi]}, integer parts strictly
 * between {@code floor(lo)} and {@code floor(hi)} take any fraction (an integer-range expression, built digit by
 * digit like a regular expression for a numeric range); the integer parts equal to a bound's floor take a fraction
 * compared digit by digit with the bound's fraction, tracking whether the digits so far are still equal to it.
 */
public final class NumberRanges {
    /** A bound of a range. */
    public record Bound(BigDecimal value, boolean inclusive) {
    }

    private final int fractionDigits;

    private NumberRanges(boolean integer) {
        this.fractionDigits = integer ? 0 : JsonRules.MAX_FRACTION_DIGITS;
    }

    /**
     * The numbers in a range.
     *
     * @param lower the lower bound, or {@code null} for none
     * @param upper the upper bound, or {@code null} for none
     * @param integer accept integers only (no fraction)
     * @return a GBNF expression, or {@code null} when no number of that shape is in the range
     */
    public static String expression(Bound lower, Bound upper, boolean integer) {
        NumberRanges n = new NumberRanges(integer);
        List<String> alternatives = new ArrayList<>();
        // Non-negative numbers: magnitudes in [max(lower, 0), upper].
        if (upper == null || upper.value.signum() >= 0) {
            Bound lo = lower == null || lower.value.signum() < 0 ? new Bound(BigDecimal.ZERO, true) : lower;
            String e = n.magnitudes(lo, upper);
            if (e != null) {
                alternatives.add(e);
            }
        }
        // Negative numbers: "-" and a magnitude m > 0 with -upper <= m <= -lower.
        if (lower == null || lower.value.signum() < 0) {
            Bound lo = upper == null || upper.value.signum() >= 0
                    ? new Bound(BigDecimal.ZERO, false)
                    : new Bound(upper.value.negate(), upper.inclusive);
            Bound hi = lower == null ? null : new Bound(lower.value.negate(), lower.inclusive);
            String e = n.magnitudes(lo, hi);
            if (e != null) {
                alternatives.add("\"-\" " + Gbnf.group(e));
            }
        }
        return alternatives.isEmpty() ? null : alternatives.size() == 1 ? alternatives.get(0)
                : Gbnf.alt(alternatives);
    }

    /** Non-negative numbers with value in {@code [lo, hi]} ({@code hi == null}: unbounded). */
    private String magnitudes(Bound lo, Bound hi) {
        BigInteger low = floor(lo.value);
        String lowFraction = fractionDigits(lo.value);
        BigInteger high;
        String highFraction;
        if (hi == null) {
            int digits = Math.max(JsonRules.MAX_INT_DIGITS, low.toString().length());
            high = BigInteger.TEN.pow(digits).subtract(BigInteger.ONE);
            highFraction = null;
        } else {
            high = floor(hi.value);
            highFraction = fractionDigits(hi.value);
        }
        if (low.compareTo(high) > 0) {
            return null;
        }
        Fraction upperFraction = highFraction == null ? null : new Fraction(highFraction, hi.inclusive);
        Fraction lowerFraction = new Fraction(lowFraction, lo.inclusive);
        List<String> alternatives = new ArrayList<>();
        if (low.equals(high)) {
            addWithFraction(alternatives, Gbnf.literal(low.toString()), fraction(0, lowerFraction, upperFraction));
        } else {
            addWithFraction(alternatives, Gbnf.literal(low.toString()), fraction(0, lowerFraction, null));
            BigInteger from = low.add(BigInteger.ONE);
            BigInteger to = high.subtract(BigInteger.ONE);
            if (from.compareTo(to) <= 0) {
                addWithFraction(alternatives, integers(from, to), fraction(0, null, null));
            }
            addWithFraction(alternatives, Gbnf.literal(high.toString()), fraction(0, null, upperFraction));
        }
        return alternatives.isEmpty() ? null : Gbnf.alt(alternatives);
    }

    private static void addWithFraction(List<String> alternatives, String integerPart, String fraction) {
        if (fraction != null) {
            alternatives.add(fraction.isEmpty() ? integerPart : Gbnf.group(integerPart) + " " + fraction);
        }
    }

    /** The fraction digits of a bound, compared against: its fraction digits past the integer part. */
    private record Fraction(String digits, boolean inclusive) {
        int digit(int position) {
            return position < digits.length() ? digits.charAt(position) - '0' : 0;
        }

        boolean restIsZero(int position) {
            for (int i = position; i < digits.length(); i++) {
                if (digits.charAt(i) != '0') {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * The fraction from digit {@code position} on (the {@code "."} comes before digit 0), given that the digits so far
     * equal the lower bound's ({@code lower != null}) and/or the upper bound's ({@code upper != null}).
     *
     * @return an expression ({@code ""} when only the end is allowed), or {@code null} when nothing is
     */
    private String fraction(int position, Fraction lower, Fraction upper) {
        if (lower != null && lower.inclusive && lower.restIsZero(position)) {
            lower = null; // every continuation is >= the bound
        }
        List<String> alternatives = new ArrayList<>();
        // With the lower bound still tight, stopping leaves the number below it (or equal to an exclusive one).
        boolean canEnd = lower == null && (upper == null || !upper.restIsZero(position) || upper.inclusive);
        if (canEnd) {
            alternatives.add("");
        }
        if (position < fractionDigits) {
            String dot = position == 0 ? "\".\" " : "";
            int lowDigit = lower == null ? 0 : lower.digit(position);
            int highDigit = upper == null ? 9 : upper.digit(position);
            if (lowDigit <= highDigit) {
                int from = lowDigit;
                int to = highDigit;
                if (lower != null && upper != null && lowDigit == highDigit) {
                    add(alternatives, dot, lowDigit, fraction(position + 1, lower, upper));
                    from = 10;
                } else {
                    if (lower != null) {
                        add(alternatives, dot, lowDigit, fraction(position + 1, lower, null));
                        from++;
                    }
                    if (upper != null) {
                        add(alternatives, dot, highDigit, fraction(position + 1, null, upper));
                        to--;
                    }
                }
                if (from <= to) {
                    int left = fractionDigits - position - 1;
                    String digits = from == to ? "[" + from + "]" : "[" + from + "-" + to + "]";
                    alternatives.add(dot + digits + (left == 0 ? "" : " [0-9]{0," + left + "}"));
                }
            }
        }
        if (alternatives.isEmpty()) {
            return null;
        }
        if (alternatives.size() == 1) {
            return alternatives.get(0);
        }
        if (alternatives.get(0).isEmpty()) {
            List<String> rest = alternatives.subList(1, alternatives.size());
            return Gbnf.alt(rest) + "?";
        }
        return Gbnf.alt(alternatives);
    }

    private static void add(List<String> alternatives, String dot, int digit, String tail) {
        if (tail != null) {
            alternatives.add(dot + "[" + digit + "]" + (tail.isEmpty() ? "" : " " + tail));
        }
    }

    /** Integers in {@code [from, to]} (both non-negative), written without leading zeros. */
    static String integers(BigInteger from, BigInteger to) {
        List<String> alternatives = new ArrayList<>();
        int fromLength = from.toString().length();
        int toLength = to.toString().length();
        for (int length = fromLength; length <= toLength; length++) {
            BigInteger smallest = length == 1 ? BigInteger.ZERO : BigInteger.TEN.pow(length - 1);
            BigInteger largest = BigInteger.TEN.pow(length).subtract(BigInteger.ONE);
            String lo = from.max(smallest).toString();
            String hi = to.min(largest).toString();
            alternatives.add(sameLength(lo, hi));
        }
        return Gbnf.alt(alternatives);
    }

    /** Digit strings of one length between {@code lo} and {@code hi} inclusive. */
    private static String sameLength(String lo, String hi) {
        if (lo.isEmpty()) {
            return "";
        }
        if (lo.equals(hi)) {
            return Gbnf.literal(lo);
        }
        char first = lo.charAt(0);
        String loRest = lo.substring(1);
        String hiRest = hi.substring(1);
        if (first == hi.charAt(0)) {
            return Gbnf.literal(String.valueOf(first)) + " " + Gbnf.group(sameLength(loRest, hiRest));
        }
        List<String> alternatives = new ArrayList<>();
        boolean lowFull = loRest.chars().allMatch(c -> c == '0');
        boolean highFull = hiRest.chars().allMatch(c -> c == '9');
        int from = first - '0' + (lowFull ? 0 : 1);
        int to = hi.charAt(0) - '0' - (highFull ? 0 : 1);
        if (!lowFull) {
            alternatives.add(Gbnf.literal(String.valueOf(first)) + " "
                    + Gbnf.group(sameLength(loRest, "9".repeat(loRest.length()))));
        }
        if (from <= to) {
            String digit = from == to ? "[" + from + "]" : "[" + from + "-" + to + "]";
            alternatives.add(loRest.isEmpty() ? digit : digit + " [0-9]{" + loRest.length() + "}");
        }
        if (!highFull) {
            alternatives.add(Gbnf.literal(String.valueOf(hi.charAt(0))) + " "
                    + Gbnf.group(sameLength("0".repeat(hiRest.length()), hiRest)));
        }
        return alternatives.size() == 1 ? alternatives.get(0) : Gbnf.alt(alternatives);
    }

    private static BigInteger floor(BigDecimal value) {
        return value.setScale(0, RoundingMode.FLOOR).toBigIntegerExact();
    }

    /** The digits after the point of a non-negative value, without trailing zeros ({@code ""} for an integer). */
    private static String fractionDigits(BigDecimal value) {
        BigDecimal fraction = value.subtract(value.setScale(0, RoundingMode.FLOOR)).stripTrailingZeros();
        if (fraction.signum() == 0) {
            return "";
        }
        String plain = fraction.toPlainString(); // "0.25"
        return plain.substring(plain.indexOf('.') + 1);
    }
}
