package dev.puna.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy in front of a server for transfer tests: counts the bytes that cross it in each direction, can cut
 * every connection once a number of server-to-client bytes has passed (and refuse new ones), and can throttle
 * server-to-client traffic. Each connection is pumped by two daemon threads; thread-safe.
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final long cutAfter;
    private final long bytesPerSecond;
    private final AtomicLong toClient = new AtomicLong();
    private final AtomicLong toServer = new AtomicLong();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean cut;
    private volatile long stallAt = Long.MAX_VALUE;
    private final java.util.concurrent.atomic.AtomicBoolean stalled = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * @param cutAfter cut every connection after this many server-to-client bytes (Long.MAX_VALUE: never)
     * @param bytesPerSecond throttle server-to-client traffic to about this rate (0: no throttle)
     */
    public TcpProxy(int targetPort, long cutAfter, long bytesPerSecond) throws IOException {
        this.targetPort = targetPort;
        this.cutAfter = cutAfter;
        this.bytesPerSecond = bytesPerSecond;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("proxy-accept").start(this::accept);
    }

    /** A proxy that only counts. */
    public static TcpProxy counting(int targetPort) throws IOException {
        return new TcpProxy(targetPort, Long.MAX_VALUE, 0);
    }

    /** The port the proxy listens on (127.0.0.1). */
    public int port() {
        return server.getLocalPort();
    }

    /** {@code 127.0.0.1:<port>}: use as the host of model names to go through the proxy. */
    public String host() {
        return "127.0.0.1:" + port();
    }

    /** Bytes forwarded from the server to clients so far. */
    public long bytesToClient() {
        return toClient.get();
    }

    /** Bytes forwarded from clients to the server so far. */
    public long bytesToServer() {
        return toServer.get();
    }

    /** Whether the connections were cut. */
    public boolean wasCut() {
        return cut;
    }

    /**
     * Makes the connection that carries the server-to-client byte number {@code bytes} go silent (open, but
     * forwarding nothing more) until it is closed; later connections are not affected.
     */
    public void stallOnceAt(long bytes) {
        this.stallAt = bytes;
    }

    /** Whether a connection went silent after {@link #stallOnceAt}. */
    public boolean stalled() {
        return stalled.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (cut) {
                    client.close();
                    continue;
                }
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(upstream);
                Thread.ofPlatform().daemon().start(() -> pump(client, upstream, toServer, false));
                Thread.ofPlatform().daemon().start(() -> pump(upstream, client, toClient, true));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, AtomicLong counter, boolean downstream) {
        byte[] buf = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            long start = System.nanoTime();
            long sent = 0;
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (downstream && counter.get() + n > cutAfter) {
                    int allowed = (int) Math.max(0, cutAfter - counter.get());
                    out.write(buf, 0, allowed);
                    counter.addAndGet(allowed);
                    out.flush();
                    cutAll();
                    return;
                }
                if (downstream && counter.get() + n > stallAt && stalled.compareAndSet(false, true)) {
                    while (!to.isClosed() && !from.isClosed()) {
                        Thread.sleep(10); // silent until the client gives up on this connection
                    }
                    return;
                }
                out.write(buf, 0, n);
                counter.addAndGet(n);
                sent += n;
                if (downstream && bytesPerSecond > 0) {
                    long due = start + sent * 1_000_000_000L / bytesPerSecond;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            }
        } catch (IOException | InterruptedException e) {
            // the other side or a cut closed the connection
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    /** Cuts every open connection and refuses new ones. */
    public void cutAll() {
        cut = true;
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        cutAll();
    }
}
