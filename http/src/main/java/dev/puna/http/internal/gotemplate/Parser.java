package dev.puna.http.internal.gotemplate;

import dev.puna.http.internal.gotemplate.Ast.ActionNode;
import dev.puna.http.internal.gotemplate.Ast.Arg;
import dev.puna.http.internal.gotemplate.Ast.Command;
import dev.puna.http.internal.gotemplate.Ast.ListNode;
import dev.puna.http.internal.gotemplate.Ast.Node;
import dev.puna.http.internal.gotemplate.Ast.Pipe;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Lexes and parses a Go template into an {@link Ast}; one use per template. */
final class Parser {
    private enum Kind { IDENT, FIELD, DOT, VARIABLE, STRING, NUMBER, CHAR, LPAREN, RPAREN, PIPE, DECLARE, ASSIGN,
        COMMA, EOF }

    /** An action token; {@code spaced} when whitespace came before it (Go's chaining depends on it). */
    private record Token(Kind kind, String text, Object value, boolean spaced) {
    }

    /** A text run (action == null) or an action's inner text (trim markers and braces removed). */
    private record Item(String text, String action, int offset) {
    }

    private static final Set<String> KEYWORDS = Set.of("if", "else", "end", "range", "with", "define", "template",
            "block", "break", "continue");

    private final List<Item> items;
    private int at;
    private int rangeDepth;

    private Parser(List<Item> items) {
        this.items = items;
    }

    static ListNode parse(String source) {
        Parser p = new Parser(lex(source));
        ListNode root = p.list(Set.of());
        if (p.at < p.items.size()) {
            throw new TemplateException("unexpected {{ " + p.items.get(p.at).action + " }}");
        }
        return root;
    }

    // ---- text and actions ----

