package dev.puna.http.internal.stateful;

import dev.puna.http.ServerConfig;
import dev.puna.state.Collection;
import dev.puna.state.DatabaseUrl.Backend;
import dev.puna.state.Document;
import dev.puna.state.StateStore;
import dev.puna.state.Transaction;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The stateful APIs' database and the jobs (runs, responses) this server process executes.
 *
 * <ul>
 *   <li><b>Opening.</b> The database ({@link ServerConfig#databaseUrl()}) opens on first use, or at start-up when
 *       {@code PUNA_DATABASE_URL} names one; its migrations run then. A server that never serves a stateful request
 *       creates no database file.</li>
 *   <li><b>Threads.</b> {@link #read} and {@link #write} run their JDBC on threads of their own, never an event loop,
 *       and complete on the caller's context.</li>
 *   <li><b>Jobs.</b> A process claims each job it executes in the transaction that queues it (its node id and a
 *       lease). While it has jobs, it renews the leases and, on PostgreSQL, polls for cancellations other servers
 *       recorded for them, so that a cancel sent to any server of a fleet stops the run where it executes within
 *       a second. Every server sweeps: a job whose lease ran out (its process died) is failed, and a run left
 *       waiting for tool outputs past its {@code expires_at} expires. On SQLite (one server) the jobs a previous
 *       process left active are failed when the database opens.</li>
 * </ul>
 * Thread-safe.
 */
public final class StateService implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(StateService.class);
    /**
     * How long a claim holds without renewal; a dead process's jobs are failed this long after it stopped. The system
     * property {@code puna.state.lease.ms} shortens it for tests that kill servers.
     */
    static final long LEASE_MILLIS = Long.getLong("puna.state.lease.ms", 15_000);
    private static final long TICK_MILLIS = 400;
    /** Renew leases and sweep every this many ticks. */
    private static final int SLOW_TICKS = 5;

    /** What an API does with its jobs when the maintenance finds them stranded. */
    public interface Recovery {
        /** The collection of jobs. */
        Collection collection();

        /** The statuses of a job a process executes (queued, in progress, being cancelled). */
        Set<String> executingStatuses();

        /** The status another server sets to ask the executing one to stop the job. */
        String cancelStatus();

        /** The status of a job that waits for the client and expires at its {@code expires_at}, or {@code null}. */
        String expiringStatus();

        /** Ends a job whose process is gone ({@code why} says how), in the caller's transaction. */
        void orphaned(Transaction tx, Document job, String why);

        /** Expires a job that waited past its {@code expires_at}, in the caller's transaction. */
        void expired(Transaction tx, Document job);
    }

    private final ServerConfig config;
    private final Vertx vertx;
    private final String nodeId;
    private final List<Recovery> recoveries = new CopyOnWriteArrayList<>();
    /** Jobs this process executes: id to what cancels it. */
    private final Map<String, Runnable> local = new ConcurrentHashMap<>();
    private final ExecutorService jdbc;
    private final AtomicLong ticks = new AtomicLong();
    private volatile StateStore store;
    private ScheduledExecutorService maintenance;
    private volatile boolean closing;

    public StateService(ServerConfig config, Vertx vertx) {
        this.config = config;
        this.vertx = vertx;
        this.nodeId = newNodeId();
        AtomicInteger n = new AtomicInteger();
        this.jdbc = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "puna-state-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    private static String newNodeId() {
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        return "node-" + ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(random);
    }

    /** Adds the recovery of one kind of job; call before the first use. */
    public void register(Recovery recovery) {
        recoveries.add(recovery);
    }

    /** This process's id in the jobs' {@code node_id}. */
    public String nodeId() {
        return nodeId;
    }

    /** The server's configuration. */
    public ServerConfig config() {
        return config;
    }

    /** When a claim made now runs out unless renewed. */
    public long leaseUntil() {
        return System.currentTimeMillis() + LEASE_MILLIS;
    }

    /** Whether the server is shutting down (jobs then end as failed, not cancelled). */
    public boolean closing() {
        return closing;
    }

    /** Opens the database now when {@code PUNA_DATABASE_URL} names one, so a fleet server sweeps from its start. */
    public void openIfConfigured() {
        if (config.databaseConfigured()) {
            store();
        }
    }

    /** Runs {@code work} in a write transaction off the event loop; completes on the caller's context. */
    public <T> Future<T> write(Function<Transaction, T> work) {
        return async(() -> store().write(work));
    }

    /** Runs {@code work} on a read connection off the event loop; completes on the caller's context. */
    public <T> Future<T> read(Function<Transaction, T> work) {
        return async(() -> store().read(work));
    }

    private <T> Future<T> async(java.util.function.Supplier<T> work) {
        Context ctx = vertx.getOrCreateContext();
        return Future.fromCompletionStage(CompletableFuture.supplyAsync(work, jdbc), ctx);
    }

    /** The database, opened (and recovered) on first use. Blocking. */
    public StateStore store() {
        StateStore s = store;
        if (s != null) {
            return s;
        }
        synchronized (this) {
            if (store == null) {
                if (closing) {
                    throw new IllegalStateException("the server is shutting down");
                }
                StateStore opened = StateStore.open(config.databaseUrl());
                LOG.info("stateful APIs: database {} (node {})", opened.url(), nodeId);
                if (opened.backend() == Backend.SQLITE) {
                    recoverAll(opened);
                }
                store = opened;
                startMaintenance();
            }
            return store;
        }
    }

    /** One server per SQLite file: whatever a previous process left executing died with it. */
    private void recoverAll(StateStore s) {
        for (Recovery r : recoveries) {
            int n = s.write(tx -> {
                List<Document> stranded = tx.lockWithStatus(r.collection(), r.executingStatuses());
                for (Document d : stranded) {
                    r.orphaned(tx, d, "The server restarted while this was in progress.");
                }
                return stranded.size();
            });
            if (n > 0) {
                LOG.warn("failed {} {} left in progress by a previous server process", n, r.collection().table());
            }
        }
    }

    private synchronized void startMaintenance() {
        maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "puna-state-maintenance");
            t.setDaemon(true);
            return t;
        });
        maintenance.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        StateStore s = store;
        if (s == null || closing) {
            return;
        }
        try {
            boolean slow = ticks.incrementAndGet() % SLOW_TICKS == 0;
            boolean fleet = s.backend() == Backend.POSTGRESQL;
            if (fleet && !local.isEmpty()) {
                pollCancellations(s);
                if (slow) {
                    for (Recovery r : recoveries) {
                        s.write(tx -> tx.renewLeases(r.collection(), nodeId, leaseUntil()));
                    }
                }
            }
            if (slow) {
                sweep(s, fleet);
            }
        } catch (RuntimeException e) {
            LOG.warn("state maintenance failed (will retry): {}", e.getMessage());
        }
    }

    /** Cancels the local jobs another server asked to stop. */
    private void pollCancellations(StateStore s) {
        for (Recovery r : recoveries) {
            for (String id : s.read(tx -> tx.owned(r.collection(), nodeId, Set.of(r.cancelStatus())))) {
                Runnable cancel = local.get(id);
                if (cancel != null) {
                    cancel.run();
                }
            }
        }
    }

    private void sweep(StateStore s, boolean fleet) {
        long now = System.currentTimeMillis();
        for (Recovery r : recoveries) {
            if (fleet) {
                s.write(tx -> {
                    for (Document d : tx.lockOrphans(r.collection(), r.executingStatuses(), now, 50)) {
                        if (!local.containsKey(d.id())) {
                            LOG.warn("{} {} lost its server (lease expired): failing it", r.collection().table(),
                                    d.id());
                            r.orphaned(tx, d, "The server executing this stopped (it was restarted or died).");
                        }
                    }
                    return null;
                });
            }
            if (r.expiringStatus() != null) {
                s.write(tx -> {
                    for (Document d : tx.lockExpired(r.collection(), r.expiringStatus(), now / 1000, 50)) {
                        r.expired(tx, d);
                    }
                    return null;
                });
            }
        }
    }

    /** Notes a job this process executes, and how to cancel it. */
    public void track(String id, Runnable cancel) {
        local.put(id, cancel);
    }

    /** Forgets a job this process no longer executes. */
    public void untrack(String id) {
        local.remove(id);
    }

    /** Cancels job {@code id} if this process executes it. @return whether it does */
    public boolean cancelLocal(String id) {
        Runnable cancel = local.get(id);
        if (cancel == null) {
            return false;
        }
        cancel.run();
        return true;
    }

    /**
     * Waits until this process executes no job (runs, background responses), at most {@code timeout}: a graceful
     * shutdown lets them finish like the requests in flight.
     *
     * @return whether none is left
     */
    public boolean awaitIdle(java.time.Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!local.isEmpty()) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * Stops the maintenance, cancels the jobs still executing here (they end failed: the server is going away),
     * waits a little for them to record that, and closes the database.
     */
    @Override
    public void close() {
        closing = true;
        ScheduledExecutorService m;
        synchronized (this) {
            m = maintenance;
        }
        if (m != null) {
            m.shutdownNow();
        }
        local.values().forEach(Runnable::run);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!local.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        jdbc.shutdown();
        try {
            jdbc.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        StateStore s = store;
        if (s != null) {
            s.close();
        }
    }

    /** For logs: which process this is. */
    @Override
    public String toString() {
        return "StateService[" + nodeId + ", " + ManagementFactory.getRuntimeMXBean().getName() + "]";
    }
}
