package dev.puna.http;

import dev.puna.http.internal.EngineLoader;
import dev.puna.http.internal.Errors;
import dev.puna.http.internal.Metrics;
import dev.puna.http.internal.LlamaQuantizer;
import dev.puna.http.internal.ModelScheduler;
import dev.puna.http.internal.RouteFamily;
import dev.puna.http.internal.ServerRouter;
import dev.puna.http.internal.ServerContext;
import dev.puna.http.internal.StoreCatalog;
import dev.puna.http.internal.StoreServices;
import dev.puna.http.internal.ollama.OllamaRoutes;
import dev.puna.http.internal.openai.OpenAiRoutes;
import dev.puna.store.ModelStore;
import dev.puna.store.RegistryClient;
import dev.puna.store.RegistryOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Puna's HTTP server: Ollama's and OpenAI's APIs on Vert.x over a {@link ModelStore} (listing, showing, pulling,
 * pushing, creating, copying and deleting models, blob uploads), its models loaded on demand and served with
 * continuous batching. A server can also serve a fixed {@link ModelCatalog} instead of a store; it then runs models
 * but answers the model-management routes with 501.
 *
 * <p>{@link #start} binds and returns once the server listens. The server owns its Vert.x instance, the loaded
 * models and their engines, and the threads of store operations; it does not own the store (a directory that
 * outlives it). {@link #close()} stops listening, interrupts running store operations (a pull keeps its partial
 * download for a resume), cancels what runs, unloads every model and frees the threads. Requests are handled on
 * event loops; loading, prompt rendering, embedding, decoding and store operations run on other threads.
 *
 * <p>Security defaults: it binds 127.0.0.1 unless told otherwise, caps request bodies
 * ({@link ServerConfig#maxBodyBytes()}, 413 beyond), and allows cross-origin browser requests only from Ollama's
 * default origins plus {@link ServerConfig#origins()}.
 *
 * <p>Thread-safe; {@link #close()} is idempotent.
 */
public final class PunaServer implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(PunaServer.class);

    private final ServerConfig config;
    private final Vertx vertx;
    private final HttpServer server;
    private final ModelScheduler scheduler;
    private final ExecutorService loaders;
    private final ScheduledExecutorService timers;
    private final ExecutorService storeOperations;
    private volatile boolean closed;

    private PunaServer(ServerConfig config, Vertx vertx, HttpServer server, ModelScheduler scheduler,
                       ExecutorService loaders, ScheduledExecutorService timers, ExecutorService storeOperations) {
        this.config = config;
        this.vertx = vertx;
        this.server = server;
        this.scheduler = scheduler;
        this.loaders = loaders;
        this.timers = timers;
        this.storeOperations = storeOperations;
    }

    /**
     * Opens the model store a server with {@code config} serves: {@link ServerConfig#modelsDir()} ({@code
     * PUNA_MODELS}), merged with the read-only Ollama store of {@link ServerConfig#ollamaModelsDir()} if set, and
     * quantizing with llama.cpp for {@code /api/create}'s {@code quantize}.
     *
     * @throws dev.puna.store.StoreIOException if the directory cannot be created
     */
    public static ModelStore openStore(ServerConfig config) {
        ModelStore.Builder b = ModelStore.builder(config.modelsDir()).quantizer(new LlamaQuantizer());
        if (config.ollamaModelsDir() != null) {
            b.ollamaStore(config.ollamaModelsDir());
        }
        return b.open();
    }

    /**
     * Opens the store of {@code config} ({@link #openStore}) and serves it; see {@link #start(ServerConfig,
     * ModelStore)}.
     */
    public static PunaServer start(ServerConfig config) {
        return start(config, openStore(config));
    }

    /**
     * Starts a server over {@code store} and waits until it listens. First deletes the store's blobs that no model
     * uses (except recent uploads, {@link ModelStore#DEFAULT_PRUNE_GRACE}), as Ollama does at start-up.
     *
     * @throws ServerConfigException when the address cannot be bound (in use, not an address of this machine)
     */
    public static PunaServer start(ServerConfig config, ModelStore store) {
        Objects.requireNonNull(store, "store");
        int pruned = store.pruneUnused(ModelStore.DEFAULT_PRUNE_GRACE);
        if (pruned > 0) {
            LOG.info("pruned {} unused blobs from {}", pruned, store.root());
        }
        ExecutorService operations = Executors.newCachedThreadPool(daemon("puna-store"));
        return start(config, new StoreCatalog(store),
                new StoreServices(store, RegistryClient.create(store, RegistryOptions.builder()
                        .huggingFaceEndpoint(config.huggingFaceEndpoint()).build()), operations));
    }

    /**
     * Starts a server over a fixed catalog (no pull, push, create, copy, delete or blob uploads: those answer
     * 501) and waits until it listens.
     *
     * @throws ServerConfigException when the address cannot be bound (in use, not an address of this machine)
     */
    public static PunaServer start(ServerConfig config, ModelCatalog catalog) {
        return start(config, catalog, null);
    }

    private static PunaServer start(ServerConfig config, ModelCatalog catalog, StoreServices store) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(catalog, "catalog");
        ExecutorService storeOperations = store == null ? null : store.operations();
        ExecutorService loaders = Executors.newCachedThreadPool(daemon("puna-model-loader"));
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(daemon("puna-keep-alive"));
        ModelScheduler[] schedulerRef = new ModelScheduler[1];
        Metrics metrics = new Metrics(() -> schedulerRef[0].engineStats());
        EngineLoader engines = new EngineLoader(config, metrics);
        ModelScheduler scheduler = new ModelScheduler(engines, engines, config.maxLoadedModels(),
                config.maxMemoryBytes(), loaders, timers);
        schedulerRef[0] = scheduler;
        Vertx vertx = Vertx.vertx();
        ServerContext sc = new ServerContext(vertx, config, catalog, scheduler, store);
        // In order of precedence for error formats: a family for /v1/* goes before Ollama's, which owns the rest.
        List<RouteFamily> families = List.of(new OpenAiRoutes(sc), new OllamaRoutes(sc));
        Router router = ServerRouter.create(vertx, config, families, metrics);
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost(config.host())
                .setPort(config.port()).setCompressionSupported(false)).requestHandler(router);
        try {
            await(server.listen());
        } catch (RuntimeException e) {
            scheduler.close(Duration.ofSeconds(1));
            await(vertx.close());
            loaders.shutdownNow();
            timers.shutdownNow();
            if (storeOperations != null) {
                storeOperations.shutdownNow();
            }
            Throwable cause = Errors.unwrap(e);
            throw new ServerConfigException("PUNA_HOST", "cannot listen on " + config.address() + ": "
                    + (cause.getMessage() == null ? cause.toString() : cause.getMessage()));
        }
        LOG.info("listening on {} ({})", config.host() + ":" + server.actualPort(), config);
        return new PunaServer(config, vertx, server, scheduler, loaders, timers, storeOperations);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The port the server listens on (the chosen one when the configuration asked for port 0). */
    public int port() {
        return server.actualPort();
    }

    /** The configuration the server runs with. */
    public ServerConfig config() {
        return config;
    }

    /** The base URL clients use, e.g. {@code http://127.0.0.1:11434}. */
    public String url() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return "http://" + host + ":" + port();
    }

    /**
     * Stops listening, interrupts running store operations, cancels running generations, unloads every model and
     * stops the server's threads. Blocks until done (bounded); do not call it on an event loop.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            await(server.close());
        } catch (RuntimeException e) {
            LOG.warn("closing the HTTP server failed", e);
        }
        if (storeOperations != null) {
            storeOperations.shutdownNow();
            try {
                if (!storeOperations.awaitTermination(30, TimeUnit.SECONDS)) {
                    LOG.warn("store operations still running after 30 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        scheduler.close(Duration.ofSeconds(30));
        try {
            await(vertx.close());
        } catch (RuntimeException e) {
            LOG.warn("closing Vert.x failed", e);
        }
        loaders.shutdown();
        timers.shutdownNow();
        LOG.info("stopped");
    }
}
