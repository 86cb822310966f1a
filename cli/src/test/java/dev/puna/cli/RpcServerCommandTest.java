package dev.puna.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code puna rpc-server}: llama.cpp's packaged rpc-server on the port given, loopback by default. */
class RpcServerCommandTest {
    @Test
    void runsLlamaCppsRpcServerOnTheGivenPortUntilItEnds() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String p = Integer.toString(port);
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
                () -> Main.commandLine().execute("rpc-server", "-p", p, "-t", "1"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!accepts(port)) {
            assertTrue(System.nanoTime() < deadline && !exit.isDone(), "rpc-server did not listen on " + port);
            Thread.sleep(50);
        }
        List<ProcessHandle> workers = ProcessHandle.current().children()
                .filter(h -> h.info().command().orElse("").endsWith("rpc-server")).toList();
        assertEquals(1, workers.size(), "one rpc-server child");
        assertEquals(List.of("--host", "127.0.0.1", "--port", p, "--threads", "1"),
                List.of(workers.getFirst().info().arguments().orElseThrow()));
        workers.getFirst().destroyForcibly();
        assertEquals(137, exit.get(30, TimeUnit.SECONDS));
    }

    @Test
    void aBadPortIsRefused() {
        StringWriter err = new StringWriter();
        int rc = Main.commandLine().setErr(new PrintWriter(err)).execute("rpc-server", "-p", "70000");
        assertEquals(1, rc, err.toString());
        assertTrue(err.toString().contains("invalid port 70000 (1-65535)"), err.toString());
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
