package dev.puna.runtime.chat.internal;

import com.hubspot.jinjava.el.ExtendedSyntaxBuilder;
import com.hubspot.jinjava.el.ext.AstRangeBracket;
import com.hubspot.jinjava.el.ext.ExtendedParser;
import com.hubspot.jinjava.el.ext.ExtendedScanner;
import java.io.Serial;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import jinjava.de.odysseus.el.tree.Bindings;
import jinjava.de.odysseus.el.tree.impl.Builder;
import jinjava.de.odysseus.el.tree.impl.Parser;
import jinjava.de.odysseus.el.tree.impl.Scanner;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.de.odysseus.el.tree.impl.ast.AstRightValue;
import jinjava.de.odysseus.el.tree.impl.ast.AstUnary;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELException;

/**
 * Jinjava's expression syntax with two Python fixes, made inside Jinjava's parser rather than on the template
 * text:
 * <ul>
 *   <li>{@code not} binds looser than comparisons and tests, as in Python and Jinja: {@code not x is defined} is
 *       {@code not (x is defined)} and {@code not a == b} is {@code not (a == b)}. Jinjava (like the Java EL it
 *       extends) binds {@code not} tightest, which turns Llama 3.1's {@code not tools is defined} into
 *       {@code (not tools) is defined}, always true, and silently drops the tools;</li>
 *   <li>extended slices, {@code seq[start:stop:step]}. Jinjava parses {@code [start:stop]} only, and Qwen3's
 *       template walks the conversation backwards with {@code messages[::-1]}.</li>
 * </ul>
 *
 * <p>For slices, the {@link SliceScanner}
 * follows bracket nesting and turns the second top-level colon of a subscript into a {@code STEP} operator
 * token (inserting an empty {@code None} stop before it when the stop is omitted, as in {@code [::-1]}), the
 * {@link PyParser} parses {@code stop STEP step} as a {@link SliceStop} operand, and turns a range subscript
 * whose stop is a {@code SliceStop} into a {@link SteppedSlice}. Everything else is Jinjava's.
 */
final class PySyntax {
    private PySyntax() {
    }

    /** A tree builder for Jinjava's syntax with extended slices; the same features Jinjava's own factory uses. */
    static ExtendedSyntaxBuilder builder() {
        return new PySyntaxBuilder();
    }

    private static final class PySyntaxBuilder extends ExtendedSyntaxBuilder {
        @Serial
        private static final long serialVersionUID = 1L;

        PySyntaxBuilder() {
            super(Builder.Feature.METHOD_INVOCATIONS, Builder.Feature.VARARGS);
        }

        @Override
        protected Parser createParser(String expression) {
            return new PyParser(this, expression);
        }
    }

    private static final class PyParser extends ExtendedParser {
        PyParser(Builder context, String input) {
            super(context, input);
            // Lowest binary precedence, so the whole stop expression is the left operand: [a : n - 1 : 2].
            putExtensionHandler(SliceScanner.STEP, new ExtensionHandler(ExtensionPoint.OR) {
                @Override
                public AstNode createAstNode(AstNode... children) {
                    return new SliceStop(children[0], children[1]);
                }
            });
        }

        @Override
        protected Scanner createScanner(String expression) {
            return new SliceScanner(expression);
        }

        /** {@code not} takes a whole comparison ({@code eq} is the loosest level below {@code and}). */
        @Override
        protected AstNode unary(boolean required) throws Scanner.ScanException, ParseException {
            if (getToken().getSymbol() == Scanner.Symbol.NOT) {
                consumeToken();
                return createAstUnary(eq(true), AstUnary.NOT);
            }
            return super.unary(required);
        }

        @Override
        protected AstRangeBracket createAstRangeBracket(AstNode base, AstNode rangeStart, AstNode rangeMax,
                                                        boolean lvalue, boolean strict) {
            if (rangeMax instanceof SliceStop s) {
                return new SteppedSlice(base, rangeStart, s.stop, s.step, lvalue, strict,
                        context.isEnabled(Builder.Feature.IGNORE_RETURN_TYPE));
            }
            return super.createAstRangeBracket(base, rangeStart, rangeMax, lvalue, strict);
        }
    }

    /**
     * Jinjava's scanner, plus: the second top-level {@code :} inside {@code [...]} becomes {@link #STEP}. When
     * it directly follows the first one, a zero-width {@code None} literal is emitted first, so the parser sees
     * {@code [start : None STEP step]}. Not thread-safe; one per parse.
     */
    private static final class SliceScanner extends ExtendedScanner {
        static final Scanner.ExtensionToken STEP = new Scanner.ExtensionToken(":");
        private static final Token EMPTY_STOP = new Token(Symbol.NULL, "None", 0);
        /** Per open bracket: colons seen so far in a subscript, or -1 for parentheses and dict braces. */
        private final Deque<Integer> open = new ArrayDeque<>();
        private Token previous;

