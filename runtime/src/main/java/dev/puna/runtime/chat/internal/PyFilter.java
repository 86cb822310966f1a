package dev.puna.runtime.chat.internal;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.objects.SafeString;
import java.util.Map;

/**
 * A Jinja filter with Python semantics that receives its arguments as values (Jinjava's base signature turns
 * them into strings) and Jinja-style keyword arguments. Stateless subclasses; one instance serves all threads.
 */
abstract class PyFilter implements Filter {
    private final String name;

    PyFilter(String name) {
        this.name = name;
    }

    /**
     * Applies the filter.
     *
     * @param value the piped value
     * @param args positional arguments
     * @param kwargs keyword arguments
     */
    abstract Object apply(Object value, Object[] args, Map<String, Object> kwargs);

    @Override
    public final String getName() {
        return name;
    }

    @Override
    public final Object filter(Object var, JinjavaInterpreter interpreter, Object[] args,
                               Map<String, Object> kwargs) {
        Object value = var instanceof SafeString s ? s.toString() : var;
        try {
            return apply(value, args == null ? new Object[0] : args, kwargs == null ? Map.of() : kwargs);
        } catch (IllegalArgumentException e) {
            throw new PyError(name + ": " + e.getMessage());
        }
    }

    @Override
    public final Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        return filter(var, interpreter, (Object[]) args, Map.of());
    }

    @Override
    public final Object filter(SafeString var, JinjavaInterpreter interpreter, String... args) {
        return filter((Object) var, interpreter, (Object[]) args, Map.of());
    }

    /** Positional argument {@code i}, else keyword {@code key}, else {@code dflt}. */
    static Object arg(Object[] args, Map<String, Object> kwargs, int i, String key, Object dflt) {
        if (args.length > i) {
            return args[i];
        }
        return kwargs.getOrDefault(key, dflt);
    }
}
