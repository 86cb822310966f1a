package dev.puna.http.internal;

import dev.puna.runtime.EngineStats;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The server's Prometheus metrics, served as text on {@code GET /metrics}: requests by route and status, their
 * durations, prompt and generated tokens, time to first token, generation speed and model load time per model,
 * and, read from each loaded model's engine at scrape time, queue depth, busy slots, KV-cache use and the host-RAM
 * prompt cache. Thread-safe: the counters are updated from event loops and engine threads alike.
 */
public final class Metrics {
    /** Where {@link RequestLog} leaves the metrics for the routes of one request. */
    static final String KEY = "puna.metrics";

    private static final double[] LATENCY_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
    private static final double[] SPEED_BUCKETS = {1, 5, 10, 25, 50, 100, 200, 400, 800, 1600, 3200};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests;
    private final Histogram requestSeconds;
    private final Counter promptTokens;
    private final Counter generatedTokens;
    private final Histogram firstTokenSeconds;
    private final Histogram tokensPerSecond;
    private final Histogram loadSeconds;

    /** @param engines the loaded models' engine statistics by model name, read at every scrape */
    public Metrics(Supplier<Map<String, EngineStats>> engines) {
        requests = Counter.builder().name("puna_http_requests_total").help("HTTP requests by route and status")
                .labelNames("route", "status").register(registry);
        requestSeconds = Histogram.builder().name("puna_http_request_duration_seconds")
                .help("HTTP request duration (until the response ended or the client left)")
                .labelNames("route").classicOnly().classicUpperBounds(LATENCY_BUCKETS).register(registry);
        promptTokens = Counter.builder().name("puna_prompt_tokens_total").help("Prompt tokens of finished requests")
                .labelNames("model").register(registry);
        generatedTokens = Counter.builder().name("puna_generated_tokens_total")
                .help("Tokens generated for finished requests").labelNames("model").register(registry);
        firstTokenSeconds = Histogram.builder().name("puna_time_to_first_token_seconds")
                .help("From a request's arrival to its first generated token").labelNames("model").classicOnly()
                .classicUpperBounds(LATENCY_BUCKETS).register(registry);
        tokensPerSecond = Histogram.builder().name("puna_generation_tokens_per_second")
                .help("Generation speed of each finished request after its first token").labelNames("model")
                .classicOnly().classicUpperBounds(SPEED_BUCKETS).register(registry);
        loadSeconds = Histogram.builder().name("puna_model_load_seconds").help("Time to load a model and start its engine")
                .labelNames("model").classicOnly().classicUpperBounds(LATENCY_BUCKETS).register(registry);
        gauge("puna_loaded_models", "Models loaded", false, engines, null);
        gauge("puna_queue_depth", "Requests waiting for a slot", true, engines, EngineStats::queued);
        gauge("puna_active_slots", "Slots running a request", true, engines, EngineStats::activeSlots);
        gauge("puna_slots", "Slots (parallel sequences)", true, engines, EngineStats::slots);
        gauge("puna_kv_cache_tokens", "Tokens held in the KV cache", true, engines, EngineStats::kvTokensUsed);
        gauge("puna_kv_cache_capacity_tokens", "Tokens the KV cache can hold", true, engines,
                EngineStats::kvTokensCapacity);
        gauge("puna_kv_cache_usage_ratio", "Share of the KV cache in use", true, engines,
                s -> s.kvTokensCapacity() == 0 ? 0 : (double) s.kvTokensUsed() / s.kvTokensCapacity());
        gauge("puna_prompt_cache_bytes", "KV-cache sequences kept in host RAM", true, engines,
                EngineStats::promptCacheBytes);
        gauge("puna_draft_tokens", "Tokens a draft model proposed (speculative decoding), since the model loaded",
                true, engines, EngineStats::draftTokens);
        gauge("puna_draft_accepted_tokens", "Drafted tokens the model accepted, since it loaded", true, engines,
                EngineStats::draftAccepted);
        gauge("puna_draft_acceptance_ratio", "Accepted over proposed drafted tokens (0 before any draft)", true,
                engines, s -> s.draftTokens() == 0 ? 0 : (double) s.draftAccepted() / s.draftTokens());
    }

    private void gauge(String name, String help, boolean perModel, Supplier<Map<String, EngineStats>> engines,
                       java.util.function.ToDoubleFunction<EngineStats> value) {
        GaugeWithCallback.Builder b = GaugeWithCallback.builder().name(name).help(help);
        if (perModel) {
            b.labelNames("model").callback(cb -> engines.get().forEach((model, s) -> cb.call(value.applyAsDouble(s), model)));
        } else {
            b.callback(cb -> cb.call(engines.get().size()));
        }
        b.register(registry);
    }

    /** The metrics a request's routes report to, left there by {@link RequestLog}; null outside a server. */
    static Metrics of(RoutingContext rc) {
        return rc.get(KEY);
    }

    void request(String route, int status, double seconds) {
        requests.labelValues(route, Integer.toString(status)).inc();
        requestSeconds.labelValues(route).observe(seconds);
    }

    void tokens(String model, int prompt, int generated) {
        if (prompt > 0) {
            promptTokens.labelValues(model).inc(prompt);
        }
        if (generated > 0) {
            generatedTokens.labelValues(model).inc(generated);
        }
    }

    void firstToken(String model, double seconds) {
        firstTokenSeconds.labelValues(model).observe(seconds);
    }

    void generationSpeed(String model, double tokensPerSecond) {
        if (tokensPerSecond > 0) {
            this.tokensPerSecond.labelValues(model).observe(tokensPerSecond);
        }
    }

    void modelLoaded(String model, double seconds) {
        loadSeconds.labelValues(model).observe(seconds);
    }

    /** {@code GET /metrics}: the Prometheus text format. */
    public Handler<RoutingContext> handler() {
        PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
        return rc -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
            try {
                writer.write(out, registry.scrape());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            rc.response().putHeader("Content-Type", PrometheusTextFormatWriter.CONTENT_TYPE)
                    .end(Buffer.buffer(out.toByteArray()));
        };
    }
}
