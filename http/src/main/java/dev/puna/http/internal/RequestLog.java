package dev.puna.http.internal;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Writes one log line per request to the logger {@code dev.puna.http.access} when the response ends or the
 * connection closes: method and route, model, status (499 when the client went away first), prompt and
 * generated token counts, duration. Routes report the model and token counts with {@link #model} and
 * {@link #tokens}.
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
    private static final String START = "puna.start";
    private static final String MODEL = "puna.model";
    private static final String PROMPT_TOKENS = "puna.promptTokens";
    private static final String EVAL_TOKENS = "puna.evalTokens";

    @Override
    public void handle(RoutingContext rc) {
        long start = System.nanoTime();
        rc.put(START, start);
        rc.put(Metrics.KEY, metrics);
        rc.addEndHandler(ended -> {
            // The end handler's result is failed for any request that failed, answered or not: whether the
            // response was completed is what tells an answered error from a client that went away.
            int status = rc.response().ended() ? rc.response().getStatusCode() : 499;
            ApiException error = rc.get(Responses.ERROR_KEY);
            ACCESS.info("{} {} model={} status={} prompt_tokens={} eval_tokens={} duration_ms={}{}",
                    rc.request().method(), rc.request().path(), rc.get(MODEL, "-"), status,
                    rc.get(PROMPT_TOKENS, 0), rc.get(EVAL_TOKENS, 0),
                    String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e6),
                    error == null ? "" : " error=\"" + error.getMessage() + "\"");
            metrics.request(routes.apply(rc.request().path()), status, (System.nanoTime() - start) / 1e9);
            String model = rc.get(MODEL);
            if (model != null) {
                metrics.tokens(ModelNames.canonical(model), rc.get(PROMPT_TOKENS, 0), rc.get(EVAL_TOKENS, 0));
            }
        });
        rc.next();
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
