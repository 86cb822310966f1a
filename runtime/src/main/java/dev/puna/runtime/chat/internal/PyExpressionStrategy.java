package dev.puna.runtime.chat.internal;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.expression.ExpressionStrategy;
import com.hubspot.jinjava.tree.output.RenderedOutputNode;
import com.hubspot.jinjava.tree.parse.ExpressionToken;
import java.io.Serial;

/**
 * Prints {@code {{ value }}} the way Python's {@code str()} does ({@code True}, {@code 1.0},
 * {@code ['a', 1]}, {@code {'k': None}}) instead of Jinjava's Java-flavoured output ({@code true}, Java
 * {@code toString}). Also skips Jinjava's default re-rendering of output that contains {@code {{}: message text
 * is data and must never be interpreted as a template.
 *
 * <p>None prints as the empty string (Jinja prints {@code None}), so a null somewhere in caller data cannot leak
 * the word into a prompt; llama.cpp makes the same choice for null message content.
 */
final class PyExpressionStrategy implements ExpressionStrategy {
    @Serial
    private static final long serialVersionUID = 1L;

    static final PyExpressionStrategy INSTANCE = new PyExpressionStrategy();

    private PyExpressionStrategy() {
    }

    @Override
    public RenderedOutputNode interpretOutput(ExpressionToken master, JinjavaInterpreter interpreter) {
        Object value = interpreter.resolveELExpression(master.getExpr(), master.getLineNumber());
        return new RenderedOutputNode(PyValues.output(value));
    }
}
