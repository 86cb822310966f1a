package dev.puna.cli;

import dev.puna.http.RequestIds;
import java.util.Map;
import org.apache.logging.log4j.core.util.ContextDataProvider;

/**
 * Adds {@code request_id} to the context data of every log event logged on an HTTP request's behalf (see
 * {@link RequestIds}): ThreadContext is per thread, and a Vert.x request hops between threads, so the id is looked
 * up from the request's Vert.x context instead. Registered with Log4j through {@code META-INF/services}.
 */
public final class RequestIdContextData implements ContextDataProvider {
    /** The context key, {@code %X{request_id}} in a pattern. */
    static final String KEY = "request_id";

    @Override
    public Map<String, String> supplyContextData() {
        String id = RequestIds.current();
        return id == null ? Map.of() : Map.of(KEY, id);
    }
}
