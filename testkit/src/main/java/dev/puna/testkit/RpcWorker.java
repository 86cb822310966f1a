package dev.puna.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * llama.cpp's {@code rpc-server} (tools/rpc, built with the native libraries) on 127.0.0.1 and a free port, one CPU
 * thread, for tests that split a model over RPC workers. The binary is the system property
 * {@code puna.rpc.server} (the build sets it). {@link #kill()} ends it the way a crash would (SIGKILL);
 * {@link #close()} too.
 */
public final class RpcWorker implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private RpcWorker(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts a worker logging into {@code dir} and waits until it accepts connections. */
    public static RpcWorker start(Path dir) throws IOException, InterruptedException {
        String property = System.getProperty("puna.rpc.server");
        if (property == null || !Files.isExecutable(Path.of(property))) {
            throw new IllegalStateException("the RPC tests need llama.cpp's rpc-server, which the native build makes: "
                    + "system property puna.rpc.server is " + property);
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Files.createDirectories(dir);
        Path log = dir.resolve("rpc-server-" + port + ".log");
        Process p = new ProcessBuilder(property, "-H", "127.0.0.1", "-p", Integer.toString(port), "-t", "1")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        RpcWorker worker = new RpcWorker(p, port, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!worker.accepts()) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                worker.close();
                throw new IOException("rpc-server did not start listening on " + port + ": " + worker.log());
            }
            Thread.sleep(50);
        }
        return worker;
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code 127.0.0.1:port}, as llama-server's {@code --rpc} and Puna's {@code PUNA_RPC_SERVERS} take it. */
    public String endpoint() {
        return "127.0.0.1:" + port;
    }

    /** What the worker printed so far. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Kills the worker (SIGKILL, as a crash would) and waits until it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
