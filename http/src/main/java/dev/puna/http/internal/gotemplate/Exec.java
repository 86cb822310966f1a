package dev.puna.http.internal.gotemplate;

import dev.puna.http.internal.gotemplate.Ast.Arg;
import dev.puna.http.internal.gotemplate.Ast.Command;
import dev.puna.http.internal.gotemplate.Ast.ListNode;
import dev.puna.http.internal.gotemplate.Ast.Node;
import dev.puna.http.internal.gotemplate.Ast.Pipe;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** One execution of a template: Go's {@code text/template} exec, over Java forms of Go values. */
final class Exec {
    /** What {@code fmt.Print} shows for a missing value. */
    static final String NO_VALUE = "<no value>";
    private static final int MAX_RANGE_DEPTH = 100;

    private final Clock clock;
    private final StringBuilder out;
    private final Object root;
    private final List<Object[]> vars = new ArrayList<>(); // {name, value}
    private int depth;

    private static final class Break extends RuntimeException {
        Break() {
            super(null, null, false, false);
        }
    }

    private static final class Continue extends RuntimeException {
        Continue() {
            super(null, null, false, false);
        }
    }

    Exec(Clock clock, StringBuilder out, Object root) {
        this.clock = clock;
        this.out = out;
        this.root = root;
        vars.add(new Object[] {"$", root});
    }

    void run(ListNode list) {
        walk(root, list);
    }

    private void walk(Object dot, Node n) {
        switch (n) {
            case ListNode l -> {
                for (Node c : l.nodes()) {
                    walk(dot, c);
                }
            }
            case Ast.TextNode t -> out.append(t.text());
            case Ast.ActionNode a -> {
                Object v = pipe(dot, a.pipe());
                if (a.pipe().decl().isEmpty()) {
                    out.append(print(v));
                }
            }
            case Ast.IfNode i -> {
                int mark = vars.size();
                boolean truth = truth(pipe(dot, i.pipe()));
                if (truth) {
                    walk(dot, i.list());
                } else if (i.elseList() != null) {
                    walk(dot, i.elseList());
                }
                pop(mark);
            }
            case Ast.WithNode w -> {
                int mark = vars.size();
                Object v = pipe(dot, w.pipe());
                if (truth(v)) {
                    walk(v, w.list());
                } else if (w.elseList() != null) {
                    walk(dot, w.elseList());
                }
                pop(mark);
            }
            case Ast.RangeNode r -> range(dot, r);
            case Ast.BreakNode b -> throw new Break();
            case Ast.ContinueNode c -> throw new Continue();
        }
    }

    private void range(Object dot, Ast.RangeNode r) {
        int mark = vars.size();
        Pipe p = r.pipe();
        Object v = pipe(dot, new Pipe(List.of(), false, p.commands(), p.source()));
        List<Object[]> entries = new ArrayList<>(); // {key, value}
        switch (v) {
            case null -> {
            }
            case List<?> list -> {
                for (int i = 0; i < list.size(); i++) {
                    entries.add(new Object[] {(long) i, list.get(i)});
                }
            }
            case Map<?, ?> map -> new TreeMap<>(GoTemplate.mapOf(map)).forEach((k, x) -> entries.add(new Object[] {k, x}));
            case Long n -> {
                for (long i = 0; i < n; i++) {
                    entries.add(new Object[] {i, i});
                }
            }
            case Integer n -> {
                for (long i = 0; i < n; i++) {
                    entries.add(new Object[] {i, i});
                }
            }
            default -> throw new TemplateException("range can't iterate over " + print(v) + " in {{ range "
                    + p.source() + " }}");
        }
        if (++depth > MAX_RANGE_DEPTH) {
            throw new TemplateException("exceeded maximum template depth (" + MAX_RANGE_DEPTH + ")");
        }
        try {
            if (entries.isEmpty()) {
                if (r.elseList() != null) {
                    walk(dot, r.elseList());
                }
                return;
            }
            for (Object[] e : entries) {
                int inner = vars.size();
                if (p.decl().size() == 1) {
                    vars.add(new Object[] {p.decl().getFirst(), e[1]});
                } else if (p.decl().size() == 2) {
                    vars.add(new Object[] {p.decl().get(0), e[0]});
                    vars.add(new Object[] {p.decl().get(1), e[1]});
                }
                try {
                    walk(e[1], r.list());
                } catch (Continue c) {
                    // next element
                } catch (Break b) {
                    pop(inner);
                    break;
                }
                pop(inner);
            }
        } finally {
            depth--;
            pop(mark);
        }
    }

    private void pop(int mark) {
        while (vars.size() > mark) {
            vars.removeLast();
        }
    }

