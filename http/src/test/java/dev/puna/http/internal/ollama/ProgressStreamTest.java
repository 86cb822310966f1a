package dev.puna.http.internal.ollama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.http.ServerConfig;
import dev.puna.http.internal.ServerContext;
import dev.puna.http.internal.StoreServices;
import dev.puna.store.InvalidRequestException;
import dev.puna.store.OperationCancelledException;
import dev.puna.store.Progress;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link ProgressStream} over real HTTP with operations the tests script: a client that stops reading holds the
 * operation back (memory stays bounded) and gets every line in order when it reads again; a client that
 * disconnects interrupts the operation; errors before and after the first line; {@code stream: false}.
 */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class ProgressStreamTest {
    private final AtomicReference<ProgressStream.Operation> operation = new AtomicReference<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private int port;

    @BeforeEach
    void start(Vertx vertx, VertxTestContext ctx) {
        ServerContext sc = new ServerContext(vertx, ServerConfig.defaults(), null, null,
                new StoreServices(null, null, threads));
        Router router = Router.router(vertx);
        router.post("/progress").handler(BodyHandler.create()).handler(rc ->
                ProgressStream.start(sc, rc, !rc.body().asString().contains("\"stream\":false"), "test",
                        listener -> operation.get().run(listener)));
        vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .onComplete(ctx.succeeding(s -> {
                    port = s.actualPort();
                    ctx.completeNow();
                }));
    }

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    /** A raw HTTP/1.1 exchange: full control over when (and whether) the answer is read. */
    private final class Exchange implements AutoCloseable {
        final Socket socket = new Socket();
        final InputStream in;

        Exchange(String body) throws IOException {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(30_000);
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /progress HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + b.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(b);
            out.flush();
            in = socket.getInputStream();
        }

        /** Reads the whole answer: the status, and the body with chunked framing removed. */
        String[] readAll() throws IOException {
            String status = line();
            boolean chunked = false;
            long length = -1;
            for (String h = line(); !h.isEmpty(); h = line()) {
                String lower = h.toLowerCase();
                chunked |= lower.equals("transfer-encoding: chunked");
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(h.substring(15).strip());
                }
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (chunked) {
                for (int size = Integer.parseInt(line(), 16); size > 0; size = Integer.parseInt(line(), 16)) {
                    body.write(in.readNBytes(size));
                    line();
                }
            } else {
                body.write(in.readNBytes((int) length));
            }
            return new String[] {status.split(" ")[1], body.toString(StandardCharsets.UTF_8)};
        }

        private String line() throws IOException {
            ByteArrayOutputStream l = new ByteArrayOutputStream();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("connection closed");
                }
                if (c != '\r') {
                    l.write(c);
                }
            }
            return l.toString(StandardCharsets.US_ASCII);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void aClientThatStopsReadingHoldsTheOperationBackAndThenGetsEveryLineInOrder() throws Exception {
        int total = 20_000;
        String padding = "x".repeat(2000);
        AtomicInteger emitted = new AtomicInteger();
        CountDownLatch finished = new CountDownLatch(1);
        operation.set(listener -> {
            for (int i = 0; i < total; i++) {
                listener.onProgress(new Progress("line " + i + " " + padding, null, total, i));
                emitted.incrementAndGet();
            }
            finished.countDown();
        });
        try (Exchange x = new Exchange("{}")) {
            Thread.sleep(1500);
            int held = emitted.get();
            Thread.sleep(500);
            assertEquals(held, emitted.get(), "the operation waits while the client does not read");
            assertTrue(held < total / 4, "at most a few MB buffered, not " + held + " of " + total + " lines");
            String[] answer = x.readAll();
            assertEquals("200", answer[0]);
            String[] lines = answer[1].split("\n");
            assertEquals(total, lines.length);
            for (int i = 0; i < total; i++) {
                assertTrue(lines[i].startsWith("{\"status\":\"line " + i + " "), lines[i]);
            }
            assertEquals("{\"status\":\"line 1 " + padding + "\",\"total\":20000,\"completed\":1}", lines[1]);
        }
        assertTrue(finished.await(5, TimeUnit.SECONDS));
    }

    @Test
    void aClientThatDisconnectsInterruptsTheOperation() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Throwable> stoppedBy = new AtomicReference<>();
        CountDownLatch stopped = new CountDownLatch(1);
        operation.set(listener -> {
            try {
                for (int i = 0; ; i++) {
                    listener.onProgress(Progress.status("step " + i));
                    started.countDown();
                    Thread.sleep(20); // a store operation blocks in I/O, which the interrupt ends
                }
            } catch (InterruptedException | OperationCancelledException e) {
                stoppedBy.set(e);
                stopped.countDown();
                throw new OperationCancelledException("test");
            }
        });
        Exchange x = new Exchange("{}");
        assertTrue(started.await(10, TimeUnit.SECONDS));
        x.close();
        assertTrue(stopped.await(10, TimeUnit.SECONDS), "the operation was not stopped");
        assertTrue(stoppedBy.get() instanceof InterruptedException || stoppedBy.get()
                instanceof OperationCancelledException, String.valueOf(stoppedBy.get()));
    }

    @Test
    void anErrorBeforeTheFirstLineHasItsOwnStatusAndAfterItIsTheLastLine() throws Exception {
        operation.set(listener -> {
            throw new InvalidRequestException("bad from the start");
        });
        try (Exchange x = new Exchange("{}")) {
            String[] answer = x.readAll();
            assertEquals("400", answer[0]);
            assertEquals("{\"error\":\"bad from the start\"}", answer[1]);
        }
        operation.set(listener -> {
            listener.onProgress(new Progress("pulling 0123456789ab", "sha256:" + "0".repeat(64), 10, 4));
            throw new InvalidRequestException("bad midway");
        });
        try (Exchange x = new Exchange("{}")) {
            String[] answer = x.readAll();
            assertEquals("200", answer[0]);
            assertEquals("{\"status\":\"pulling 0123456789ab\",\"digest\":\"sha256:" + "0".repeat(64)
                    + "\",\"total\":10,\"completed\":4}\n{\"error\":\"bad midway\"}\n", answer[1]);
        }
    }

    @Test
    void withoutStreamingTheAnswerIsTheLastUpdate() throws Exception {
        List<String> seen = new ArrayList<>();
        operation.set(listener -> {
            for (String s : List.of("pulling manifest", "writing manifest", "success")) {
                listener.onProgress(Progress.status(s));
                seen.add(s);
            }
        });
        try (Exchange x = new Exchange("{\"stream\":false}")) {
            String[] answer = x.readAll();
            assertEquals("200", answer[0]);
            assertEquals("{\"status\":\"success\"}", answer[1]);
        }
        assertEquals(3, seen.size());
    }
}