    private static List<Item> lex(String s) {
        List<Item> raw = new ArrayList<>();
        List<boolean[]> trims = new ArrayList<>();
        int at = 0;
        while (at < s.length()) {
            int open = s.indexOf("{{", at);
            if (open < 0) {
                raw.add(new Item(s.substring(at), null, at));
                trims.add(null);
                break;
            }
            if (open > at) {
                raw.add(new Item(s.substring(at, open), null, at));
                trims.add(null);
            }
            int innerStart = open + 2;
            boolean trimLeft = s.startsWith("-", innerStart) && innerStart + 1 < s.length()
                    && isSpace(s.charAt(innerStart + 1));
            if (trimLeft) {
                innerStart++;
            }
            int close = findClose(s, innerStart);
            if (close < 0) {
                throw new TemplateException("unclosed action: '{{' at offset " + open + " has no '}}'");
            }
            int innerEnd = close;
            boolean trimRight = close - 2 >= innerStart && s.charAt(close - 1) == '-' && isSpace(s.charAt(close - 2));
            if (trimRight) {
                innerEnd--;
            }
            String inner = s.substring(innerStart, innerEnd).strip();
            raw.add(new Item(null, inner, open));
            trims.add(new boolean[] {trimLeft, trimRight});
            at = close + 2;
        }
        List<Item> out = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            Item t = raw.get(i);
            if (t.action != null) {
                if (!t.action.startsWith("/*")) {
                    out.add(t);
                } else if (!t.action.endsWith("*/") || t.action.length() < 4) {
                    throw new TemplateException("comment ends before closing delimiter at offset " + t.offset);
                }
                continue;
            }
            String text = t.text;
            if (i > 0 && trims.get(i - 1) != null && trims.get(i - 1)[1]) {
                text = stripLeadingSpace(text);
            }
            if (i + 1 < raw.size() && trims.get(i + 1) != null && trims.get(i + 1)[0]) {
                text = stripTrailingSpace(text);
            }
            if (!text.isEmpty()) {
                out.add(new Item(text, null, t.offset));
            }
        }
        return out;
    }

    /** The "}}" ending an action that starts at {@code from}, skipping quoted strings. */
    private static int findClose(String s, int from) {
        int i = from;
        while (i < s.length() && isSpace(s.charAt(i))) {
            i++;
        }
        if (s.startsWith("/*", i)) {
            int end = s.indexOf("*/", i + 2);
            return end < 0 ? -1 : s.indexOf("}}", end + 2);
        }
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"' || c == '`' || c == '\'') {
                int end = i + 1;
                while (end < s.length() && s.charAt(end) != c) {
                    if (c != '`' && s.charAt(end) == '\\') {
                        end++;
                    }
                    end++;
                }
                i = end + 1;
            } else if (s.startsWith("}}", i)) {
                return i;
            } else {
                i++;
            }
        }
        return -1;
    }

    /** Go trims ASCII white space: space, tab, newline, carriage return. */
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private static String stripLeadingSpace(String s) {
        int i = 0;
        while (i < s.length() && isSpace(s.charAt(i))) {
            i++;
        }
        return s.substring(i);
    }

    private static String stripTrailingSpace(String s) {
        int i = s.length();
        while (i > 0 && isSpace(s.charAt(i - 1))) {
            i--;
        }
        return s.substring(0, i);
    }

    // ---- structure ----

    /** Nodes up to an action whose first word is in {@code stops} (left unconsumed). */
    private ListNode list(Set<String> stops) {
        List<Node> nodes = new ArrayList<>();
        while (at < items.size()) {
            Item item = items.get(at);
            if (item.action == null) {
                nodes.add(new Ast.TextNode(item.text));
                at++;
                continue;
            }
            String word = firstWord(item.action);
            if (stops.contains(word)) {
                return new ListNode(List.copyOf(nodes));
            }
            at++;
            nodes.add(action(item, word));
        }
        return new ListNode(List.copyOf(nodes));
    }

    private Node action(Item item, String word) {
        String a = item.action;
        switch (word) {
            case "if" -> {
                return ifNode(rest(a, "if"), a);
            }
            case "range" -> {
                Pipe p = pipe(rest(a, "range"), a, true);
                rangeDepth++;
                ListNode body = list(Set.of("else", "end"));
                rangeDepth--;
                ListNode otherwise = elseOnly(a);
                return new Ast.RangeNode(p, body, otherwise);
            }
            case "with" -> {
                return withNode(rest(a, "with"), a);
            }
            case "break", "continue" -> {
                if (rangeDepth == 0) {
                    throw new TemplateException("{{ " + word + " }} outside {{ range }}");
                }
                if (!a.equals(word)) {
                    throw new TemplateException("unexpected text in {{ " + a + " }}");
                }
                return word.equals("break") ? new Ast.BreakNode() : new Ast.ContinueNode();
            }
            case "else", "end" -> throw new TemplateException("unexpected {{ " + a + " }}");
            case "define", "template", "block" -> throw new TemplateException("unsupported template action {{ "
                    + a + " }}: named templates ({{ " + word + " }}) are not supported");
            default -> {
                return new ActionNode(pipe(a, a, false), a);
            }
        }
    }

    private Node ifNode(String condition, String action) {
        Pipe p = pipe(condition, action, false);
        ListNode then = list(Set.of("else", "end"));
        if (at >= items.size()) {
            throw new TemplateException("missing {{ end }} for {{ " + action + " }}");
        }
        String a = items.get(at++).action;
        if (a.equals("end")) {
            return new Ast.IfNode(p, then, null);
        }
        String rest = rest(a, "else");
        if (rest.isEmpty()) {
            ListNode otherwise = list(Set.of("else", "end"));
            expectEnd(action);
            return new Ast.IfNode(p, then, otherwise);
        }
        // {{ else if ... }} and {{ else with ... }} share the outer {{ end }}.
        Node nested = chained(rest, a, action);
        return new Ast.IfNode(p, then, new ListNode(List.of(nested)));
    }

    private Node withNode(String pipeline, String action) {
        Pipe p = pipe(pipeline, action, false);
        ListNode then = list(Set.of("else", "end"));
        if (at >= items.size()) {
            throw new TemplateException("missing {{ end }} for {{ " + action + " }}");
        }
        String a = items.get(at++).action;
        if (a.equals("end")) {
            return new Ast.WithNode(p, then, null);
        }
        String rest = rest(a, "else");
        if (rest.isEmpty()) {
            ListNode otherwise = list(Set.of("else", "end"));
            expectEnd(action);
            return new Ast.WithNode(p, then, otherwise);
        }
        Node nested = chained(rest, a, action);
        return new Ast.WithNode(p, then, new ListNode(List.of(nested)));
    }

    private Node chained(String rest, String elseAction, String opening) {
        String word = firstWord(rest);
        return switch (word) {
            case "if" -> ifNode(rest(rest, "if"), opening);
            case "with" -> withNode(rest(rest, "with"), opening);
            default -> throw new TemplateException("unexpected {{ " + elseAction + " }}: expected {{ else }}, "
                    + "{{ else if ... }} or {{ else with ... }}");
        };
    }

    /** After a range body: {{ end }} or {{ else }} ... {{ end }}. */
    private ListNode elseOnly(String opening) {
        if (at >= items.size()) {
            throw new TemplateException("missing {{ end }} for {{ " + opening + " }}");
        }
        String a = items.get(at++).action;
        if (a.equals("end")) {
            return null;
        }
        if (!a.equals("else")) {
            throw new TemplateException("unexpected {{ " + a + " }} in {{ " + opening + " }}");
        }
        ListNode otherwise = list(Set.of("else", "end"));
        expectEnd(opening);
        return otherwise;
    }

    private void expectEnd(String opening) {
        if (at >= items.size() || !items.get(at).action.equals("end")) {
            throw new TemplateException("missing {{ end }} for {{ " + opening + " }}");
        }
        at++;
    }

    private static String firstWord(String action) {
        int i = 0;
        while (i < action.length() && (Character.isLetterOrDigit(action.charAt(i)) || action.charAt(i) == '_')) {
            i++;
        }
        String w = action.substring(0, i);
        return KEYWORDS.contains(w) && (i == action.length() || !isIdentChar(action.charAt(i))) ? w : "";
    }

    private static boolean isIdentChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    private static String rest(String action, String keyword) {
        return action.substring(keyword.length()).strip();
    }

    // ---- pipelines ----

    private static Pipe pipe(String text, String action, boolean allowTwoVars) {
        if (text.isEmpty()) {
            throw new TemplateException("missing value in {{ " + action + " }}");
        }
        List<Token> tokens = tokens(text, action);
        int i = 0;
        List<String> decl = new ArrayList<>();
        boolean assign = false;
        // $x := ..., $x = ..., $i, $e := ... (range only)
        int j = 0;
        List<String> vars = new ArrayList<>();
        while (j < tokens.size() && tokens.get(j).kind == Kind.VARIABLE) {
            vars.add(tokens.get(j).text);
            j++;
            if (j < tokens.size() && tokens.get(j).kind == Kind.COMMA) {
                j++;
                continue;
            }
            break;
        }
        if (!vars.isEmpty() && j < tokens.size()
                && (tokens.get(j).kind == Kind.DECLARE || tokens.get(j).kind == Kind.ASSIGN)) {
            if (vars.size() > (allowTwoVars ? 2 : 1)) {
                throw new TemplateException("too many declarations in {{ " + action + " }}");
            }
            assign = tokens.get(j).kind == Kind.ASSIGN;
            decl.addAll(vars);
            i = j + 1;
        }
        Cursor c = new Cursor(tokens, i, action);
        Pipe p = pipeline(c, decl, assign, text);
        if (c.i < tokens.size()) {
            throw new TemplateException("unexpected " + describe(tokens.get(c.i)) + " in {{ " + action + " }}");
        }
        return p;
    }

    private static final class Cursor {
        final List<Token> tokens;
        int i;
        final String action;

        Cursor(List<Token> tokens, int i, String action) {
            this.tokens = tokens;
            this.i = i;
            this.action = action;
        }

        Token peek() {
            return i < tokens.size() ? tokens.get(i) : new Token(Kind.EOF, "", null, true);
        }
    }

    private static Pipe pipeline(Cursor c, List<String> decl, boolean assign, String source) {
        List<Command> commands = new ArrayList<>();
        while (true) {
            List<Arg> args = new ArrayList<>();
            while (true) {
                Kind k = c.peek().kind;
                if (k == Kind.EOF || k == Kind.PIPE || k == Kind.RPAREN) {
                    break;
                }
                if (!args.isEmpty() && !c.peek().spaced) {
                    throw new TemplateException("unexpected " + describe(c.peek()) + " in {{ " + c.action
                            + " }}: arguments are separated by spaces");
                }
                args.add(operand(c));
            }
            if (args.isEmpty()) {
                throw new TemplateException("missing value in {{ " + c.action + " }}");
            }
            commands.add(new Command(List.copyOf(args)));
            if (c.peek().kind == Kind.PIPE) {
                c.i++;
                continue;
            }
            break;
        }
        for (int k = 1; k < commands.size(); k++) {
            Arg first = commands.get(k).args().getFirst();
            if (!(first instanceof Ast.FunctionArg)) {
                throw new TemplateException("non-function in pipeline stage " + (k + 1) + " of {{ " + c.action
                        + " }}");
            }
        }
        return new Pipe(List.copyOf(decl), assign, List.copyOf(commands), source);
    }

    private static Arg operand(Cursor c) {
        Token t = c.tokens.get(c.i++);
        Arg term = switch (t.kind) {
            case DOT -> new Ast.DotArg();
            case FIELD -> {
                List<String> chain = new ArrayList<>();
                chain.add(t.text);
                chainFields(c, chain);
                yield new Ast.FieldArg(List.copyOf(chain));
            }
            case VARIABLE -> {
                List<String> chain = new ArrayList<>();
                chainFields(c, chain);
                yield new Ast.VariableArg(t.text, List.copyOf(chain));
            }
            case STRING, NUMBER, CHAR -> new Ast.LiteralArg(t.value);
            case IDENT -> switch (t.text) {
                case "true" -> new Ast.LiteralArg(Boolean.TRUE);
                case "false" -> new Ast.LiteralArg(Boolean.FALSE);
                case "nil" -> new Ast.NilArg();
                default -> {
                    if (KEYWORDS.contains(t.text)) {
                        throw new TemplateException("unexpected keyword " + t.text + " in {{ " + c.action + " }}");
                    }
                    if (GoTemplate.GO_BUILTINS_NOT_RUN.contains(t.text)) {
                        throw new TemplateException("unsupported function " + t.text + " in {{ " + c.action
                                + " }}: Go's " + t.text + " is not supported");
                    }
                    if (!GoTemplate.FUNCTIONS.contains(t.text)) {
                        throw new TemplateException("function \"" + t.text + "\" not defined in {{ " + c.action
                                + " }}");
                    }
                    yield new Ast.FunctionArg(t.text);
                }
            };
            case LPAREN -> {
                Pipe inner = pipeline(c, List.of(), false, c.action);
                if (c.peek().kind != Kind.RPAREN) {
                    throw new TemplateException("unclosed left paren in {{ " + c.action + " }}");
                }
                c.i++;
                List<String> chain = new ArrayList<>();
                chainFields(c, chain);
                yield new Ast.PipeArg(inner, List.copyOf(chain));
            }
            default -> throw new TemplateException("unexpected " + describe(t) + " in {{ " + c.action + " }}");
        };
        return term;
    }

    /** Field tokens directly after a term ({@code $x.A.B}, {@code (..).A}) extend it. */
    private static void chainFields(Cursor c, List<String> chain) {
        while (c.peek().kind == Kind.FIELD && !c.peek().spaced) {
            chain.add(c.tokens.get(c.i++).text);
        }
    }

    private static String describe(Token t) {
        return switch (t.kind) {
            case EOF -> "end of action";
            case FIELD -> "field ." + t.text;
            default -> "'" + t.text + "'";
        };
    }

    // ---- action tokens ----

    private static List<Token> tokens(String s, String action) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        boolean spaced = true;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (isSpace(c)) {
                spaced = true;
                i++;
                continue;
            }
            int start = i;
            Token t;
            if (c == '.' && (i + 1 >= s.length() || !isIdentStart(s.charAt(i + 1)))) {
                if (i + 1 < s.length() && Character.isDigit(s.charAt(i + 1))) {
                    i = number(s, i);
                    t = numberToken(s.substring(start, i), spaced, action);
                } else {
                    i++;
                    t = new Token(Kind.DOT, ".", null, spaced);
                }
            } else if (c == '.') {
                i++;
                while (i < s.length() && isIdentChar(s.charAt(i))) {
                    i++;
                }
                t = new Token(Kind.FIELD, s.substring(start + 1, i), null, spaced);
            } else if (c == '$') {
                i++;
                while (i < s.length() && isIdentChar(s.charAt(i))) {
                    i++;
                }
                t = new Token(Kind.VARIABLE, s.substring(start, i), null, spaced);
            } else if (isIdentStart(c)) {
                while (i < s.length() && isIdentChar(s.charAt(i))) {
                    i++;
                }
                t = new Token(Kind.IDENT, s.substring(start, i), null, spaced);
            } else if (c == '"') {
                StringBuilder sb = new StringBuilder();
                i++;
                while (true) {
                    if (i >= s.length() || s.charAt(i) == '\n') {
                        throw new TemplateException("unterminated quoted string in {{ " + action + " }}");
                    }
                    char d = s.charAt(i);
                    if (d == '"') {
                        i++;
                        break;
                    }
                    if (d == '\\') {
                        i = escape(s, i + 1, sb, action);
                    } else {
                        sb.append(d);
                        i++;
                    }
                }
                t = new Token(Kind.STRING, s.substring(start, i), sb.toString(), spaced);
            } else if (c == '`') {
                int end = s.indexOf('`', i + 1);
                if (end < 0) {
                    throw new TemplateException("unterminated raw quoted string in {{ " + action + " }}");
                }
                t = new Token(Kind.STRING, s.substring(start, end + 1), s.substring(i + 1, end), spaced);
                i = end + 1;
            } else if (c == '\'') {
                StringBuilder sb = new StringBuilder();
                i++;
                if (i < s.length() && s.charAt(i) == '\\') {
                    i = escape(s, i + 1, sb, action);
                } else if (i < s.length()) {
                    sb.appendCodePoint(s.codePointAt(i));
                    i += Character.charCount(s.codePointAt(i));
                }
                if (i >= s.length() || s.charAt(i) != '\'' || sb.isEmpty()) {
                    throw new TemplateException("malformed character constant in {{ " + action + " }}");
                }
                i++;
                t = new Token(Kind.CHAR, s.substring(start, i), (long) sb.codePointAt(0), spaced);
            } else if (Character.isDigit(c) || ((c == '-' || c == '+') && i + 1 < s.length()
                    && (Character.isDigit(s.charAt(i + 1)) || s.charAt(i + 1) == '.'))) {
                i = number(s, i);
                t = numberToken(s.substring(start, i), spaced, action);
            } else if (c == '(') {
                i++;
                t = new Token(Kind.LPAREN, "(", null, spaced);
            } else if (c == ')') {
                i++;
                t = new Token(Kind.RPAREN, ")", null, spaced);
            } else if (c == '|') {
                if (s.startsWith("||", i)) {
                    throw new TemplateException("unexpected '||' in {{ " + action + " }}: use the or function");
                }
                i++;
                t = new Token(Kind.PIPE, "|", null, spaced);
            } else if (s.startsWith(":=", i)) {
                i += 2;
                t = new Token(Kind.DECLARE, ":=", null, spaced);
            } else if (c == '=') {
                if (s.startsWith("==", i)) {
                    throw new TemplateException("unexpected '==' in {{ " + action + " }}: use the eq function");
                }
                i++;
                t = new Token(Kind.ASSIGN, "=", null, spaced);
            } else if (c == ',') {
                i++;
                t = new Token(Kind.COMMA, ",", null, spaced);
            } else {
                throw new TemplateException("unexpected '" + c + "' in {{ " + action + " }}");
            }
            out.add(t);
            spaced = false;
        }
        return out;
    }

    private static boolean isIdentStart(char c) {
        return Character.isLetter(c) || c == '_';
    }

    private static int number(String s, int i) {
        int j = i;
        if (s.charAt(j) == '-' || s.charAt(j) == '+') {
            j++;
        }
        while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '.' || s.charAt(j) == '_'
                || ((s.charAt(j) == '-' || s.charAt(j) == '+') && (s.charAt(j - 1) == 'e' || s.charAt(j - 1) == 'E')))) {
            j++;
        }
        return j;
    }

    private static Token numberToken(String text, boolean spaced, String action) {
        String t = text.replace("_", "");
        try {
            if (t.matches("[+-]?\\d+")) {
                return new Token(Kind.NUMBER, text, Long.parseLong(t), spaced);
            }
            if (t.matches("[+-]?0[xX][0-9a-fA-F]+")) {
                boolean negative = t.startsWith("-");
                long v = Long.parseLong(t.replaceFirst("^[+-]?0[xX]", ""), 16);
                return new Token(Kind.NUMBER, text, negative ? -v : v, spaced);
            }
            if (t.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
                return new Token(Kind.NUMBER, text, Double.parseDouble(t), spaced);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new TemplateException("bad number syntax: " + text + " in {{ " + action + " }}");
    }

    private static int escape(String s, int i, StringBuilder sb, String action) {
        if (i >= s.length()) {
            throw new TemplateException("unterminated quoted string in {{ " + action + " }}");
        }
        char e = s.charAt(i);
        switch (e) {
            case 'n' -> sb.append('\n');
            case 't' -> sb.append('\t');
            case 'r' -> sb.append('\r');
            case '\\' -> sb.append('\\');
            case '"' -> sb.append('"');
            case '\'' -> sb.append('\'');
            case 'a' -> sb.append('\u0007');
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case 'v' -> sb.append('\u000B');
            case 'x', 'u', 'U' -> {
                int len = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                if (i + 1 + len > s.length()) {
                    throw new TemplateException("bad escape in {{ " + action + " }}");
                }
                String hex = s.substring(i + 1, i + 1 + len);
                try {
                    int cp = Integer.parseInt(hex, 16);
                    if (e == 'x') {
                        sb.append((char) cp); // a byte; templates use it for ASCII
                    } else {
                        sb.appendCodePoint(cp);
                    }
                } catch (IllegalArgumentException ex) {
                    throw new TemplateException("bad escape \\" + e + hex + " in {{ " + action + " }}");
                }
                return i + 1 + len;
            }
            default -> throw new TemplateException("unknown escape sequence \\" + e + " in {{ " + action + " }}");
        }
        return i + 1;
    }
}
