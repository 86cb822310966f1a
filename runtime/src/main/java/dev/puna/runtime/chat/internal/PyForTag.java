package dev.puna.runtime.chat.internal;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.ForTag;
import com.hubspot.jinjava.tree.TagNode;
import com.hubspot.jinjava.tree.parse.TagToken;
import java.io.Serial;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.lang3.tuple.Pair;

/**
 * Jinjava's {@code for} tag plus two Jinja behaviours it lacks:
 * <ul>
 *   <li>the loop filter, {@code {% for key, val in tool.items() if key != "return" %}} (Mistral's tool
 *       template). Jinjava parses {@code items if cond} as a conditional expression and, with the loop variable
 *       still unbound, silently iterates everything. Jinja filters before iterating, so {@code loop.index},
 *       {@code loop.first} and {@code loop.last} count only the kept items; so does this tag;</li>
 *   <li>iterating a string visits its characters (Jinjava visits the whole string once).</li>
 * </ul>
 * Registered under the name {@code for}, replacing Jinjava's tag; everything else is inherited.
 */
final class PyForTag extends ForTag {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public String interpretUnchecked(TagNode tagNode, JinjavaInterpreter interpreter) {
        Pair<List<String>, String> varsAndExpression = getLoopVarsAndExpression((TagToken) tagNode.getMaster());
        List<String> loopVars = varsAndExpression.getLeft();
        String[] parts = splitFilter(varsAndExpression.getRight());
        Object collection = interpreter.resolveELExpression(parts[0], tagNode.getLineNumber());
        if (collection instanceof CharSequence) {
            List<Object> chars = new ArrayList<>();
            PyValues.iterate(collection).forEach(chars::add);
            collection = chars;
        }
        if (parts[1] != null) {
            collection = filter(interpreter, tagNode, loopVars, collection, parts[1]);
        }
        return renderForCollection(tagNode, interpreter, loopVars, collection);
    }

    private static List<Object> filter(JinjavaInterpreter interpreter, TagNode tagNode, List<String> loopVars,
                                       Object collection, String condition) {
        List<Object> kept = new ArrayList<>();
        var items = com.hubspot.jinjava.util.ObjectIterator.getLoop(collection);
        try (var _ = interpreter.enterScope()) {
            while (items.hasNext()) {
                Object item = items.next();
                bind(interpreter, loopVars, interpreter.wrap(item));
                Object verdict = interpreter.resolveELExpression(condition, tagNode.getLineNumber());
                if (PyValues.truthy(verdict)) {
                    kept.add(item);
                }
            }
        }
        return kept;
    }

    /** Binds the loop variables as the for tag does: one name takes the item, several unpack a pair or list. */
    private static void bind(JinjavaInterpreter interpreter, List<String> loopVars, Object item) {
        if (loopVars.size() == 1) {
            interpreter.getContext().put(loopVars.get(0), item);
            return;
        }
        for (int i = 0; i < loopVars.size(); i++) {
            Object value = null;
            if (item instanceof Map.Entry<?, ?> e) {
                value = i == 0 ? e.getKey() : i == 1 ? e.getValue() : null;
            } else if (item instanceof List<?> list && i < list.size()) {
                value = list.get(i);
            }
            interpreter.getContext().put(loopVars.get(i), value);
        }
    }

    /**
     * Splits a loop expression at its top-level {@code if}: {@code [iterable, condition]}, the condition
     * {@code null} when there is none. In Jinja's grammar the iterable of a {@code for} cannot be a conditional
     * expression, so a top-level {@code if} is always the loop filter.
     */
    static String[] splitFilter(String expression) {
        int depth = 0;
        char quote = 0;
        for (int i = 0; i < expression.length(); i++) {
            char c = expression.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            switch (c) {
                case '\'', '"' -> quote = c;
                case '(', '[', '{' -> depth++;
                case ')', ']', '}' -> depth--;
                default -> {
                    if (depth == 0 && expression.startsWith("if", i) && !identifierChar(expression, i - 1)
                            && !identifierChar(expression, i + 2)) {
                        return new String[] {expression.substring(0, i).trim(), expression.substring(i + 2).trim()};
                    }
                }
            }
        }
        return new String[] {expression.trim(), null};
    }

    private static boolean identifierChar(String s, int i) {
        if (i < 0 || i >= s.length()) {
            return false;
        }
        char c = s.charAt(i);
        return Character.isLetterOrDigit(c) || c == '_' || c == '.';
    }
}
