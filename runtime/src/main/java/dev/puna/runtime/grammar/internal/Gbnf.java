package dev.puna.runtime.grammar.internal;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Text of GBNF expressions as llama.cpp's grammar parser ({@code llama-grammar.cpp}) reads them.
 *
 * <p>Parser facts this relies on: rule names are {@code [a-zA-Z0-9-]+}; inside literals and character classes the
 * only escapes are {@code \x} with 2 hex digits, backslash-u with 4, backslash-U with 8, {@code \t}, {@code \r}, {@code \n} and a
 * backslash before one of {@code \ " [ ] -} (anything else, {@code \^} included, is a parse error); a
 * repetition {@code x{m,n}} is expanded into {@code n} rules and refused when that count exceeds 2000, and a maximum
 * above 2000 is silently turned into "unbounded". {@link #repeat} therefore never writes a bound above
 * {@value #BLOCK}.
 *
 * <p>Everything we emit is ASCII: other characters are written as escapes.
 */
public final class Gbnf {
    /** The largest bound {@link #repeat} writes in one {@code {m,n}}; larger counts are built from blocks. */
    static final int BLOCK = 1000;
    /** The largest count {@link #repeat} supports ({@value}): far beyond any sensible length limit. */
    public static final long MAX_COUNT = (long) BLOCK * BLOCK;

    private Gbnf() {
    }

    /** A quoted literal matching exactly {@code text}; {@code ""} for the empty string. */
    public static String literal(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        text.codePoints().forEach(cp -> appendChar(out, cp, "\"\\"));
        return out.append('"').toString();
    }

    /**
     * A character class over {@code ranges}, each a pair {@code {from, to}} of code points (inclusive).
     *
     * @param negated match every character not in the ranges
     */
    public static String charClass(boolean negated, int[]... ranges) {
        StringBuilder out = new StringBuilder("[");
        if (negated) {
            out.append('^');
        }
        for (int[] range : ranges) {
            appendClassChar(out, range[0]);
            if (range[1] != range[0]) {
                out.append('-');
                appendClassChar(out, range[1]);
            }
        }
        return out.append(']').toString();
    }

    /** A character class of single characters, e.g. {@code chars(false, "abc")} is {@code [abc]}. */
    public static String chars(boolean negated, String characters) {
        return charClass(negated, characters.codePoints().mapToObj(cp -> new int[] {cp, cp}).toArray(int[][]::new));
    }

    private static void appendClassChar(StringBuilder out, int cp) {
        if (cp == '^') {
            out.append("\\x5E"); // only special first, but the parser has no escape for it
        } else {
            appendChar(out, cp, "\\]-[\"");
        }
    }

    /** Appends {@code cp}, backslash-escaping those in {@code escaped} (all of them have a parser escape). */
    private static void appendChar(StringBuilder out, int cp, String escaped) {
        switch (cp) {
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            default -> {
                if (cp < 0x80 && escaped.indexOf(cp) >= 0) {
                    out.append('\\').append((char) cp);
                } else if (cp < 0x20 || cp == 0x7F) {
                    out.append(String.format(Locale.ROOT, "\\x%02X", cp));
                } else if (cp < 0x80) {
                    out.append((char) cp);
                } else if (cp <= 0xFFFF) {
                    out.append(String.format(Locale.ROOT, "\\u%04X", cp));
                } else {
                    out.append(String.format(Locale.ROOT, "\\U%08X", cp));
                }
            }
        }
    }

    /** {@code ( a | b | c )}, or the single alternative as is; {@code alternatives} must not be empty. */
    public static String alt(List<String> alternatives) {
        if (alternatives.isEmpty()) {
            throw new IllegalArgumentException("no alternatives");
        }
        if (alternatives.size() == 1) {
            return group(alternatives.get(0));
        }
        return alternatives.stream().map(a -> a.isEmpty() ? "\"\"" : a).collect(Collectors.joining(" | ", "( ", " )"));
    }

    /** {@code expr} as one symbol: parenthesised unless it already is a single symbol. */
    public static String group(String expr) {
        if (expr.isEmpty()) {
            return "\"\"";
        }
        return isAtom(expr) ? expr : "( " + expr + " )";
    }

    /** Whether {@code expr} is a single symbol: a rule name, one literal, one class or one parenthesised group. */
    static boolean isAtom(String expr) {
        return expr.matches("[a-zA-Z0-9-]+") || skipSymbol(expr, 0) == expr.length();
    }

    /** The index just after the literal, class or group starting at {@code i}, or -1. */
    private static int skipSymbol(String expr, int i) {
        char c = expr.charAt(i);
        if (c == '"' || c == '[') {
            char close = c == '"' ? '"' : ']';
            for (int j = i + 1; j < expr.length(); j++) {
                char d = expr.charAt(j);
                if (d == '\\') {
                    j++;
                } else if (d == close) {
                    return j + 1;
                }
            }
            return -1;
        }
        if (c == '(') {
            int j = i + 1;
            while (j < expr.length()) {
                char d = expr.charAt(j);
                if (d == '"' || d == '[' || d == '(') {
                    j = skipSymbol(expr, j);
                    if (j < 0) {
                        return -1;
                    }
                } else if (d == ')') {
                    return j + 1;
                } else {
                    j++;
                }
            }
        }
        return -1;
    }

    /**
     * {@code atom} repeated {@code min} to {@code max} times ({@code max < 0}: unbounded), as an expression; uses
     * helper rules from {@code rules} for counts above {@value #BLOCK}.
     *
     * @param atom a single symbol, best a rule name (llama.cpp counts the rules inside a repeated group)
     * @throws IllegalArgumentException for counts above {@link #MAX_COUNT} or {@code min > max}
     */
    public static String repeat(GrammarBuilder rules, String atom, long min, long max) {
        if (min < 0 || (max >= 0 && min > max)) {
            throw new IllegalArgumentException("bad repetition " + min + ".." + max);
        }
        if (min > MAX_COUNT || max > MAX_COUNT) {
            throw new IllegalArgumentException("repetition count above " + MAX_COUNT);
        }
        if (max < 0) {
            String rest = atom + "*";
            return min == 0 ? rest : exactly(rules, atom, min) + " " + rest;
        }
        if (max == 0) {
            return "\"\"";
        }
        if (max <= BLOCK) {
            return min == max ? (min == 1 ? atom : atom + "{" + min + "}") : atom + "{" + min + "," + max + "}";
        }
        String head = min == 0 ? "" : exactly(rules, atom, min);
        long rest = max - min;
        String tail = rest == 0 ? "" : rest <= BLOCK ? atom + "{0," + rest + "}" : upTo(rules, atom, rest);
        return (head + " " + tail).trim();
    }

    private static String exactly(GrammarBuilder rules, String atom, long n) {
        if (n <= BLOCK) {
            return n == 1 ? atom : atom + "{" + n + "}";
        }
        String block = rules.rule(atom + "-x" + BLOCK, atom + "{" + BLOCK + "}");
        long rest = n % BLOCK;
        return block + "{" + (n / BLOCK) + "}" + (rest == 0 ? "" : " " + atom + "{" + rest + "}");
    }

    /**
     * Zero to {@code n} repetitions for {@code n > BLOCK}: level 0 takes up to {@code n % BLOCK}; level {@code j}
     * takes fewer than a block, or a whole block and then level {@code j - 1}. Each level has one rule and at most two
     * parses are alive at any point, so the grammar engine's stacks stay small.
     */
    private static String upTo(GrammarBuilder rules, String atom, long n) {
        String block = rules.rule(atom + "-x" + BLOCK, atom + "{" + BLOCK + "}");
        String under = rules.rule(atom + "-upto" + (BLOCK - 1), atom + "{0," + (BLOCK - 1) + "}");
        long levels = n / BLOCK;
        String level = rules.rule(atom + "-upto" + (n % BLOCK), n % BLOCK == 0 ? "\"\"" : atom + "{0," + (n % BLOCK) + "}");
        for (long j = 1; j <= levels; j++) {
            level = rules.rule(atom + "-upto" + (j * BLOCK + n % BLOCK), under + " | " + block + " " + level);
        }
        return level;
    }
}