    private Object pipe(Object dot, Pipe p) {
        Object value = null;
        boolean hasFinal = false;
        for (Command c : p.commands()) {
            value = command(dot, c, value, hasFinal);
            hasFinal = true;
        }
        if (!p.decl().isEmpty()) {
            String name = p.decl().getFirst();
            if (p.assign()) {
                setVar(name, value);
            } else {
                vars.add(new Object[] {name, value});
            }
        }
        return value;
    }

    private Object command(Object dot, Command c, Object fin, boolean hasFinal) {
        Arg first = c.args().getFirst();
        if (first instanceof Ast.FunctionArg f) {
            return call(dot, f.name(), c.args().subList(1, c.args().size()), fin, hasFinal);
        }
        if (c.args().size() > 1 || hasFinal) {
            throw new TemplateException("can't give argument to non-function " + describe(first));
        }
        if (first instanceof Ast.NilArg) {
            throw new TemplateException("nil is not a command");
        }
        return arg(dot, first);
    }

    private Object arg(Object dot, Arg a) {
        return switch (a) {
            case Ast.DotArg d -> dot;
            case Ast.FieldArg f -> chain(dot, f.chain(), ".");
            case Ast.VariableArg v -> chain(variable(v.name()), v.chain(), v.name());
            case Ast.LiteralArg l -> l.value();
            case Ast.NilArg n -> null;
            case Ast.FunctionArg f -> call(dot, f.name(), List.of(), null, false);
            case Ast.PipeArg p -> chain(pipe(dot, p.pipe()), p.chain(), "(...)");
        };
    }

    private Object variable(String name) {
        for (int i = vars.size() - 1; i >= 0; i--) {
            if (vars.get(i)[0].equals(name)) {
                return vars.get(i)[1];
            }
        }
        throw new TemplateException("undefined variable: " + name);
    }

    private void setVar(String name, Object value) {
        for (int i = vars.size() - 1; i >= 0; i--) {
            if (vars.get(i)[0].equals(name)) {
                vars.get(i)[1] = value;
                return;
            }
        }
        throw new TemplateException("undefined variable: " + name);
    }

    private static Object chain(Object v, List<String> chain, String start) {
        Object cur = v;
        StringBuilder path = new StringBuilder(start.equals(".") ? "" : start);
        for (String name : chain) {
            path.append('.').append(name);
            cur = switch (cur) {
                case null -> throw new TemplateException("nil pointer evaluating " + path);
                case Map<?, ?> m -> GoTemplate.mapOf(m).get(name);
                case GoStruct s -> {
                    if (!s.fields().containsKey(name)) {
                        throw new TemplateException("can't evaluate field " + name + " in type " + s.type());
                    }
                    yield s.fields().get(name);
                }
                default -> throw new TemplateException("can't evaluate field " + name + " in type " + goType(cur));
            };
        }
        return cur;
    }

    // ---- functions ----

    private Object call(Object dot, String name, List<Arg> args, Object fin, boolean hasFinal) {
        // and/or evaluate lazily, as Go 1.18+ does.
        if (name.equals("and") || name.equals("or")) {
            int n = args.size() + (hasFinal ? 1 : 0);
            if (n < 1) {
                throw new TemplateException("wrong number of args for " + name + ": want at least 1 got 0");
            }
            Object v = null;
            for (int i = 0; i < n; i++) {
                v = i < args.size() ? arg(dot, args.get(i)) : fin;
                if (truth(v) == name.equals("or")) {
                    return v;
                }
            }
            return v;
        }
        List<Object> a = new ArrayList<>();
        for (Arg x : args) {
            a.add(arg(dot, x));
        }
        if (hasFinal) {
            a.add(fin);
        }
        return switch (name) {
            case "not" -> !truth(one(name, a));
            case "eq" -> {
                if (a.size() < 2) {
                    throw new TemplateException("wrong number of args for eq: want at least 2 got " + a.size());
                }
                for (int i = 1; i < a.size(); i++) {
                    if (equal(a.getFirst(), a.get(i))) {
                        yield true;
                    }
                }
                yield false;
            }
            case "ne" -> !equal(two(name, a).getFirst(), a.get(1));
            case "lt" -> compare(two(name, a).get(0), a.get(1)) < 0;
            case "le" -> compare(two(name, a).get(0), a.get(1)) <= 0;
            case "gt" -> compare(two(name, a).get(0), a.get(1)) > 0;
            case "ge" -> compare(two(name, a).get(0), a.get(1)) >= 0;
            case "len" -> len(one(name, a));
            case "index" -> index(a);
            case "slice" -> slice(a);
            case "print" -> sprint(a);
            case "println" -> {
                List<String> parts = new ArrayList<>();
                a.forEach(x -> parts.add(print(x)));
                yield String.join(" ", parts) + "\n";
            }
            case "printf" -> printf(a);
            case "json" -> GoJsonWriter.marshal(one(name, a));
            case "currentDate" -> LocalDate.now(clock).toString();
            case "yesterdayDate" -> LocalDate.now(clock).minusDays(1).toString();
            default -> throw new TemplateException("function \"" + name + "\" not defined");
        };
    }

