package dev.puna.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.http.CatalogModel;
import dev.puna.http.ModelCatalog;
import dev.puna.http.ServerConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What every route family shares: the configuration, the catalog, the scheduler and (when the server has one) the
 * model store, with the steps every inference route takes (look a model up, lease it) done off the event loop and
 * delivered back on the caller's context.
 */
public final class ServerContext {
    private final Vertx vertx;
    private final ServerConfig config;
    private final ModelCatalog catalog;
    private final ModelScheduler scheduler;
    private final OptionsParser options;
    private final RequestLimits limits;
    private final dev.puna.http.internal.vision.RemoteImages remoteImages;
    private final StoreServices store;
    private final ServerLifecycle lifecycle;

    /** A context without a model store: the model-management routes answer 501. */
    public ServerContext(Vertx vertx, ServerConfig config, ModelCatalog catalog, ModelScheduler scheduler) {
        this(vertx, config, catalog, scheduler, null);
    }

    /** A context whose model-management routes work on {@code store} (null: none). */
    public ServerContext(Vertx vertx, ServerConfig config, ModelCatalog catalog, ModelScheduler scheduler,
                         StoreServices store) {
        this(vertx, config, catalog, scheduler, store, ServerLifecycle.serving());
    }

    /** A context of a server whose state is {@code lifecycle}'s. */
    public ServerContext(Vertx vertx, ServerConfig config, ModelCatalog catalog, ModelScheduler scheduler,
                         StoreServices store, ServerLifecycle lifecycle) {
        this.lifecycle = lifecycle;
        this.vertx = vertx;
        this.config = config;
        this.catalog = catalog;
        this.scheduler = scheduler;
        this.options = OptionsParser.forServer(config);
        this.limits = options.limits();
        this.remoteImages = new dev.puna.http.internal.vision.RemoteImages(config.imageUrlHosts(),
                config.maxBodyBytes());
        this.store = store;
    }

    public Vertx vertx() {
        return vertx;
    }

    public ServerConfig config() {
        return config;
    }

    public ModelCatalog catalog() {
        return catalog;
    }

    public ModelScheduler scheduler() {
        return scheduler;
    }

    public OptionsParser options() {
        return options;
    }

    /** The per-request ceilings ({@code PUNA_MAX_NUM_CTX}, ...). */
    public RequestLimits limits() {
        return limits;
    }

    /** The server's state and requests in flight (for readiness). */
    public ServerLifecycle lifecycle() {
        return lifecycle;
    }

    /** Whether the server has a model store (else it serves a fixed catalog). */
    public boolean hasStore() {
        return store != null;
    }

    /**
     * The model store and what works on it.
     *
     * @throws ApiException 501 when the server was started with a fixed catalog instead of a store
     */
    public StoreServices store() {
        if (store == null) {
            throw ApiException.notImplemented(null, "this server serves a fixed model catalog; managing models "
                    + "(pull, push, create, copy, delete, blobs) needs a model store");
        }
        return store;
    }

    /**
     * Parses a generation or embedding request's body, its {@code model} set to {@code PUNA_DEFAULT_MODEL} when
     * the request names none (absent, null or empty) and the server has a default; a {@code model} of another
     * type stays, for the route to refuse.
     */
    public JsonBody requestBody(Buffer buffer) {
        JsonBody body = JsonBody.parse(buffer);
        String fallback = config.defaultModel();
        JsonNode model = body.raw("model");
        if (fallback != null && (model == null || (model.isTextual() && model.textValue().isEmpty()))) {
            body.node().put("model", fallback);
        }
        return body;
    }

    /** The fetcher of allowed image URLs ({@code PUNA_IMAGE_URL_HOSTS}); disabled when no host is allowed. */
    public dev.puna.http.internal.vision.RemoteImages remoteImages() {
        return remoteImages;
    }

    /** Runs blocking work on a worker thread; the future completes on the caller's context. */
    public <T> Future<T> blocking(java.util.concurrent.Callable<T> work) {
        return vertx.executeBlocking(work, false);
    }

    /**
     * Runs {@code prepare} (rendering and tokenizing a request's prompt, then submitting it to the leased engine) on
     * a worker thread, announced to the engine meanwhile ({@link dev.puna.runtime.Engine#expectArrival}), so that
     * an idle engine holds a burst's first step for it. The announcement ends when {@code prepare} returns or
     * throws, or when it never runs.
     */
    public <T> Future<T> preparing(ModelScheduler.Lease lease, java.util.concurrent.Callable<T> prepare) {
        dev.puna.runtime.Engine.Arrival arrival = lease.engine().expectArrival();
        return blocking(() -> {
            try (arrival) {
                return prepare.call();
            }
        }).onComplete(done -> arrival.close());
    }

    /**
     * Looks {@code name} up in the catalog (on a worker thread).
     *
     * @return the model; fails with 400 for a malformed name, 404 for an unknown one, 500 when the store cannot
     *     be read
     */
    public Future<CatalogModel> findModel(String name) {
        ModelNames.require(name);
        Optional<CatalogModel> known = catalog.cached(name);
        if (known.isPresent()) {
            return Future.succeededFuture(known.get());
        }
        return blocking(() -> {
            try {
                return catalog.find(name).orElseThrow(() -> ApiException.modelNotFound(name));
            } catch (IOException e) {
                throw ApiException.internal("cannot read the model store: " + e.getMessage(), e);
            }
        });
    }

    /** Leases {@code model} loaded with {@code load}; completes on the caller's context once it is ready. */
    public Future<ModelScheduler.Lease> lease(CatalogModel model, LoadOptions load, Duration keepAlive) {
        ModelScheduler.Lease ready = scheduler.leaseIfReady(model, load, keepAlive);
        if (ready != null) {
            return Future.succeededFuture(ready); // loaded already: no trip to a worker thread
        }
        Context ctx = vertx.getOrCreateContext();
        return blocking(() -> scheduler.acquire(model, load, keepAlive))
                .compose((CompletableFuture<ModelScheduler.Lease> cf) -> Future.fromCompletionStage(cf, ctx));
    }

    /** The request's keep-alive, or the server default when it gave none. */
    public Duration keepAlive(Duration requested) {
        return requested != null ? requested : config.keepAlive();
    }
}
