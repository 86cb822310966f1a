package dev.puna.runtime.chat.internal;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.el.TruthyTypeConverter;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import java.util.Locale;
import jinjava.de.odysseus.el.ExpressionFactoryImpl;
import jinjava.de.odysseus.el.tree.TreeStore;
import jinjava.de.odysseus.el.tree.impl.Cache;
import jinjava.javax.el.CompositeELResolver;
import jinjava.javax.el.ExpressionFactory;

/**
 * The one Jinjava instance, set up to behave like the environment Hugging Face renders chat templates in
 * ({@code ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)} with the {@code loopcontrols}
 * extension, {@code raise_exception}, {@code strftime_now} and its own {@code tojson}).
 *
 * <p>Configured once during class initialisation and only read afterwards. Each render gets its own
 * {@link IsolatedContext} below the shared global context, so concurrent renders never write shared state.
 */
final class HfEnvironment {
    /** The configured engine; its global context holds the Python-faithful tags, filters, tests and globals. */
    static final Jinjava JINJAVA = create();

    private HfEnvironment() {
    }

    private static Jinjava create() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PyMethodResolver());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);

        LegacyOverrides python = LegacyOverrides.newBuilder()
                .withEvaluateMapKeys(true)            // {'role': x}: keys are expressions, as in Jinja
                .withIterateOverMapKeys(true)         // for k in dict: keys, as in Python
                .withUsePyishObjectMapper(true)
                .withUseNaturalOperatorPrecedence(true)
                .withParseWhitespaceControlStrictly(true)
                .withAllowAdjacentTextNodes(true)
                .withUseTrimmingForNotesAndExpressions(true)  // {{- x -}} and {#- -#} trim, as in Jinja
                .withKeepNullableLoopValues(true)
                .withHandleBackslashInQuotesOnly(true)
                .build();

        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                // Jinja drops one trailing newline of the template source; JinjaTemplate does that on the source,
                // where Jinjava would do it on the output (and eat a newline that came from data).
                .withKeepTrailingNewline(true)
                // Output that contains {{ }} is data (a user's message); never render it again.
                .withNestedInterpretationEnabled(false)
                .withEnableRecursiveMacroCalls(true)
                .withMaxMacroRecursionDepth(64)
                .withElResolver(resolver)
                .withExecutionMode(PyExecutionMode.INSTANCE)
                .withLegacyOverrides(python)
                .withLocale(Locale.US)
                .build();

        Jinjava jinjava = new SliceJinjava(config);
        Context global = jinjava.getGlobalContext();
        global.registerTag(new PyForTag());
        global.registerTag(new GenerationTag());
        Filters.all().forEach(global::registerFilter);
        Tests.all().forEach(global::registerExpTest);
        TemplateFunctions.definitions().forEach(global::registerFunction);
        return jinjava;
    }

    /** A new interpreter for one parse or one render, with its own isolated root context. */
    static JinjavaInterpreter newInterpreter() {
        return new JinjavaInterpreter(JINJAVA, new IsolatedContext(JINJAVA.getGlobalContext()),
                JINJAVA.getGlobalConfig());
    }

    /** Jinjava whose expressions are parsed with {@link PySyntax} (Python's extended slices). */
    private static final class SliceJinjava extends Jinjava {
        private final ExpressionFactory expressionFactory = new ExpressionFactoryImpl(
                new TreeStore(PySyntax.builder(), new Cache(1000)), new TruthyTypeConverter());

        SliceJinjava(JinjavaConfig config) {
            super(config);
        }

        @Override
        public ExpressionFactory getExpressionFactory() {
            return expressionFactory;
        }
    }

    /**
     * A render's root context. Jinjava's contexts report every resolved expression, value and function name to
     * their parent, all the way up to the global context, whose plain {@code HashSet}s would then be written by
     * every rendering thread at once (Jinjava's own {@code render} methods share that hazard). Nothing here reads
     * those sets, so the chain stops at this context.
     */
    private static final class IsolatedContext extends Context {
        IsolatedContext(Context global) {
            super(global);
        }

        @Override
        public void addResolvedExpression(String expression) {
            // Intentionally not recorded and not propagated; see the class comment.
        }

        @Override
        public void addResolvedValue(String value) {
            // Intentionally not recorded and not propagated.
        }

        @Override
        public void addResolvedFunction(String function) {
            // Intentionally not recorded and not propagated.
        }
    }
}
