package dev.puna.http.internal.gotemplate;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Go's {@code text/template}, as far as Ollama's templates use it: text and actions with {@code {{-}} / {@code -}}}
 * trimming and comments; {@code if}/{@code else if}/{@code else}, {@code range} (with {@code $i, $m :=} and
 * {@code else}, {@code break}, {@code continue}), {@code with}; pipelines with {@code |}; variables ({@code $x :=},
 * {@code $x =}, {@code $}, {@code $.Field}, {@code $x.Field}); fields on maps and {@link GoStruct}s; literals; and
 * the functions {@code and or not eq ne lt le gt ge len index slice print printf println} plus Ollama's
 * {@code json}, {@code currentDate} and {@code yesterdayDate}. Anything else ({@code define}, {@code template},
 * {@code block}, other functions) fails {@link #parse} with a {@link TemplateException} naming it, so a template
 * is either run as Go would run it or refused, never rendered wrongly.
 *
 * <p>Values are Java forms of Go's: {@code null} (nil), {@link Boolean}, {@link Long}/{@link Integer}
 * (ints), {@link Double} (float64), {@link String}, {@link List} (slices), {@link Map} with string keys
 * (maps; a missing key is nil, which prints {@code <no value>}), and {@link GoStruct}. Printing follows
 * {@code fmt.Print}.
 *
 * <p>Immutable and thread-safe.
 */
public final class GoTemplate {
    private final String source;
    private final Ast.ListNode root;

    private GoTemplate(String source, Ast.ListNode root) {
        this.source = source;
        this.root = root;
    }

    /**
     * Parses {@code source}.
     *
     * @throws TemplateException naming the malformed or unsupported construct
     */
    public static GoTemplate parse(String source) {
        return new GoTemplate(source, Parser.parse(source));
    }

    /** The template text as given. */
    public String source() {
        return source;
    }

    /** Executes with {@code data} as dot, dates from the system clock. */
    public String execute(Object data) {
        return execute(data, Clock.systemDefaultZone());
    }

    /**
     * Executes with {@code data} as dot ({@code .}) and {@code $}.
     *
     * @param clock what {@code currentDate} and {@code yesterdayDate} read
     * @throws TemplateException when execution fails as it would in Go (a missing struct field, ...)
     */
    public String execute(Object data, Clock clock) {
        StringBuilder out = new StringBuilder();
        new Exec(clock, out, data).run(root);
        return out.toString();
    }

    /**
     * The template with everything after the first {@code {{ .Response }}} removed (the Response action itself
     * kept), as Ollama cuts a template to render the last turn of a prompt: what follows is the end of the
     * model's own turn, which the model writes. The cut is structural, like Ollama's {@code deleteNode}: an
     * {@code if} after the cut goes whether or not it would have been true.
     */
    public GoTemplate cutAfterResponse() {
        boolean[] cut = {false};
        Ast.ListNode cutRoot = Ast.cut(root, cut);
        return new GoTemplate(source, cutRoot == null ? new Ast.ListNode(List.of()) : cutRoot);
    }

    /**
     * Every field name the template mentions anywhere ({@code .Messages}, {@code $.Tools}, {@code $m.Content}),
     * lower-cased, as Ollama's {@code Template.Vars} lists them to decide how to execute a template.
     */
    public Set<String> identifiers() {
        Set<String> out = new TreeSet<>();
        Ast.identifiers(root, out);
        return Collections.unmodifiableSet(out);
    }

    /**
     * Whether {@code field} is printed by an action somewhere (not only tested): {@code {{ .Thinking }}}.
     * Case-sensitive, as Go field names are.
     */
    public boolean prints(String field) {
        return Ast.prints(root, field);
    }

    /** The text around the first {@code {{ .field }}} action inside a {@code range}, for tag inference. */
    List<String> textAround(String field) {
        List<String> out = new ArrayList<>();
        Ast.textAround(root, field, false, out);
        return out;
    }

    @Override
    public String toString() {
        return "GoTemplate[" + source.length() + " chars]";
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    /** The Go-style functions the engine knows; anything else fails the parse. */
    static final Set<String> FUNCTIONS = Set.of("and", "or", "not", "eq", "ne", "lt", "le", "gt", "ge", "len",
            "index", "slice", "print", "printf", "println", "json", "currentDate", "yesterdayDate");

    /** Go's other builtins, named in the refusal so that a user knows it is the engine, not the template. */
    static final Set<String> GO_BUILTINS_NOT_RUN = Set.of("html", "js", "urlquery", "call");

    static Map<String, Object> mapOf(Object v) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        return m;
    }
}
