package dev.puna.http.internal.stateful;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.JsonBody;
import dev.puna.state.Document;
import dev.puna.state.Page;
import dev.puna.state.PageRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.function.Function;

/**
 * OpenAI's list endpoints: the query parameters {@code limit} (1..100, default 20), {@code order} ({@code asc} or
 * {@code desc}), {@code after} and {@code before} (object ids), and the envelope
 * {@code {"object":"list","data":[...],"first_id","last_id","has_more"}} (ids {@code null} when empty).
 */
public final class Lists {
    private Lists() {
    }

    /**
     * The page a request asks for.
     *
     * @param defaultAscending the order when the request names none (OpenAI: descending)
     * @throws ApiException 400 naming the parameter that is malformed or out of range
     */
    public static PageRequest page(RoutingContext rc, boolean defaultAscending) {
        int limit = 20;
        String l = single(rc, "limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l.strip());
            } catch (NumberFormatException e) {
                throw ApiException.badParameter("limit", "invalid value for \"limit\": expected an integer, got '"
                        + clip(l) + "'");
            }
            if (limit < 1 || limit > 100) {
                throw ApiException.badParameter("limit", "\"limit\" must be between 1 and 100, got " + limit);
            }
        }
        boolean ascending = defaultAscending;
        String order = single(rc, "order");
        if (order != null) {
            ascending = switch (order) {
                case "asc" -> true;
                case "desc" -> false;
                default -> throw ApiException.badParameter("order", "invalid value for \"order\": expected 'asc' or "
                        + "'desc', got '" + clip(order) + "'");
            };
        }
        return new PageRequest(limit, ascending, cursor(rc, "after"), cursor(rc, "before"));
    }

    private static String cursor(RoutingContext rc, String name) {
        String v = single(rc, name);
        if (v == null || v.isEmpty()) {
            return null;
        }
        if (!PathIds.isWellFormed(v)) {
            throw ApiException.badParameter(name, "invalid \"" + name + "\" cursor '" + clip(v)
                    + "': expected an object id");
        }
        return v;
    }

    private static String single(RoutingContext rc, String name) {
        List<String> all = rc.queryParam(name);
        if (all.isEmpty()) {
            return null;
        }
        if (all.size() > 1) {
            throw ApiException.badParameter(name, "\"" + name + "\" is given " + all.size() + " times");
        }
        return all.getFirst();
    }

    private static String clip(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }

    /** The list envelope of {@code page}, each document shown by {@code show}. */
    public static ObjectNode envelope(Page page, Function<Document, ObjectNode> show) {
        ObjectNode o = JsonBody.MAPPER.createObjectNode();
        o.put("object", "list");
        ArrayNode data = o.putArray("data");
        for (Document d : page.data()) {
            data.add(show.apply(d));
        }
        o.put("first_id", page.data().isEmpty() ? null : page.data().getFirst().id());
        o.put("last_id", page.data().isEmpty() ? null : page.data().getLast().id());
        o.put("has_more", page.hasMore());
        return o;
    }

    /** The list envelope of objects shown as they are. */
    public static ObjectNode envelope(List<ObjectNode> objects, boolean hasMore) {
        ObjectNode o = JsonBody.MAPPER.createObjectNode();
        o.put("object", "list");
        ArrayNode data = o.putArray("data");
        objects.forEach(data::add);
        o.put("first_id", objects.isEmpty() ? null : objects.getFirst().path("id").asText(null));
        o.put("last_id", objects.isEmpty() ? null : objects.getLast().path("id").asText(null));
        o.put("has_more", hasMore);
        return o;
    }
}
