package dev.puna.state;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.puna.state.DatabaseUrl.Backend;
import dev.puna.state.internal.JdbcTransaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The database behind the stateful OpenAI APIs: opened from a {@link DatabaseUrl}, its schema created or brought up
 * to date by Flyway's versioned migrations ({@code db/migration}) before anything else touches it, then used through
 * {@link #write} and {@link #read} transactions. The same repository code runs on both engines:
 * <ul>
 *   <li><b>SQLite</b> (the default, a file in Puna's data directory): WAL journal, {@code synchronous=FULL} (a commit
 *       is on disk when it returns, so a {@code kill -9} loses nothing committed), foreign keys on, and write
 *       transactions begun {@code IMMEDIATE} so that two writers queue on the database lock (up to a busy timeout)
 *       instead of failing when one upgrades a read lock.</li>
 *   <li><b>PostgreSQL</b> (a fleet of servers sharing state): a HikariCP pool, read-committed transactions with row
 *       locks ({@link Transaction#lock}); a transaction that loses a deadlock or serialization race is run again.</li>
 * </ul>
 * Every call blocks on I/O: never call it on a Vert.x event loop. Thread-safe; {@link #close()} closes the pool.
 */
public final class StateStore implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(StateStore.class);
    private static final int ATTEMPTS = 5;

    private final DatabaseUrl url;
    private final HikariDataSource pool;

    private StateStore(DatabaseUrl url, HikariDataSource pool) {
        this.url = url;
        this.pool = pool;
    }

    /**
     * Opens (creating an SQLite file and its directory if needed) and migrates the database.
     *
     * @throws StateException when it cannot be reached, opened or migrated; the message names the database (never its
     *     password)
     */
    public static StateStore open(DatabaseUrl url) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("puna-state");
        if (url.backend() == Backend.SQLITE) {
            Path file = Path.of(url.jdbcUrl().substring("jdbc:sqlite:".length()));
            try {
                if (file.getParent() != null) {
                    Files.createDirectories(file.getParent());
                }
            } catch (IOException e) {
                throw new StateException("cannot create the directory of the database " + url + ": " + e.getMessage(), e);
            }
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
            config.enforceForeignKeys(true);
            config.setBusyTimeout(30_000);
            config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
            SQLiteDataSource ds = new SQLiteDataSource(config);
            ds.setUrl(url.jdbcUrl());
            hc.setDataSource(ds);
            // Readers run beside the writer in WAL mode; writers queue on the database lock.
            hc.setMaximumPoolSize(4);
        } else {
            hc.setJdbcUrl(url.jdbcUrl());
            if (url.user() != null) {
                hc.setUsername(url.user());
            }
            if (url.password() != null) {
                hc.setPassword(url.password());
            }
            hc.setMaximumPoolSize(10);
            hc.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        }
        hc.setConnectionTimeout(30_000);
        hc.setInitializationFailTimeout(30_000);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw new StateException("cannot open the database " + url + ": " + rootMessage(e), e);
        }
        try {
            int applied = Flyway.configure(StateStore.class.getClassLoader()).dataSource(pool)
                    .locations("classpath:db/migration").load().migrate().migrationsExecuted;
            if (applied > 0) {
                LOG.info("database {}: applied {} schema migration(s)", url, applied);
            }
        } catch (RuntimeException e) { // FlywayException included
            pool.close();
            throw new StateException("cannot migrate the database " + url + ": " + rootMessage(e), e);
        }
        return new StateStore(url, pool);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    /** Which engine this is. */
    public Backend backend() {
        return url.backend();
    }

    /** The database, password masked. */
    public DatabaseUrl url() {
        return url;
    }

    /**
     * Runs {@code work} in a write transaction and commits it; anything {@code work} throws rolls it back and is
     * rethrown. On PostgreSQL a transaction that fails with a deadlock or serialization failure is run again (so
     * {@code work} must not have effects outside the transaction).
     */
    public <T> T write(Function<Transaction, T> work) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = pool.getConnection()) {
                c.setAutoCommit(false);
                try {
                    T result = work.apply(new JdbcTransaction(c, url.backend()));
                    c.commit();
                    return result;
                } catch (RuntimeException | Error e) {
                    rollback(c, e);
                    if (attempt < ATTEMPTS && retryable(e)) {
                        continue;
                    }
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            } catch (SQLException e) {
                if (attempt < ATTEMPTS && retryable(e)) {
                    continue;
                }
                throw new StateException("database transaction failed on " + url + ": " + e.getMessage(), e);
            }
        }
    }

    /** Runs {@code work} on a connection in auto-commit mode: each read sees the latest committed state. */
    public <T> T read(Function<Transaction, T> work) {
        try (Connection c = pool.getConnection()) {
            return work.apply(new JdbcTransaction(c, url.backend()));
        } catch (SQLException e) {
            throw new StateException("database read failed on " + url + ": " + e.getMessage(), e);
        }
    }

    private static void rollback(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /** PostgreSQL's serialization failure (40001) and deadlock (40P01). */
    private static boolean retryable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException se && se.getSQLState() != null
                    && (se.getSQLState().equals("40001") || se.getSQLState().equals("40P01"))) {
                return true;
            }
        }
        return false;
    }

    /** Closes the connection pool. */
    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return "StateStore[" + url + "]";
    }
}
