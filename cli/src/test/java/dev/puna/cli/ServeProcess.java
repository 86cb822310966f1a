package dev.puna.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code puna serve} as a child JVM, the way an operator or systemd runs it: the test's class path, the native
 * libraries the build made, an environment of the test's choosing (no {@code PUNA_*} or {@code NOTIFY_SOCKET}
 * inherited), its stdout and stderr collected line by line. {@link #sigterm()} sends SIGTERM.
 */
final class ServeProcess implements AutoCloseable {
    /** What {@code puna serve} says once it listens, as a line of its own or inside a JSON log line. */
    private static final Pattern LISTENING = Pattern.compile("puna: listening on (http://127\\.0\\.0\\.1:\\d+) ");

    private final Process process;
    private final List<String> stdout = new ArrayList<>();
    private final List<String> stderr = new ArrayList<>();
    private final String url;
    private final Thread stdoutReader;
    private final Thread stderrReader;

    private ServeProcess(Process process, boolean awaitListening) throws InterruptedException {
        this.process = process;
        stdoutReader = collect(process.getInputStream(), stdout, "puna-serve-stdout");
        stderrReader = collect(process.getErrorStream(), stderr, "puna-serve-stderr");
        this.url = awaitListening ? awaitStderr(LISTENING, Duration.ofSeconds(90)).group(1) : null;
    }

    /**
     * Starts {@code puna serve} on a free loopback port over the store in {@code models}, with {@code env} added
     * to the environment, and waits until it says where it listens.
     */
    static ServeProcess start(Path models, Map<String, String> env) throws IOException, InterruptedException {
        return start(models, env, true);
    }

    /** Starts {@code puna serve} as {@link #start(Path, Map)} does, without waiting for it to listen. */
    static ServeProcess launch(Path models, Map<String, String> env) throws IOException, InterruptedException {
        return start(models, env, false);
    }

    private static ServeProcess start(Path models, Map<String, String> env, boolean awaitListening)
            throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        // The JVM warns on stderr about a missing temp directory, which would be a line that is not a log line.
        Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-Dpuna.library.path=" + System.getProperty("puna.library.path"),
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-cp", classPath, Main.class.getName(), "serve"));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("PUNA_") || k.equals("NOTIFY_SOCKET"));
        pb.environment().put("PUNA_HOST", "127.0.0.1:0");
        pb.environment().put("PUNA_MODELS", models.toString());
        pb.environment().put("PUNA_CONTEXT_LENGTH", "256");
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            return new ServeProcess(p, awaitListening);
        } catch (RuntimeException | Error | InterruptedException e) {
            p.destroyForcibly();
            throw e;
        }
    }

    private static Thread collect(InputStream in, List<String> lines, String name) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The server's base URL. */
    String url() {
        return url;
    }

    /** The process. */
    Process process() {
        return process;
    }

    /**
     * Sends SIGTERM (what {@link ProcessHandle#destroy()} does on Linux), leaving the output streams open:
     * {@link Process#destroy()} would close them, and the server's last words would be lost.
     */
    void sigterm() {
        assertTrue(process.toHandle().destroy(), "SIGTERM not sent");
    }

    /** The first stderr line (so far or to come within {@code timeout}) where {@code pattern} is found. */
    Matcher awaitStderr(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (stderr) {
            int seen = 0;
            while (true) {
                for (; seen < stderr.size(); seen++) {
                    Matcher m = pattern.matcher(stderr.get(seen));
                    if (m.find()) {
                        return m;
                    }
                }
                long left = deadline - System.nanoTime();
                assertTrue(left > 0 && (process.isAlive() || stderrReader.isAlive()), "no line matching " + pattern
                        + " on stderr (" + (process.isAlive() ? "running" : "exit code " + process.exitValue())
                        + "):\n" + String.join("\n", stderr));
                stderr.wait(Math.max(1, Math.min(100, left / 1_000_000)));
            }
        }
    }

    /** Waits for the process to exit, at most {@code timeout}, and returns its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        assertTrue(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS),
                "still running after " + timeout + "; stderr:\n" + stderr());
        return process.exitValue();
    }

    /** Every stderr line so far. */
    String stderr() {
        synchronized (stderr) {
            return String.join("\n", stderr);
        }
    }

    /** Every stdout and stderr line, once the process has exited and both streams were read to their end. */
    List<String> output() throws InterruptedException {
        process.waitFor();
        stdoutReader.join(10_000);
        stderrReader.join(10_000);
        List<String> all = new ArrayList<>();
        synchronized (stdout) {
            all.addAll(stdout);
        }
        synchronized (stderr) {
            all.addAll(stderr);
        }
        return all;
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
