package dev.puna.runtime.chat.internal;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.objects.date.StrftimeFormatter;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Locale;

/**
 * The globals Hugging Face adds to every chat template: {@code raise_exception(message)} and
 * {@code strftime_now(format)}. Jinjava calls them reflectively as static methods.
 */
final class TemplateFunctions {
    private TemplateFunctions() {
    }

    /** The function definitions to register with Jinjava. */
    static List<ELFunctionDefinition> definitions() {
        return List.of(define("raise_exception", "raiseException", Object.class),
                define("strftime_now", "strftimeNow", Object.class));
    }

    private static ELFunctionDefinition define(String name, String method, Class<?>... params) {
        try {
            Method m = TemplateFunctions.class.getDeclaredMethod(method, params);
            m.setAccessible(true);
            return new ELFunctionDefinition("", name, m);
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * {@code raise_exception(message)}: Python ends the render here. Jinjava cannot be stopped from inside an
     * expression (it records every exception as a template error and goes on), so the message is recorded in
     * the {@link RenderScope} and {@link JinjaTemplate} throws it, verbatim, once the render returns.
     */
    static Object raiseException(Object message) {
        JinjavaInterpreter interpreter = JinjavaInterpreter.getCurrent();
        int line = interpreter == null ? 0 : interpreter.getLineNumber();
        String text = message == null ? "None" : PyValues.str(message);
        RenderScope.current().raise(text, line);
        throw new PyError(text);
    }

    /** {@code strftime_now(format)}: the render's current time (see {@code ChatRequest.now}) in C strftime form. */
    static String strftimeNow(Object format) {
        if (!(format instanceof CharSequence)) {
            throw new PyError("strftime_now() argument must be str, not " + PyValues.typeName(format));
        }
        return StrftimeFormatter.format(RenderScope.current().now(), format.toString(), Locale.US);
    }
}
