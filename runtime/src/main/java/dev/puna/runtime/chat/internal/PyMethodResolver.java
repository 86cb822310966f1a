package dev.puna.runtime.chat.internal;

import com.hubspot.jinjava.objects.SafeString;
import java.beans.FeatureDescriptor;
import java.util.Iterator;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Resolves calls of Python {@code str} methods ({@code message.content.strip()}, {@code name.startswith('x')})
 * with {@link PyStr}. Placed in front of Jinjava's resolvers, it answers only method calls on strings whose name
 * is a Python method, and leaves everything else (properties, lists, dicts) to Jinjava, which already provides
 * Python's list and dict methods through its {@code PyList}/{@code PyMap} wrappers.
 *
 * <p>Stateless; one instance serves every render on every thread.
 */
final class PyMethodResolver extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (method == null || !(base instanceof String || base instanceof SafeString)) {
            return null;
        }
        String name = method.toString();
        if (!PyStr.METHODS.contains(name)) {
            return null;
        }
        Object result;
        try {
            result = PyStr.call(base.toString(), name, params);
        } catch (IllegalArgumentException e) {
            throw new PyError("str." + name + ": " + e.getMessage());
        }
        context.setPropertyResolved(true);
        return result;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        // Not ours: the property stays unresolved and the next resolver handles it.
    }
}
