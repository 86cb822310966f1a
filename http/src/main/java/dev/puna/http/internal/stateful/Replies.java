package dev.puna.http.internal.stateful;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.Responses;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Set;

/** What the stateful routes share in reading requests and writing answers. */
public final class Replies {
    private Replies() {
    }

    /**
     * Answers {@code rc} with the object {@code result} brings (200), or fails it. A 5xx answer to a POST tells the
     * SDKs not to send it again ({@code x-should-retry: false}): a retried create would make a second object.
     */
    public static void respond(RoutingContext rc, Future<ObjectNode> result) {
        noRetryOnServerError(rc);
        result.onSuccess(o -> Responses.json(rc, 200, write(o))).onFailure(rc::fail);
    }

    /** Marks a 5xx answer to a POST as not to be retried. */
    public static void noRetryOnServerError(RoutingContext rc) {
        if (rc.request().method() == HttpMethod.POST) {
            rc.addHeadersEndHandler(v -> {
                if (rc.response().getStatusCode() >= 500) {
                    rc.response().putHeader("x-should-retry", "false");
                }
            });
        }
    }

    /** The JSON text of {@code o}. */
    public static String write(ObjectNode o) {
        try {
            return JsonBody.MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Refuses fields the endpoint does not define, as OpenAI does ({@code Unrecognized request argument supplied}):
     * a misspelt field is a mistake to report, not an option to drop.
     *
     * @param path the object's place in the request, prefixed to the field in errors ({@code ""} at the top)
     */
    public static void knownFields(JsonBody body, Set<String> fields, String path) {
        for (String name : (Iterable<String>) () -> body.node().fieldNames()) {
            if (!fields.contains(name)) {
                String at = path.isEmpty() ? name : path + "." + name;
                throw ApiException.badParameter(at, "Unrecognized request argument supplied: " + at);
            }
        }
    }

    /** Tool-call arguments as chat templates want them: JSON text read as an object, empty when it is not one. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> arguments(String json) {
        try {
            JsonNode n = JsonBody.MAPPER.readTree(json);
            return n != null && n.isObject() ? JsonBody.MAPPER.convertValue(n, Map.class) : Map.of();
        } catch (JsonProcessingException e) {
            return Map.of();
        }
    }
}