    private static Object one(String name, List<Object> a) {
        if (a.size() != 1) {
            throw new TemplateException("wrong number of args for " + name + ": want 1 got " + a.size());
        }
        return a.getFirst();
    }

    private static List<Object> two(String name, List<Object> a) {
        if (a.size() != 2) {
            throw new TemplateException("wrong number of args for " + name + ": want 2 got " + a.size());
        }
        return a;
    }

    static boolean truth(Object v) {
        return switch (v) {
            case null -> false;
            case Boolean b -> b;
            case Long n -> n != 0;
            case Integer n -> n != 0;
            case Double d -> d != 0;
            case String s -> !s.isEmpty();
            case Collection<?> c -> !c.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            default -> true; // structs
        };
    }

    private static boolean equal(Object x, Object y) {
        if (x == null || y == null) {
            return x == y;
        }
        if (isNumber(x) && isNumber(y)) {
            return ((Number) x).doubleValue() == ((Number) y).doubleValue();
        }
        boolean basic = x instanceof String || x instanceof Boolean;
        if (!basic || !(y instanceof String || y instanceof Boolean)) {
            throw new TemplateException("incompatible types for comparison: " + goType(x) + " and " + goType(y));
        }
        if (x.getClass() != y.getClass()) {
            throw new TemplateException("incompatible types for comparison: " + goType(x) + " and " + goType(y));
        }
        return x.equals(y);
    }

    private static int compare(Object x, Object y) {
        if (isNumber(x) && isNumber(y)) {
            return Double.compare(((Number) x).doubleValue(), ((Number) y).doubleValue());
        }
        if (x instanceof String a && y instanceof String b) {
            return a.compareTo(b);
        }
        throw new TemplateException("incompatible types for comparison: " + goType(x) + " and " + goType(y));
    }

