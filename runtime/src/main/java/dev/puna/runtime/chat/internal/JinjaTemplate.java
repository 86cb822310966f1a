package dev.puna.runtime.chat.internal;

import com.hubspot.jinjava.el.ExtendedSyntaxBuilder;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.tree.ExpressionNode;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import com.hubspot.jinjava.tree.parse.ExpressionToken;
import com.hubspot.jinjava.tree.parse.TagToken;
import dev.puna.runtime.chat.ChatTemplateException;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import jinjava.de.odysseus.el.tree.TreeBuilderException;

/**
 * A Hugging Face chat template parsed once by {@link HfEnvironment}'s Jinjava and rendered any number of times.
 *
 * <p>Immutable and thread-safe: the parsed node tree is only read while rendering, and each render runs in its
 * own interpreter and context.
 */
public final class JinjaTemplate {
    private static final PyForTag FOR_TAG = new PyForTag();

    private final Node root;

    private JinjaTemplate(Node root) {
        this.root = root;
    }

    /**
     * Parses {@code source}. Jinjava parses the tag structure eagerly but each expression only when it is first
     * evaluated, so every expression is also run through Jinjava's expression parser here: a syntax error
     * anywhere fails now, not on the request that happens to reach it.
     *
     * @throws ChatTemplateException if the template does not parse
     */
    public static JinjaTemplate compile(String source) {
        Objects.requireNonNull(source, "source");
        JinjavaInterpreter interpreter = HfEnvironment.newInterpreter();
        try (var _ = JinjavaInterpreter.closeablePushCurrent(interpreter).get()) {
            Node root = interpreter.parse(jinjaLexerSource(source));
            for (TemplateError error : interpreter.getErrors()) {
                if (error.getSeverity() == TemplateError.ErrorType.FATAL
                        || error.getReason() == TemplateError.ErrorReason.SYNTAX_ERROR) {
                    throw error(error);
                }
            }
            checkExpressions(root, PySyntax.builder());
            return new JinjaTemplate(root);
        } catch (ChatTemplateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ChatTemplateException("chat template does not parse: " + e.getMessage(), e);
        }
    }

    /**
     * Renders the template.
     *
     * @param variables the template's variables; values must be template values (see {@link PyValues#freeze})
     * @param now the time {@code strftime_now} reports
     * @return the rendered text
     * @throws ChatTemplateException if the template raises or fails
     */
    public String render(Map<String, Object> variables, ZonedDateTime now) {
        JinjavaInterpreter interpreter = HfEnvironment.newInterpreter();
        interpreter.getContext().putAll(variables);
        String output;
        try (RenderScope scope = RenderScope.open(now)) {
            try (var _ = JinjavaInterpreter.closeablePushCurrent(interpreter).get()) {
                output = interpreter.render(root);
            } catch (RuntimeException e) {
                throw new ChatTemplateException("chat template failed: " + e.getMessage(), e,
                        interpreter.getLineNumber(), false);
            }
            if (scope.raisedMessage() != null) {
                throw new ChatTemplateException(scope.raisedMessage(), null, scope.raisedLine(), true);
            }
        }
        for (TemplateError error : interpreter.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw error(error);
            }
        }
        return output;
    }

    /**
     * The source as Jinja's lexer sees it: newlines normalised to {@code \n} and one trailing newline dropped
     * ({@code keep_trailing_newline=False}, Jinja's default and Hugging Face's setting).
     */
    static String jinjaLexerSource(String source) {
        String s = source.replace("\r\n", "\n").replace('\r', '\n');
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    private static void checkExpressions(Node node, ExtendedSyntaxBuilder parser) {
        for (Node child : node.getChildren()) {
            if (child instanceof ExpressionNode && child.getMaster() instanceof ExpressionToken token) {
                checkExpression(parser, token.getExpr(), child.getLineNumber());
            } else if (child instanceof TagNode tag) {
                for (String expression : tagExpressions(tag)) {
                    checkExpression(parser, expression, tag.getLineNumber());
                }
            }
            checkExpressions(child, parser);
        }
    }

    /** The expressions inside a tag's arguments, for the tags whose arguments are expressions. */
    private static List<String> tagExpressions(TagNode tag) {
        String helpers = tag.getHelpers() == null ? "" : tag.getHelpers().trim();
        switch (tag.getName()) {
            case "if", "elif", "do" -> {
                return List.of(helpers);
            }
            case "for" -> {
                String[] parts = PyForTag.splitFilter(FOR_TAG.getLoopVarsAndExpression((TagToken) tag.getMaster())
                        .getRight());
                return parts[1] == null ? List.of(parts[0]) : List.of(parts[0], parts[1]);
            }
            case "set" -> {
                int eq = assignment(helpers);
                return eq < 0 ? List.of() : List.of(helpers.substring(eq + 1));
            }
            default -> {
                return List.of();
            }
        }
    }

    /** The index of the {@code =} of {@code target = value}, or -1 for a block {@code set}. */
    private static int assignment(String helpers) {
        for (int i = 0; i < helpers.length(); i++) {
            char c = helpers.charAt(i);
            if (c == '\'' || c == '"' || c == '(' || c == '[' || c == '{') {
                return -1;
            }
            if (c == '=') {
                return i;
            }
        }
        return -1;
    }

    private static void checkExpression(ExtendedSyntaxBuilder parser, String expression, int line) {
        if (expression.isBlank()) {
            return;
        }
        try {
            parser.build("#{" + expression.trim() + "}");
        } catch (TreeBuilderException e) {
            throw new ChatTemplateException("chat template does not parse: line " + line + ": '"
                    + expression.trim() + "': " + e.getMessage(), e, line, false);
        }
    }

    private static ChatTemplateException error(TemplateError error) {
        int line = Math.max(0, error.getLineno());
        String where = line > 0 ? "line " + line + ": " : "";
        return new ChatTemplateException("chat template error: " + where + error.getMessage(), error.getException(),
                line, false);
    }
}
