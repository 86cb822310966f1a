package dev.puna.http;

import dev.puna.state.DatabaseUrl;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Puna server in a process of its own (the test's class path, the scripted, tool-calling and counting models), so
 * that a test can {@code kill -9} it mid-run, restart it on the same database, or run two of them as a fleet. Claims
 * held by a killed process expire after {@value #LEASE_MILLIS} ms (instead of 15 s), so the sweep of a surviving
 * server is quick.
 */
final class ChildServer implements AutoCloseable {
    static final long LEASE_MILLIS = 3000;

    private final Process process;
    final int port;
    final Http http;

    private ChildServer(Process process, int port) {
        this.process = process;
        this.port = port;
        this.http = new Http("http://127.0.0.1:" + port);
    }

    /** Starts a server whose state is in {@code database} ({@code null}: SQLite in {@code dataDir}). */
    static ChildServer start(Path dataDir, DatabaseUrl database) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "-Dpuna.library.path=" + System.getProperty("puna.library.path"),
                "-Dorg.sqlite.tmpdir=" + System.getProperty("org.sqlite.tmpdir"),
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-Dpuna.state.lease.ms=" + LEASE_MILLIS,
                Main.class.getName(), dataDir.toString(), database == null ? "-" : database.toString()));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.startsWith("port ")) {
            p.destroyForcibly();
            throw new IllegalStateException("the child server did not start: " + line);
        }
        return new ChildServer(p, Integer.parseInt(line.substring(5).strip()));
    }

    /** {@code kill -9}. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException, IOException {
        if (process.isAlive()) {
            process.getOutputStream().close(); // stdin's end stops it cleanly
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    /** The child's main: serves until its stdin ends. Arguments: data directory, database URL or "-". */
    public static final class Main {
        private Main() {
        }

        public static void main(String[] args) throws Exception {
            ServerConfig.Builder config = ServerConfig.builder().port(0).contextLength(1024).numParallel(2)
                    .dataDir(Path.of(args[0]));
            if (!args[1].equals("-")) {
                config.databaseUrl(DatabaseUrl.parse(args[1]));
            }
            TestCatalog catalog = new TestCatalog().add("scripted", ScriptedServer.MODEL)
                    .add("tools", ScriptedServer.TOOLS_MODEL).add("counter", ScriptedServer.COUNTER_MODEL);
            try (PunaServer server = PunaServer.start(config.build(), catalog)) {
                System.out.println("port " + server.port());
                System.out.flush();
                while (System.in.read() >= 0) {
                    // serve until the parent closes our stdin
                }
            }
        }
    }
}
