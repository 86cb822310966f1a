package dev.puna.http.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The subset of Go's text/template syntax that Ollama's {@code template} field on {@code /api/generate} is used
 * with in practice: {@code {{ .System }}}, {@code {{ .Prompt }}}, {@code {{ .Response }}},
 * {@code {{ if .X }}…{{ else if .Y }}…{{ else }}…{{ end }}}, comments, and the {@code {{-}}/{@code -}}}
 * whitespace trimming markers. Anything else ({@code range}, {@code .Messages}, functions, pipelines) is rejected
 * at {@link #parse} with a message naming it, never rendered wrongly.
 *
 * <p>As in Ollama, rendering a prompt stops at {@code {{ .Response }}}: what follows it is the end of the
 * model's own turn, which the model writes.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class GoTemplate {
    /** The variables a template may use. */
    public static final Set<String> FIELDS = Set.of("System", "Prompt", "Response");

    private static final Pattern FIELD = Pattern.compile("\\.([A-Za-z_][A-Za-z0-9_]*)");

    private sealed interface Node permits Text, Field, If {
    }

    private record Text(String text) implements Node {
    }

    private record Field(String name) implements Node {
    }

    /** {@code if cond then else}; an {@code else if} chain is an If in {@code otherwise}. */
    private record If(String condition, List<Node> then, List<Node> otherwise) implements Node {
    }

    private final List<Node> nodes;

    private GoTemplate(List<Node> nodes) {
        this.nodes = nodes;
    }

    /**
     * Parses {@code source}.
     *
     * @throws IllegalArgumentException naming the unsupported or malformed construct
     */
    public static GoTemplate parse(String source) {
        List<Token> tokens = tokenize(source);
        Parser p = new Parser(tokens);
        List<Node> nodes = p.block(Set.of());
        if (p.at < tokens.size()) {
            Token t = tokens.get(p.at);
            throw new IllegalArgumentException("unexpected {{ " + t.action + " }} without a matching {{ if }}");
        }
        return new GoTemplate(List.copyOf(nodes));
    }

    /**
     * Renders with {@code values} (missing ones are empty), stopping at {@code {{ .Response }}}.
     *
     * @param values values of {@code System}, {@code Prompt}, {@code Response}
     */
    public String render(Map<String, String> values) {
        StringBuilder out = new StringBuilder();
        render(nodes, values, out);
        return out.toString();
    }

    /** Whether the template uses {@code name} anywhere (for example to know if it places the system prompt). */
    public boolean uses(String name) {
        return uses(nodes, name);
    }

    private static boolean uses(List<Node> nodes, String name) {
        for (Node n : nodes) {
            boolean found = switch (n) {
                case Text t -> false;
                case Field f -> f.name.equals(name);
                case If i -> i.condition.equals(name) || uses(i.then, name) || uses(i.otherwise, name);
            };
            if (found) {
                return true;
            }
        }
        return false;
    }

    /** Returns false when rendering reached {@code .Response} and must stop. */
    private static boolean render(List<Node> nodes, Map<String, String> values, StringBuilder out) {
        for (Node n : nodes) {
            switch (n) {
                case Text t -> out.append(t.text);
                case Field f -> {
                    if (f.name.equals("Response")) {
                        return false;
                    }
                    out.append(values.getOrDefault(f.name, ""));
                }
                case If i -> {
                    String v = values.getOrDefault(i.condition, "");
                    if (!render(v.isEmpty() ? i.otherwise : i.then, values, out)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    // ---- lexing: text and {{ actions }} with trim markers ----

    /** A text run (action == null) or an action with its trimmed inner text. */
    private record Token(String text, String action) {
    }

    private static List<Token> tokenize(String s) {
        List<Token> raw = new ArrayList<>();
        List<boolean[]> trims = new ArrayList<>(); // per action: trim left, trim right
        int at = 0;
        while (at < s.length()) {
            int open = s.indexOf("{{", at);
            if (open < 0) {
                raw.add(new Token(s.substring(at), null));
                trims.add(null);
                break;
            }
            if (open > at) {
                raw.add(new Token(s.substring(at, open), null));
                trims.add(null);
            }
            int close = s.indexOf("}}", open + 2);
            if (close < 0) {
                throw new IllegalArgumentException("unclosed action: '{{' at offset " + open + " has no '}}'");
            }
            String inner = s.substring(open + 2, close);
            // Go's markers are "{{- " and " -}}": the dash must be next to whitespace, else it is a minus sign.
            boolean trimLeft = inner.length() > 1 && inner.charAt(0) == '-' && Character.isWhitespace(inner.charAt(1));
            boolean trimRight = inner.length() > 1 && inner.charAt(inner.length() - 1) == '-'
                    && Character.isWhitespace(inner.charAt(inner.length() - 2));
            if (trimLeft) {
                inner = inner.substring(1);
            }
            if (trimRight) {
                inner = inner.substring(0, inner.length() - 1);
            }
            raw.add(new Token(null, inner.strip()));
            trims.add(new boolean[] {trimLeft, trimRight});
            at = close + 2;
        }
        // Apply trim markers to the neighbouring text, as Go does (all whitespace, newlines included).
        List<Token> out = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            Token t = raw.get(i);
            if (t.action != null) {
                out.add(t);
                continue;
            }
            String text = t.text;
            if (i > 0 && trims.get(i - 1) != null && trims.get(i - 1)[1]) {
                text = text.stripLeading();
            }
            if (i + 1 < raw.size() && trims.get(i + 1) != null && trims.get(i + 1)[0]) {
                text = text.stripTrailing();
            }
            if (!text.isEmpty()) {
                out.add(new Token(text, null));
            }
        }
        return out;
    }

    private static final class Parser {
        final List<Token> tokens;
        int at;

        Parser(List<Token> tokens) {
            this.tokens = tokens;
        }

        /** Nodes up to (not including) an action whose keyword is in {@code stops}. */
        List<Node> block(Set<String> stops) {
            List<Node> nodes = new ArrayList<>();
            while (at < tokens.size()) {
                Token t = tokens.get(at);
                if (t.action == null) {
                    nodes.add(new Text(t.text));
                    at++;
                    continue;
                }
                String a = t.action;
                String keyword = a.split("\\s+", 2)[0];
                if (stops.contains(keyword)) {
                    return nodes;
                }
                at++;
                if (a.startsWith("/*") && a.endsWith("*/")) {
                    continue; // a comment
                }
                if (keyword.equals("if")) {
                    nodes.add(ifNode(condition(a.substring(2).strip(), a)));
                } else if (keyword.equals("else") || keyword.equals("end")) {
                    throw new IllegalArgumentException("unexpected {{ " + a + " }} without a matching {{ if }}");
                } else {
                    nodes.add(new Field(field(a)));
                }
            }
            return nodes; // an unclosed {{ if }} is reported by ifNode, which knows its condition
        }

        private If ifNode(String condition) {
            List<Node> then = block(Set.of("else", "end"));
            if (at >= tokens.size()) {
                throw new IllegalArgumentException("missing {{ end }} for {{ if ." + condition + " }}");
            }
            String a = tokens.get(at++).action;
            if (a.equals("end")) {
                return new If(condition, List.copyOf(then), List.of());
            }
            String rest = a.substring(4).strip(); // after "else"
            if (rest.isEmpty()) {
                List<Node> otherwise = block(Set.of("end", "else"));
                if (at >= tokens.size() || !tokens.get(at).action.equals("end")) {
                    throw new IllegalArgumentException("missing {{ end }} for {{ if ." + condition + " }}");
                }
                at++;
                return new If(condition, List.copyOf(then), List.copyOf(otherwise));
            }
            if (!rest.startsWith("if ")) {
                throw new IllegalArgumentException("unsupported template action {{ " + a + " }}");
            }
            // else if: the rest of the chain shares this if's {{ end }}
            If nested = ifNode(condition(rest.substring(3).strip(), a));
            return new If(condition, List.copyOf(then), List.of(nested));
        }

        private static String condition(String expr, String action) {
            if (!FIELD.matcher(expr).matches()) {
                throw new IllegalArgumentException("unsupported template action {{ " + action
                        + " }}: only {{ if .System }}, {{ if .Prompt }} and {{ if .Response }} conditions are supported");
            }
            return field(expr);
        }

        private static String field(String expr) {
            Matcher m = FIELD.matcher(expr);
            if (!m.matches()) {
                throw new IllegalArgumentException("unsupported template action {{ " + expr
                        + " }}: only .System, .Prompt, .Response, if/else/end and comments are supported");
            }
            String name = m.group(1);
            if (!FIELDS.contains(name)) {
                throw new IllegalArgumentException("unsupported template variable ." + name
                        + ": only .System, .Prompt and .Response are supported");
            }
            return name;
        }
    }
}
