package dev.puna.runtime.grammar.internal;

/**
 * The shared rules of JSON text: whitespace, any value, strings, numbers. Each method adds its rule (and the rules
 * it uses) to the builder on first use and returns the rule's name.
 *
 * <p>Layout convention: a value rule matches the value alone; containers put {@link #ws} after {@code {}, {@code [},
 * {@code :}, {@code ,} and after each member or element. Whitespace is bounded: one {@code ws} is nothing, one space,
 * or a newline followed by at most {@value #MAX_INDENT} spaces or tabs, so a model can never emit whitespace forever.
 *
 * <p>Numbers are bounded too, because a model stuck in a loop would otherwise never finish one: at most
 * {@value #MAX_INT_DIGITS} integer digits, {@value #MAX_FRACTION_DIGITS} fraction digits and
 * {@value #MAX_EXPONENT_DIGITS} exponent digits. Every text these rules accept is valid JSON (RFC 8259); the bounds
 * only leave out some valid texts.
 */
public final class JsonRules {
    /** Most spaces or tabs after a newline in one stretch of whitespace. */
    public static final int MAX_INDENT = 32;
    /** Most digits of an integer part. */
    public static final int MAX_INT_DIGITS = 20;
    /** Most digits after the decimal point. */
    public static final int MAX_FRACTION_DIGITS = 16;
    /** Most digits of an exponent. */
    public static final int MAX_EXPONENT_DIGITS = 3;

    /** Characters a JSON string may hold unescaped: anything but {@code "}, backslash and control characters. */
    static final String PLAIN_CHAR = Gbnf.charClass(true, new int[] {'"', '"'}, new int[] {'\\', '\\'},
            new int[] {0, 0x1F});

    private JsonRules() {
    }

    /** Optional bounded whitespace. */
    public static String ws(GrammarBuilder g) {
        return g.shared("ws", () -> "| \" \" | \"\\n\" [ \\t]{0," + MAX_INDENT + "}");
    }

    /** Any JSON value. */
    public static String value(GrammarBuilder g) {
        // Objects and arrays refer back to json-value: shared() reserves the name before building the body.
        return g.shared("json-value", () -> object(g) + " | " + array(g) + " | " + string(g) + " | " + number(g)
                + " | " + bool(g) + " | \"null\"");
    }

    /** Any JSON object. */
    public static String object(GrammarBuilder g) {
        return g.shared("json-object", () -> {
            String ws = ws(g);
            String member = g.shared("json-member",
                    () -> string(g) + " " + ws + " \":\" " + ws + " " + value(g) + " " + ws);
            return "\"{\" " + ws + " ( " + member + " ( \",\" " + ws + " " + member + " )* )? \"}\"";
        });
    }

    /** Any JSON array. */
    public static String array(GrammarBuilder g) {
        return g.shared("json-array", () -> {
            String ws = ws(g);
            String v = value(g);
            return "\"[\" " + ws + " ( " + v + " " + ws + " ( \",\" " + ws + " " + v + " " + ws + " )* )? \"]\"";
        });
    }

    /** Any JSON string. */
    public static String string(GrammarBuilder g) {
        return g.shared("json-string", () -> "\"\\\"\" " + character(g) + "* \"\\\"\"");
    }

    /** One character of a JSON string's content: a plain character or an escape sequence. */
    public static String character(GrammarBuilder g) {
        return g.shared("json-char", () -> PLAIN_CHAR + " | \"\\\\\" ( [\"\\\\/bfnrt] | \"u\" [0-9a-fA-F]{4} )");
    }

    /**
     * One code point of a JSON string's content, for strings with length limits: like {@link #character} but
     * without {@code \}{@code u} escapes of surrogates, which would make one code point count as two. Astral
     * characters can still be written as themselves.
     */
    public static String codePoint(GrammarBuilder g) {
        return g.shared("json-codepoint", () -> PLAIN_CHAR + " | \"\\\\\" ( [\"\\\\/bfnrt] | \"u\" "
                + "( [0-9a-cA-Ce-fE-F] [0-9a-fA-F]{3} | [dD] [0-7] [0-9a-fA-F]{2} ) )");
    }

    /** Any JSON number (bounded digits, see the class documentation). */
    public static String number(GrammarBuilder g) {
        return g.shared("json-number", () -> "\"-\"? " + naturalDigits(g) + " ( \".\" [0-9]{1,"
                + MAX_FRACTION_DIGITS + "} )? ( [eE] [-+]? [0-9]{1," + MAX_EXPONENT_DIGITS + "} )?");
    }

    /** Any JSON integer: optional minus, no fraction, no exponent. */
    public static String integer(GrammarBuilder g) {
        return g.shared("json-integer", () -> "\"-\"? " + naturalDigits(g));
    }

    /** {@code true} or {@code false}. */
    public static String bool(GrammarBuilder g) {
        return g.shared("json-boolean", () -> "\"true\" | \"false\"");
    }

    private static String naturalDigits(GrammarBuilder g) {
        return g.shared("json-natural", () -> "\"0\" | [1-9] [0-9]{0," + (MAX_INT_DIGITS - 1) + "}");
    }
}