        SliceScanner(String input) {
            super(input);
        }

        @Override
        protected Token nextToken() throws ScanException {
            Token token = super.nextToken();
            token = track(token);
            previous = token;
            return token;
        }

        private Token track(Token token) {
            Symbol symbol = token.getSymbol();
            String image = token.getImage();
            if (symbol == Symbol.LBRACK) {
                open.push(0);
            } else if (symbol == Symbol.LPAREN || (symbol == Symbol.EXTENSION && "{".equals(image))) {
                open.push(-1);
            } else if (symbol == Symbol.RBRACK || symbol == Symbol.RPAREN
                    || (symbol == Symbol.EXTENSION && "}".equals(image))) {
                open.poll();
            } else if (symbol == Symbol.COLON && ":".equals(image) && !open.isEmpty() && open.peek() >= 0) {
                int colons = open.peek();
                if (colons == 0) {
                    open.pop();
                    open.push(1);
                } else if (colons == 1) {
                    if (previous != null && previous.getSymbol() == Symbol.COLON && ":".equals(previous.getImage())) {
                        // [start::step]: the same ':' comes back on the next call, as the STEP.
                        return EMPTY_STOP;
                    }
                    open.pop();
                    open.push(2);
                    return STEP;
                }
            }
            return token;
        }
    }

    /** The {@code stop STEP step} operand; only ever evaluated as part of a {@link SteppedSlice}. */
    private static final class SliceStop extends AstRightValue {
        final AstNode stop;
        final AstNode step;

        SliceStop(AstNode stop, AstNode step) {
            this.stop = stop;
            this.step = step;
        }

        @Override
        public Object eval(Bindings bindings, ELContext context) {
            throw new ELException("a slice step outside a subscript");
        }

        @Override
        public void appendStructure(StringBuilder b, Bindings bindings) {
            stop.appendStructure(b, bindings);
            b.append(':');
            step.appendStructure(b, bindings);
        }

        @Override
        public int getCardinality() {
            return 2;
        }

        @Override
        public AstNode getChild(int i) {
            return i == 0 ? stop : i == 1 ? step : null;
        }
    }

    /** {@code base[start:stop:step]} with Python's semantics, for lists, tuples and strings. */
    private static final class SteppedSlice extends AstRangeBracket {
        private final AstNode step;

        SteppedSlice(AstNode base, AstNode start, AstNode stop, AstNode step, boolean lvalue, boolean strict,
                     boolean ignoreReturnType) {
            super(base, start, stop, lvalue, strict, ignoreReturnType);
            this.step = step;
        }

        @Override
        public Object eval(Bindings bindings, ELContext context) {
            Object base = prefix.eval(bindings, context);
            if (base == null) {
                return null;
            }
            List<Object> items = new ArrayList<>();
            boolean isString = base instanceof CharSequence;
            try {
                PyValues.iterate(base).forEach(items::add);
            } catch (IllegalArgumentException e) {
                throw new ELException(e.getMessage());
            }
            long stepValue = bound(step, bindings, context, 1);
            if (stepValue == 0) {
                throw new ELException("slice step cannot be zero");
            }
            int n = items.size();
            long lower = stepValue < 0 ? -1 : 0;
            long upper = stepValue < 0 ? n - 1 : n;
            long start = clamp(property, bindings, context, stepValue < 0 ? upper : lower, n, lower, upper);
            long stop = clamp(rangeMax, bindings, context, stepValue < 0 ? lower : upper, n, lower, upper);
            List<Object> out = new ArrayList<>();
            for (long i = start; stepValue > 0 ? i < stop : i > stop; i += stepValue) {
                out.add(items.get((int) i));
            }
            if (isString) {
                StringBuilder s = new StringBuilder();
                out.forEach(s::append);
                return s.toString();
            }
            return out;
        }

        /** Python's {@code slice.indices}: a missing bound takes its default, a negative one counts from the end. */
        private static long clamp(AstNode node, Bindings bindings, ELContext context, long dflt, int n, long lower,
                                  long upper) {
            Object v = node == null ? null : node.eval(bindings, context);
            if (v == null) {
                return dflt;
            }
            long i = integer(v);
            return i < 0 ? Math.max(i + n, lower) : Math.min(i, upper);
        }

        private static long bound(AstNode node, Bindings bindings, ELContext context, long dflt) {
            Object v = node == null ? null : node.eval(bindings, context);
            return v == null ? dflt : integer(v);
        }

        private static long integer(Object v) {
            if (v instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())) {
                return num.longValue();
            }
            throw new ELException("slice indices must be integers or None");
        }

        @Override
        public String toString() {
            return "[::]";
        }
    }
}
