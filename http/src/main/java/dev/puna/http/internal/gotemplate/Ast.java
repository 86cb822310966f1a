package dev.puna.http.internal.gotemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The parse tree of a {@link GoTemplate}, shaped like Go's {@code text/template/parse}, and walks over it. */
final class Ast {
    private Ast() {
    }

    sealed interface Node permits TextNode, ActionNode, IfNode, RangeNode, WithNode, BreakNode, ContinueNode,
            ListNode {
    }

    record ListNode(List<Node> nodes) implements Node {
    }

    record TextNode(String text) implements Node {
    }

    /** {@code {{ pipeline }}}: prints the value unless the pipeline declares variables. */
    record ActionNode(Pipe pipe, String source) implements Node {
    }

    record IfNode(Pipe pipe, ListNode list, ListNode elseList) implements Node {
    }

    record RangeNode(Pipe pipe, ListNode list, ListNode elseList) implements Node {
    }

    record WithNode(Pipe pipe, ListNode list, ListNode elseList) implements Node {
    }

    record BreakNode() implements Node {
    }

    record ContinueNode() implements Node {
    }

    /**
     * A pipeline: optional variable declarations ({@code $x :=}) or assignment ({@code $x =}), then commands
     * joined by {@code |}.
     */
    record Pipe(List<String> decl, boolean assign, List<Command> commands, String source) {
    }

    /** One command: an operand, or a function and its arguments. */
    record Command(List<Arg> args) {
    }

    sealed interface Arg permits DotArg, FieldArg, VariableArg, FunctionArg, LiteralArg, NilArg, PipeArg {
    }

    /** {@code .} */
    record DotArg() implements Arg {
    }

    /** {@code .A.B} on dot. */
    record FieldArg(List<String> chain) implements Arg {
    }

    /** {@code $x.A.B}; name is {@code $} for the root. */
    record VariableArg(String name, List<String> chain) implements Arg {
    }

    /** A function name. */
    record FunctionArg(String name) implements Arg {
    }

    record LiteralArg(Object value) implements Arg {
    }

    record NilArg() implements Arg {
    }

    /** {@code (pipeline).A.B} */
    record PipeArg(Pipe pipe, List<String> chain) implements Arg {
    }

    // ---- Ollama's deleteNode: everything after the first .Response field goes ----

    static ListNode cut(ListNode list, boolean[] cut) {
        return (ListNode) cutNode(list, cut);
    }

    /** Returns null when the node is deleted. */
    private static Node cutNode(Node n, boolean[] cut) {
        if (cut[0]) {
            return null;
        }
        return switch (n) {
            case ListNode l -> {
                List<Node> kept = new ArrayList<>();
                for (Node c : l.nodes()) {
                    Node k = cutNode(c, cut);
                    if (k != null) {
                        kept.add(k);
                    }
                }
                yield new ListNode(List.copyOf(kept));
            }
            // Go walks an if's branches, not its condition: {{ if .Response }} does not cut.
            case IfNode i -> new IfNode(i.pipe(), cutList(i.list(), cut), cutList(i.elseList(), cut));
            case RangeNode r -> new RangeNode(r.pipe(), cutList(r.list(), cut), cutList(r.elseList(), cut));
            case WithNode w -> new WithNode(w.pipe(), cutList(w.list(), cut), cutList(w.elseList(), cut));
            case ActionNode a -> {
                Pipe p = cutPipe(a.pipe(), cut);
                yield p == null ? null : new ActionNode(p, a.source());
            }
            default -> n;
        };
    }

    private static ListNode cutList(ListNode l, boolean[] cut) {
        if (l == null) {
            return null;
        }
        ListNode out = (ListNode) cutNode(l, cut);
        return out == null ? new ListNode(List.of()) : out;
    }