    private static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Integer || v instanceof Double;
    }

    private static long len(Object v) {
        return switch (v) {
            case String s -> s.getBytes(StandardCharsets.UTF_8).length;
            case Collection<?> c -> c.size();
            case Map<?, ?> m -> m.size();
            case null -> throw new TemplateException("len of nil pointer");
            default -> throw new TemplateException("len of type " + goType(v));
        };
    }

    private static long toIndex(Object v) {
        if (v instanceof Long || v instanceof Integer) {
            return ((Number) v).longValue();
        }
        throw new TemplateException("cannot index slice/array with type " + goType(v));
    }

    private static Object index(List<Object> a) {
        if (a.isEmpty()) {
            throw new TemplateException("wrong number of args for index: want at least 1 got 0");
        }
        Object cur = a.getFirst();
        for (Object key : a.subList(1, a.size())) {
            cur = switch (cur) {
                case List<?> l -> {
                    long i = toIndex(key);
                    if (i < 0 || i >= l.size()) {
                        throw new TemplateException("error calling index: index out of range: " + i);
                    }
                    yield l.get((int) i);
                }
                case Map<?, ?> m -> GoTemplate.mapOf(m).get(String.valueOf(key));
                case String s -> {
                    byte[] b = s.getBytes(StandardCharsets.UTF_8);
                    long i = toIndex(key);
                    if (i < 0 || i >= b.length) {
                        throw new TemplateException("error calling index: index out of range: " + i);
                    }
                    yield (long) (b[(int) i] & 0xff);
                }
                case null -> throw new TemplateException("error calling index: index of untyped nil");
                default -> throw new TemplateException("error calling index: can't index item of type " + goType(cur));
            };
        }
        return cur;
    }

    private static Object slice(List<Object> a) {
        if (a.isEmpty() || a.size() > 4) {
            throw new TemplateException("wrong number of args for slice: want 1 to 4 got " + a.size());
        }
        Object x = a.getFirst();
        int len = switch (x) {
            case List<?> l -> l.size();
            case String s -> s.getBytes(StandardCharsets.UTF_8).length;
            default -> throw new TemplateException("error calling slice: can't slice item of type " + goType(x));
        };
        long from = a.size() > 1 ? toIndex(a.get(1)) : 0;
        long to = a.size() > 2 ? toIndex(a.get(2)) : len;
        if (from < 0 || to < from || to > len) {
            throw new TemplateException("error calling slice: index out of range: " + from + ":" + to);
        }
        if (x instanceof List<?> l) {
            return l.subList((int) from, (int) to);
        }
        byte[] b = ((String) x).getBytes(StandardCharsets.UTF_8);
        return new String(b, (int) from, (int) (to - from), StandardCharsets.UTF_8);
    }

    /** {@code fmt.Sprint}: spaces between operands when neither is a string. */
    private static String sprint(List<Object> a) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < a.size(); i++) {
            if (i > 0 && !(a.get(i) instanceof String) && !(a.get(i - 1) instanceof String)) {
                sb.append(' ');
            }
            sb.append(print(a.get(i)));
        }
        return sb.toString();
    }

    /** {@code fmt.Sprintf} for the verbs templates use: %s %v %d %q %t %f %%. */
    private static String printf(List<Object> a) {
        if (a.isEmpty() || !(a.getFirst() instanceof String format)) {
            throw new TemplateException("printf needs a format string");
        }
        StringBuilder sb = new StringBuilder();
        int arg = 1;
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                sb.append(c);
                continue;
            }
            char verb = format.charAt(++i);
            if (verb == '%') {
                sb.append('%');
                continue;
            }
            if (arg >= a.size()) {
                sb.append("%!").append(verb).append("(MISSING)");
                continue;
            }
            Object v = a.get(arg++);
            switch (verb) {
                case 's', 'v' -> sb.append(print(v));
                case 'd' -> sb.append(v instanceof Long || v instanceof Integer ? v.toString()
                        : "%!d(" + goType(v) + "=" + print(v) + ")");
                case 'q' -> sb.append(GoJsonWriter.quote(print(v), false));
                case 't' -> sb.append(v instanceof Boolean ? v.toString() : "%!t(" + goType(v) + "=" + print(v) + ")");
                case 'f' -> sb.append(isNumber(v) ? new BigDecimal(((Number) v).doubleValue())
                        .setScale(6, java.math.RoundingMode.HALF_EVEN).toPlainString() : "%!f(" + print(v) + ")");
                default -> throw new TemplateException("unsupported printf verb %" + verb);
            }
        }
        if (arg < a.size()) {
            sb.append("%!(EXTRA ");
            List<String> extra = new ArrayList<>();
            for (Object v : a.subList(arg, a.size())) {
                extra.add(goType(v) + "=" + print(v));
            }
            sb.append(String.join(", ", extra)).append(')');
        }
        return sb.toString();
    }

    // ---- printing ----

    /** {@code fmt.Print} of a value. */
    static String print(Object v) {
        return switch (v) {
            case null -> NO_VALUE;
            case String s -> s;
            case Boolean b -> b.toString();
            case Long n -> n.toString();
            case Integer n -> n.toString();
            case Double d -> formatFloat(d);
            case GoStruct s when s.printsJson() -> GoJsonWriter.marshal(s);
            case TemplateValues.JsonPrintingMap m -> GoJsonWriter.marshal(m);
            case GoStruct s -> {
                List<String> parts = new ArrayList<>();
                s.fields().values().forEach(x -> parts.add(printNested(x)));
                yield "{" + String.join(" ", parts) + "}";
            }
            case List<?> l -> {
                List<String> parts = new ArrayList<>();
                l.forEach(x -> parts.add(printNested(x)));
                yield "[" + String.join(" ", parts) + "]";
            }
            case Map<?, ?> m -> {
                List<String> parts = new ArrayList<>();
                new TreeMap<>(GoTemplate.mapOf(m)).forEach((k, x) -> parts.add(k + ":" + printNested(x)));
                yield "map[" + String.join(" ", parts) + "]";
            }
            default -> v.toString();
        };
    }

    /** Inside a slice, map or struct, nil prints as {@code <nil>}. */
    private static String printNested(Object v) {
        return v == null ? "<nil>" : print(v);
    }

    /** {@code %v} of a float64: strconv's shortest digits ({@code 'g', -1}): exponent form below 1e-4 or from 1e6. */
    static String formatFloat(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "+Inf" : "-Inf";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0" : "0";
        }
        BigDecimal b = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        int exp = b.precision() - b.scale() - 1;
        if (exp < -4 || exp >= 6) {
            String digits = b.unscaledValue().abs().toString();
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return (d < 0 ? "-" : "") + mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "")
                    + Math.abs(exp);
        }
        return b.toPlainString();
    }

    static String goType(Object v) {
        return switch (v) {
            case null -> "nil";
            case String s -> "string";
            case Boolean b -> "bool";
            case Long n -> "int";
            case Integer n -> "int";
            case Double d -> "float64";
            case GoStruct s -> s.type();
            case List<?> l -> "[]interface {}";
            case Map<?, ?> m -> "map[string]interface {}";
            default -> v.getClass().getSimpleName();
        };
    }

    private static String describe(Arg a) {
        return switch (a) {
            case Ast.FieldArg f -> "." + String.join(".", f.chain());
            case Ast.VariableArg v -> v.name() + (v.chain().isEmpty() ? "" : "." + String.join(".", v.chain()));
            case Ast.LiteralArg l -> print(l.value());
            default -> a.toString();
        };
    }
}
