package dev.puna.runtime.chat.internal;

import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.mode.ExecutionMode;

/**
 * Jinjava's default execution mode with {@link PyExpressionStrategy} for {@code {{ }}} output. Jinjava captures
 * the expression strategy when it parses a template, so it has to come from the execution mode, which every
 * interpreter applies to its context at creation.
 */
final class PyExecutionMode implements ExecutionMode {
    static final PyExecutionMode INSTANCE = new PyExecutionMode();

    private PyExecutionMode() {
    }

    @Override
    public void prepareContext(Context context) {
        context.setExpressionStrategy(PyExpressionStrategy.INSTANCE);
    }
}