    private static Pipe cutPipe(Pipe p, boolean[] cut) {
        List<Command> commands = new ArrayList<>();
        for (Command c : p.commands()) {
            List<Arg> args = new ArrayList<>();
            for (Arg a : c.args()) {
                if (cut[0]) {
                    continue;
                }
                if (a instanceof FieldArg f && f.chain().contains("Response")) {
                    cut[0] = true; // the Response field itself stays
                }
                args.add(a);
            }
            if (args.isEmpty()) {
                return null;
            }
            commands.add(new Command(List.copyOf(args)));
        }
        return commands.isEmpty() ? null : new Pipe(p.decl(), p.assign(), List.copyOf(commands), p.source());
    }

    // ---- walks ----

    static void identifiers(Node n, Set<String> out) {
        switch (n) {
            case ListNode l -> l.nodes().forEach(c -> identifiers(c, out));
            case ActionNode a -> identifiers(a.pipe(), out);
            case IfNode i -> branch(i.pipe(), i.list(), i.elseList(), out);
            case RangeNode r -> branch(r.pipe(), r.list(), r.elseList(), out);
            case WithNode w -> branch(w.pipe(), w.list(), w.elseList(), out);
            default -> {
            }
        }
    }

    private static void branch(Pipe p, ListNode list, ListNode elseList, Set<String> out) {
        identifiers(p, out);
        identifiers(list, out);
        if (elseList != null) {
            identifiers(elseList, out);
        }
    }

    private static void identifiers(Pipe p, Set<String> out) {
        for (Command c : p.commands()) {
            for (Arg a : c.args()) {
                switch (a) {
                    case FieldArg f -> f.chain().forEach(x -> out.add(GoTemplate.lower(x)));
                    case VariableArg v -> v.chain().forEach(x -> out.add(GoTemplate.lower(x)));
                    case PipeArg pa -> {
                        identifiers(pa.pipe(), out);
                        pa.chain().forEach(x -> out.add(GoTemplate.lower(x)));
                    }
                    default -> {
                    }
                }
            }
        }
    }

    static boolean prints(Node n, String field) {
        return switch (n) {
            case ListNode l -> l.nodes().stream().anyMatch(c -> prints(c, field));
            case ActionNode a -> a.pipe().decl().isEmpty() && a.pipe().commands().size() == 1
                    && a.pipe().commands().getFirst().args().size() == 1
                    && a.pipe().commands().getFirst().args().getFirst() instanceof FieldArg f
                    && f.chain().equals(List.of(field));
            case IfNode i -> prints(i.list(), field) || (i.elseList() != null && prints(i.elseList(), field));
            case RangeNode r -> prints(r.list(), field) || (r.elseList() != null && prints(r.elseList(), field));
            case WithNode w -> prints(w.list(), field) || (w.elseList() != null && prints(w.elseList(), field));
            default -> false;
        };
    }

    /**
     * Adds to {@code out} the text just before and just after the first action that prints {@code .field} inside
     * a {@code range} (Ollama's thinking-tag inference: {@code <think>{{ .Thinking }}</think>}).
     */
    static boolean textAround(Node n, String field, boolean inRange, List<String> out) {
        switch (n) {
            case ListNode l -> {
                List<Node> nodes = l.nodes();
                for (int i = 0; i < nodes.size(); i++) {
                    Node c = nodes.get(i);
                    if (inRange && prints(c, field) && c instanceof ActionNode) {
                        out.add(i > 0 && nodes.get(i - 1) instanceof TextNode t ? t.text() : "");
                        out.add(i + 1 < nodes.size() && nodes.get(i + 1) instanceof TextNode t ? t.text() : "");
                        return true;
                    }
                    if (textAround(c, field, inRange, out)) {
                        return true;
                    }
                }
                return false;
            }
            case IfNode i -> {
                return textAround(i.list(), field, inRange, out)
                        || (i.elseList() != null && textAround(i.elseList(), field, inRange, out));
            }
            case WithNode w -> {
                return textAround(w.list(), field, inRange, out)
                        || (w.elseList() != null && textAround(w.elseList(), field, inRange, out));
            }
            case RangeNode r -> {
                return textAround(r.list(), field, true, out);
            }
            default -> {
                return false;
            }
        }
    }
}
