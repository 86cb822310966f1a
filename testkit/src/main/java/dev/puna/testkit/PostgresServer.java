package dev.puna.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests: Debian's {@code postgresql} package's binaries ({@code initdb}, {@code pg_ctl},
 * {@code createdb}), a cluster in a throwaway directory, listening on 127.0.0.1 and a free port, trust
 * authentication for the user {@value #USER}. The project's {@code run-tests} installs the package; when the binaries
 * are missing {@link #shared} throws, saying how to install them, so the test fails rather than skips.
 *
 * <p>PostgreSQL refuses to run as root, so under root the cluster belongs to, and the server runs as, the
 * {@code postgres} system user the package creates ({@code runuser}). The binaries are looked up in the system
 * property {@code puna.postgres.bin}, else the newest {@code /usr/lib/postgresql/<version>/bin}.
 *
 * <p>One server serves a whole test JVM ({@link #shared}, stopped by a shutdown hook); each test takes a database of
 * its own with {@link #createDatabase}. Thread-safe.
 */
public final class PostgresServer {
    /** The superuser tests connect as (no password: trust authentication on loopback). */
    public static final String USER = "puna";

    private static PostgresServer shared;

    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean asPostgres;
    private final AtomicInteger databases = new AtomicInteger();

    private PostgresServer(Path bin, Path dir, int port, boolean asPostgres) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.asPostgres = asPostgres;
    }

    /** The server of this JVM, started on first use. */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            try {
                shared = start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting PostgreSQL", e);
            }
            PostgresServer s = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(s::stop, "puna-postgres-stop"));
        }
        return shared;
    }

    private static PostgresServer start() throws IOException, InterruptedException {
        Path bin = binaries();
        boolean root = "root".equals(System.getProperty("user.name"));
        // Under /tmp rather than the build's temp dir: every directory above the cluster must be searchable by the
        // postgres user, which a user's home need not be.
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "puna-postgres-");
        Path data = dir.resolve("data");
        if (root) {
            chownToPostgres(dir);
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        PostgresServer server = new PostgresServer(bin, dir, port, root);
        server.run(60, "initdb", "-D", data.toString(), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync",
                "--no-instructions");
        server.run(60, "pg_ctl", "-D", data.toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t", "60",
                "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir
                        + " -c fsync=off -c max_connections=200", "start");
        return server;
    }

    private static Path binaries() {
        String configured = System.getProperty("puna.postgres.bin");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path base = Path.of("/usr/lib/postgresql");
        List<Path> versions = new ArrayList<>();
        if (Files.isDirectory(base)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(base)) {
                for (Path p : ds) {
                    if (Files.isExecutable(p.resolve("bin/initdb")) && Files.isExecutable(p.resolve("bin/pg_ctl"))) {
                        versions.add(p.resolve("bin"));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        versions.sort(Comparator.comparingInt(PostgresServer::majorVersion));
        if (versions.isEmpty()) {
            throw new IllegalStateException("the database tests need a PostgreSQL server (initdb, pg_ctl) under "
                    + base + ", which is missing: install Debian's package with 'apt-get install -y postgresql' "
                    + "(./run-tests does this), or point -Dpuna.postgres.bin at the directory of its binaries");
        }
        return versions.getLast();
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void chownToPostgres(Path dir) throws IOException {
        UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal user;
        GroupPrincipal group;
        try {
            user = users.lookupPrincipalByName("postgres");
            group = users.lookupPrincipalByGroupName("postgres");
        } catch (java.nio.file.attribute.UserPrincipalNotFoundException e) {
            throw new IllegalStateException("running as root, the database tests run PostgreSQL as the 'postgres' "
                    + "user, which does not exist: install Debian's postgresql package (it creates the user)", e);
        }
        PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
        view.setOwner(user);
        view.setGroup(group);
    }

    /**
     * Creates an empty database with a fresh name ({@code prefix} and a number) and returns the name; connect with
     * {@link #jdbcUrl} or {@link #url}.
     */
    public String createDatabase(String prefix) {
        String name = (prefix.replaceAll("[^A-Za-z0-9_]", "_") + "_" + databases.incrementAndGet())
                .toLowerCase(Locale.ROOT);
        try {
            run(30, "createdb", "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", USER, name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return name;
    }

    /** The JDBC URL of database {@code name} on this server. */
    public String jdbcUrl(String name) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + name + "?user=" + USER;
    }

    /** The {@code postgresql://} URL of database {@code name}, as {@code PUNA_DATABASE_URL} takes it. */
    public String url(String name) {
        return "postgresql://" + USER + "@127.0.0.1:" + port + "/" + name;
    }

    /** The port the server listens on (127.0.0.1). */
    public int port() {
        return port;
    }

    private void run(int timeoutSeconds, String tool, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (asPostgres) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.add(bin.resolve(tool).toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("puna-postgres-" + tool, ".log");
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(tool + " did not finish within " + timeoutSeconds + " s: "
                        + Files.readString(out));
            }
            if (p.exitValue() != 0) {
                Path serverLog = dir.resolve("server.log");
                throw new IllegalStateException(String.join(" ", cmd) + " failed with exit code " + p.exitValue()
                        + ": " + Files.readString(out)
                        + (Files.isReadable(serverLog) ? "\nserver log:\n" + Files.readString(serverLog) : ""));
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Stops the server at once and deletes its directory. */
    private void stop() {
        try {
            run(30, "pg_ctl", "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
        } catch (IOException | RuntimeException e) {
            // The JVM is exiting: nothing else to do with the failure.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Best effort: /tmp is cleaned by the system.
        }
    }
}
