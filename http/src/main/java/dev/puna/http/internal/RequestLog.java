package dev.puna.http.internal;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Writes one log line per request to the logger {@code dev.puna.http.access} when the response ends or the
 * connection closes ({@link AccessLogMessage}): method, path and route pattern, model, status (499 when the client
 * went away first), prompt and generated token counts, duration, request id. Routes report the model and token
 * counts with {@link #model} and {@link #tokens}. Bodies, query strings and headers are never logged.
 *
 * <p>Every request gets an id: the client's {@code X-Request-Id} when it is a short token of safe characters (so
 * ids from a proxy carry through), else a new random one; it is sent back as {@code X-Request-Id}. While the
 * request is handled its id is {@linkplain #currentRequestId() known on its Vert.x context} (each request runs on
 * a context of its own, also in its blocking steps), so a log configuration can add it to every line logged on the
 * request's behalf.
 */
public final class RequestLog implements Handler<RoutingContext> {
    private final Metrics metrics;
    private volatile java.util.function.Function<String, String> routes = path -> "unmatched";

    /** @param metrics where request counts, durations and token counts go as well */
    public RequestLog(Metrics metrics) {
        this.metrics = metrics;
    }

    /**
     * Names the route patterns (e.g. {@code /api/blobs/:digest}) that request paths are counted under in the
     * metrics, so label values stay bounded whatever paths clients send; other paths count as "unmatched".
     */
    void routePatterns(java.util.Collection<String> patterns) {
        java.util.List<java.util.Map.Entry<java.util.regex.Pattern, String>> matchers = new java.util.ArrayList<>();
        for (String p : patterns) {
            String regex = java.util.Arrays.stream(p.split("/", -1))
                    .map(part -> part.startsWith(":") ? "[^/]+" : java.util.regex.Pattern.quote(part))
                    .collect(java.util.stream.Collectors.joining("/"));
            matchers.add(java.util.Map.entry(java.util.regex.Pattern.compile(regex), p));
        }
        routes = path -> {
            for (java.util.Map.Entry<java.util.regex.Pattern, String> m : matchers) {
                if (m.getKey().matcher(path).matches()) {
                    return m.getValue();
                }
            }
            return "unmatched";
        };
    }

    private static final Logger ACCESS = LogManager.getLogger("dev.puna.http.access");
    /** The request id header, read from clients and sent back. */
    public static final String REQUEST_ID_HEADER = "X-Request-Id";
    private static final Pattern SANE_REQUEST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:+=@-]{0,63}");
    private static final String REQUEST_ID = "puna.requestId";
    /** The id of the request each Vert.x context (one per request) is handling. */
    private static final Map<Context, String> IDS = new ConcurrentHashMap<>();
    private static final String START = "puna.start";
    private static final String MODEL = "puna.model";
    private static final String PROMPT_TOKENS = "puna.promptTokens";
    private static final String EVAL_TOKENS = "puna.evalTokens";

    @Override
    public void handle(RoutingContext rc) {
        long start = System.nanoTime();
        rc.put(START, start);
        rc.put(Metrics.KEY, metrics);
        String incoming = rc.request().getHeader(REQUEST_ID_HEADER);
        String id = incoming != null && SANE_REQUEST_ID.matcher(incoming).matches() ? incoming
                : HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        rc.put(REQUEST_ID, id);
        rc.response().putHeader(REQUEST_ID_HEADER, id);
        Context context = Vertx.currentContext();
        if (context != null) {
            IDS.put(context, id);
        }
        rc.addEndHandler(ended -> {
            if (context != null) {
                IDS.remove(context, id); // before the access line, which carries the id itself
            }
            // The end handler's result is failed for any request that failed, answered or not: whether the
            // response was completed is what tells an answered error from a client that went away.
            int status = rc.response().ended() ? rc.response().getStatusCode() : 499;
            ApiException error = rc.get(Responses.ERROR_KEY);
            String route = routes.apply(rc.request().path());
            ACCESS.info(new AccessLogMessage(rc.request().method().name(), rc.request().path(), route, status,
                    (System.nanoTime() - start) / 1e6, rc.get(MODEL, "-"), rc.get(PROMPT_TOKENS, 0),
                    rc.get(EVAL_TOKENS, 0), id, error == null ? null : error.getMessage()));
            metrics.request(route, status, (System.nanoTime() - start) / 1e9);
            String model = rc.get(MODEL);
            if (model != null) {
                metrics.tokens(ModelNames.canonical(model), rc.get(PROMPT_TOKENS, 0), rc.get(EVAL_TOKENS, 0));
            }
        });
        rc.next();
    }

    /** The id of {@code rc}'s request (see the class comment). */
    public static String requestId(RoutingContext rc) {
        return rc.get(REQUEST_ID);
    }

    /**
     * The id of the request the calling thread is handling: the one whose Vert.x context is current (on its event
     * loop, or in one of its blocking steps); null elsewhere (an engine's decode thread, a timer).
     */
    public static String currentRequestId() {
        Context context = Vertx.currentContext();
        return context == null ? null : IDS.get(context);
    }

    /** The model a request named, as recorded by {@link #model}; null when none was. */
    static String modelOf(RoutingContext rc) {
        return rc.get(MODEL);
    }

    /** When the request arrived ({@link System#nanoTime}), for total durations. */
    public static long startNanos(RoutingContext rc) {
        Long start = rc.get(START);
        return start == null ? System.nanoTime() : start;
    }

    /** Records the model a request named. */
    public static void model(RoutingContext rc, String model) {
        rc.put(MODEL, model);
    }

    /** Records a request's token counts. */
    public static void tokens(RoutingContext rc, int promptTokens, int evalTokens) {
        rc.put(PROMPT_TOKENS, promptTokens);
        rc.put(EVAL_TOKENS, evalTokens);
    }
}
