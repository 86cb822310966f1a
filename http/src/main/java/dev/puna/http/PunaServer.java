package dev.puna.http;

import dev.puna.http.internal.ApiKeys;
import dev.puna.http.internal.ConnectionGuard;
import dev.puna.http.internal.Durations;
import dev.puna.http.internal.EngineLoader;
import dev.puna.http.internal.HealthRoute;
import dev.puna.http.internal.Errors;
import dev.puna.http.internal.Metrics;
import dev.puna.http.internal.LlamaQuantizer;
import dev.puna.http.internal.ModelScheduler;
import dev.puna.http.internal.RouteFamily;
import dev.puna.http.internal.ServerRouter;
import dev.puna.http.internal.WorkerThreads;
import dev.puna.http.internal.ServerContext;
import dev.puna.http.internal.ServerLifecycle;
import dev.puna.http.internal.StoreCatalog;
import dev.puna.http.internal.StoreServices;
import dev.puna.http.internal.Tls;
import dev.puna.http.internal.anthropic.AnthropicRoutes;
import dev.puna.http.internal.ollama.OllamaRoutes;
import dev.puna.http.internal.stateful.StateService;
import dev.puna.http.internal.openai.OpenAiRoutes;
import dev.puna.store.ModelStore;
import dev.puna.store.RegistryClient;
import dev.puna.store.RegistryOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.net.InetAddress;
import java.net.UnknownHostException;
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
 * <p>Security defaults: it binds 127.0.0.1 unless told otherwise and refuses to start on any other address without
 * API keys (unless {@link ServerConfig#allowUnauthenticated()}); with keys, every route but the public ones needs one;
 * the Host header must name this server (DNS rebinding); cross-origin browser requests come only from Ollama's
 * default origins plus {@link ServerConfig#origins()}; bodies, headers, request lines, connections, slow headers,
 * idle connections and per-request ceilings are capped (see {@link Settings}); HTTPS with
 * {@link ServerConfig#tls()}.
 *
 * <p>A graceful shutdown is {@link #drain} then {@link #close()}: the server stops taking requests (new ones get 503
 * in their API's format), lets those in flight (and the runs it executes) finish up to a deadline, then cancels the
 * generations still running, each ending its response properly (Ollama: a final {@code done} object with
 * {@code done_reason: "shutdown"}; OpenAI: an SSE error event and {@code data: [DONE]}; a 503 when nothing was sent
 * yet). {@link #state()} tells readiness checks where the server is.
 *
 * <p>Thread-safe; {@link #drain} and {@link #close()} are idempotent.
 */
public final class PunaServer implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(PunaServer.class);
    /** How long cancelled generations have to end their responses, and connections to close, after a drain. */
    private static final Duration CANCEL_GRACE = Duration.ofSeconds(5);

    private final ServerConfig config;
    private final Vertx vertx;
    private final HttpServer server;
    private final ModelScheduler scheduler;
    private final ExecutorService loaders;
    private final ScheduledExecutorService timers;
    private final ExecutorService storeOperations;
    private final StateService stateful;
    private final ApiKeys keys;
    private final ServerLifecycle lifecycle;
    private volatile boolean closed;

    private PunaServer(ServerConfig config, Vertx vertx, HttpServer server, ModelScheduler scheduler,
                       ExecutorService loaders, ScheduledExecutorService timers, ExecutorService storeOperations,
                       ApiKeys keys, ServerLifecycle lifecycle, StateService stateful) {
        this.config = config;
        this.keys = keys;
        this.lifecycle = lifecycle;
        this.stateful = stateful;
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
        requireKeysWhenExposed(config);
        ApiKeys keys = ApiKeys.of(config.apiKeys(), config.apiKeyFile());
        ExecutorService storeOperations = store == null ? null : store.operations();
        ExecutorService loaders = Executors.newCachedThreadPool(daemon("puna-model-loader"));
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(daemon("puna-keep-alive"));
        ModelScheduler[] schedulerRef = new ModelScheduler[1];
        Metrics metrics = new Metrics(() -> schedulerRef[0].engineStats());
        EngineLoader engines = new EngineLoader(config, metrics, catalog);
        ModelScheduler scheduler = new ModelScheduler(engines, engines, config.maxLoadedModels(),
                config.maxMemoryBytes(), loaders, timers);
        schedulerRef[0] = scheduler;
        Vertx vertx = Vertx.vertx();
        WorkerThreads.prestart(vertx); // the threads start here; their empty tasks need not be waited for
        ServerLifecycle lifecycle = ServerLifecycle.starting();
        ServerContext sc = new ServerContext(vertx, config, catalog, scheduler, store, lifecycle);
        // In order of precedence for error formats: Anthropic's /v1/messages before OpenAI's rest of /v1/*, both
        // before Ollama's, which owns the rest.
        StateService stateful = new StateService(config, vertx);
        List<RouteFamily> families = List.of(new AnthropicRoutes(sc), new OpenAiRoutes(sc, stateful),
                new OllamaRoutes(sc));
        Router router = ServerRouter.create(vertx, config, families, metrics, keys,
                new HealthRoute(lifecycle::state, scheduler), lifecycle);
        ConnectionGuard guard = new ConnectionGuard(vertx, config.maxConnections(), config.headerTimeout(),
                config.idleTimeout());
        router.route().order(Integer.MIN_VALUE).handler(guard);
        try {
            stateful.openIfConfigured();
        } catch (RuntimeException e) {
            stateful.close();
            scheduler.close(Duration.ofSeconds(1));
            await(vertx.close());
            loaders.shutdownNow();
            timers.shutdownNow();
            if (storeOperations != null) {
                storeOperations.shutdownNow();
            }
            throw new ServerConfigException("PUNA_DATABASE_URL", e.getMessage());
        }
        HttpServer server;
        try {
            HttpServerOptions options = Tls.apply(new HttpServerOptions().setHost(config.host())
                    .setPort(config.port()).setCompressionSupported(false)
                    // No cleartext HTTP/2 (h2c): Vert.x learns a cleartext connection's protocol only from its first
                    // request, so the header timeout could not start when the connection does. HTTP/2 is for TLS.
                    .setHttp2ClearTextEnabled(false)
                    .setMaxHeaderSize(config.maxHeaderBytes()).setMaxInitialLineLength(config.maxUrlLength()),
                    config, vertx);
            options.getInitialSettings().setMaxHeaderListSize(config.maxHeaderBytes()); // the HTTP/2 equivalent
            server = vertx.createHttpServer(options).connectionHandler(guard::connected).requestHandler(router);
            await(server.listen());
        } catch (RuntimeException e) {
            stateful.close();
            scheduler.close(Duration.ofSeconds(1));
            await(vertx.close());
            loaders.shutdownNow();
            timers.shutdownNow();
            if (storeOperations != null) {
                storeOperations.shutdownNow();
            }
            if (e instanceof ServerConfigException sce) {
                throw sce;
            }
            Throwable cause = Errors.unwrap(e);
            throw new ServerConfigException("PUNA_HOST", "cannot listen on " + config.address() + ": "
                    + (cause.getMessage() == null ? cause.toString() : cause.getMessage()));
        }
        if (config.apiKeyFile() != null) {
            keys.reloadOnSignal();
            timers.scheduleWithFixedDelay(keys::reloadIfChanged, KEY_FILE_POLL_SECONDS, KEY_FILE_POLL_SECONDS,
                    TimeUnit.SECONDS);
        }
        LOG.info("listening on {} ({})", config.host() + ":" + server.actualPort(), config);
        lifecycle.listening();
        return new PunaServer(config, vertx, server, scheduler, loaders, timers, storeOperations, keys, lifecycle,
                stateful);
    }

    /** How often the API key file is checked for changes. */
    private static final int KEY_FILE_POLL_SECONDS = 2;

    /**
     * Exposed servers without keys are the anchors' main incident (Ollama hosts found by the hundred thousand): a
     * non-loopback address needs a key, or an explicit opt-out that is then logged loudly.
     */
    private static void requireKeysWhenExposed(ServerConfig config) {
        if (config.requiresApiKey() || isLoopback(config.host())) {
            return;
        }
        if (!config.allowUnauthenticated()) {
            throw new ServerConfigException("PUNA_HOST", config.address() + " is not a loopback address, and no API "
                    + "key is set (PUNA_API_KEYS or PUNA_API_KEY_FILE): anyone who can reach it could use this "
                    + "server. Set a key, or PUNA_ALLOW_UNAUTHENTICATED=true to serve without one");
        }
        LOG.warn("!!! SECURITY WARNING: listening on {} without any API key (PUNA_ALLOW_UNAUTHENTICATED=true): "
                + "anyone who can reach this address can run, pull, create and delete models. Set PUNA_API_KEYS or "
                + "PUNA_API_KEY_FILE. !!!", config.address());
    }

    private static boolean isLoopback(String host) {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
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

    /** The base URL clients use, e.g. {@code http://127.0.0.1:11434}, or {@code https://...} with TLS. */
    public String url() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return (config.tls() ? "https://" : "http://") + host + ":" + port();
    }

    /** Where the server is in its life: {@link ServerState#SERVING} once started, until a drain or close. */
    public ServerState state() {
        return lifecycle.state();
    }

    /** Whether the server is shutting down ({@link #drain} or {@link #close()} began): readiness should fail. */
    public boolean draining() {
        return lifecycle.state() == ServerState.DRAINING || lifecycle.state() == ServerState.STOPPED;
    }

    /**
     * The first half of a graceful shutdown, before {@link #close()}: stops taking requests (new ones, on new or
     * kept-alive connections, get 503 with Retry-After in their API's format; {@code /health} and
     * {@code /metrics} are still answered), waits up to {@code timeout} for the requests in flight to finish,
     * then cancels the generations still running, each ending its response as a shutdown (see the class
     * comment), interrupts store operations (a pull keeps its partial download), and closes the connections
     * once their responses are out. Blocks; do not call it on an event loop.
     *
     * @param timeout how long requests in flight may go on; zero cancels them at once
     * @return whether every request finished within {@code timeout} (false too when a drain or close was already
     *     under way)
     */
    public boolean drain(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (closed || !lifecycle.startDraining()) {
            return false;
        }
        int inFlight = lifecycle.inFlight();
        LOG.info("draining: {} requests in flight, waiting up to {}", inFlight, Durations.format(timeout));
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean finished = lifecycle.awaitIdle(timeout);
        // Runs and background responses are not requests in flight: they have the rest of the time too.
        finished &= stateful.awaitIdle(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        if (!finished) {
            int left = lifecycle.inFlight(); // before cancelling, which lets them end
            int cancelled = lifecycle.cancelStreams();
            LOG.warn("shutdown timeout ({}) passed with {} requests in flight: cancelling {} generations",
                    Durations.format(timeout), left, cancelled);
            if (storeOperations != null) {
                storeOperations.shutdownNow();
            }
            if (!lifecycle.awaitIdle(CANCEL_GRACE)) {
                LOG.warn("{} requests still in flight {} after cancelling; closing their connections",
                        lifecycle.inFlight(), Durations.format(CANCEL_GRACE));
            }
        } else {
            LOG.info("drained: no request in flight");
        }
        try {
            // Lets every connection finish writing what its last response ended with before it closes.
            await(server.shutdown(CANCEL_GRACE.toMillis(), TimeUnit.MILLISECONDS));
        } catch (RuntimeException e) {
            LOG.warn("closing the connections failed", e);
        }
        return finished;
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
        lifecycle.startDraining();
        keys.stopReloading();
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
        // Runs still executing end as failed (the server is going away) before the engines close under them.
        stateful.close();
        scheduler.close(Duration.ofSeconds(30));
        try {
            await(vertx.close());
        } catch (RuntimeException e) {
            LOG.warn("closing Vert.x failed", e);
        }
        loaders.shutdown();
        timers.shutdownNow();
        lifecycle.stopped();
        LOG.info("stopped");
    }
}
