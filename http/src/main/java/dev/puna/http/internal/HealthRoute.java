package dev.puna.http.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.ServerState;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * {@code GET /health}, public even with API keys (a probe has none): 200 {@code {"status":"ok","models":[...]}} while
 * the server is serving, 503 with {@code "status":"starting"} or {@code "draining"} otherwise, each model with its
 * state ({@code loading}, {@code loaded}, {@code unloading}), the requests holding it, and, once loaded, its context
 * length, slots in use, queued requests and keep-alive expiry. Answers from memory on the event loop.
 */
public final class HealthRoute implements Handler<RoutingContext> {
    private final Supplier<ServerState> state;
    private final ModelScheduler scheduler;

    public HealthRoute(Supplier<ServerState> state, ModelScheduler scheduler) {
        this.state = state;
        this.scheduler = scheduler;
    }

    @Override
    public void handle(RoutingContext rc) {
        ServerState s = state.get();
        ObjectNode o = JsonBody.MAPPER.createObjectNode();
        o.put("status", s == ServerState.SERVING ? "ok" : s.name().toLowerCase(Locale.ROOT));
        ArrayNode models = o.putArray("models");
        for (ModelScheduler.ModelState m : scheduler.states()) {
            ObjectNode e = models.addObject();
            e.put("name", m.name());
            e.put("state", m.state());
            e.put("requests", m.leases());
            if (m.stats() != null) {
                e.put("context_length", m.contextLength());
                e.put("slots", m.stats().slots());
                e.put("active_slots", m.stats().activeSlots());
                e.put("queued", m.stats().queued());
            }
            if (m.expiresAt() != null) {
                e.put("expires_at", m.expiresAt().toString());
            }
        }
        rc.response().putHeader("Cache-Control", "no-store");
        try {
            Responses.json(rc, s == ServerState.SERVING ? 200 : 503, JsonBody.MAPPER.writeValueAsString(o));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
