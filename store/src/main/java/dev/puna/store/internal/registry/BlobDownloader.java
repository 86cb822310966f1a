package dev.puna.store.internal.registry;

import dev.puna.store.Digest;
import dev.puna.store.DigestMismatchException;
import dev.puna.store.OperationCancelledException;
import dev.puna.store.RegistryException;
import dev.puna.store.RegistryOptions;
import dev.puna.store.StoreIOException;
import dev.puna.store.internal.Hashing;
import dev.puna.store.internal.StoreContext;
import dev.puna.store.internal.StoreLayout;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Downloads one blob into {@code sha256-<hex>-partial} with parallel {@code Range} requests, keeping
 * {@link PartialState} bookkeeping so that an interrupted download (a broken connection, a cancelled request, a
 * killed process) resumes without fetching completed bytes again. {@link #commit} then verifies the sha256 and
 * renames the partial file to the blob.
 *
 * <p>In-process, one blob is downloaded by one pull at a time ({@link dev.puna.store.internal.BlobGuard#blobLock});
 * across processes, an OS file lock on the partial file refuses a second downloader. Progress is reported on the
 * calling thread.
 */
public final class BlobDownloader {
    private static final Logger LOG = LogManager.getLogger(BlobDownloader.class);
    private static final long REPORT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long SAVE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final StoreContext ctx;
    private final RegistryTransport transport;
    private final RegistryOptions options;

    public BlobDownloader(StoreContext ctx, RegistryTransport transport) {
        this.ctx = ctx;
        this.transport = transport;
        this.options = transport.options();
    }

    /**
     * Downloads whatever part of the blob is still missing.
     *
     * @param progress receives the bytes present so far (resumed ones included), on this thread
     * @throws RegistryException if the registry fails and retries do not help (the partial file is kept)
     * @throws OperationCancelledException if the thread is interrupted (the partial file is kept)
     */
    public void fetch(URI uri, Digest digest, long size, LongConsumer progress) {
        ReentrantLock lock = ctx.guard().blobLock(digest);
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OperationCancelledException("pull");
        }
        try {
            if (Files.isRegularFile(ctx.layout().blobPath(digest))) {
                progress.accept(size);
                return;
            }
            Path partial = ctx.layout().partialPath(digest);
            Path statePath = ctx.layout().partialStatePath(digest);
            try (FileChannel ch = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                FileLock fileLock = ch.tryLock();
                if (fileLock == null) {
                    throw new RegistryException("blob %s is being downloaded by another process".formatted(digest),
                            0, null, null);
                }
                try {
                    PartialState state = PartialState.load(statePath, digest, size).orElse(null);
                    if (state == null) {
                        ch.truncate(0);
                        state = PartialState.fresh(digest, size, options.partSize(size));
                    } else {
                        trustOnlyWhatIsThere(state, ch.size());
                        LOG.info("resuming {}: {} of {} bytes already downloaded", digest, state.completed(), size);
                    }
                    state.save(statePath);
                    new Transfer(uri, digest, ch, state, statePath, progress).run();
                    ch.force(true);
                    state.save(statePath);
                } finally {
                    if (ch.isOpen()) {
                        fileLock.release();
                    }
                }
            }
        } catch (IOException e) {
            throw new StoreIOException("downloading " + digest + " failed", e);
        } finally {
            lock.unlock();
        }
    }

    /** A counter past the data file's end cannot be right (the file was replaced or truncated): cut it back. */
    private static void trustOnlyWhatIsThere(PartialState state, long fileSize) {
        for (PartialState.Part p : state.parts()) {
            long there = Math.max(0, Math.min(p.size(), fileSize - p.offset()));
            if (p.completed().get() > there) {
                p.completed().set(there);
            }
        }
    }

    /**
     * Verifies a fully downloaded partial file and makes it the blob. A mismatch deletes the partial file and its
     * bookkeeping (the next pull starts over) and throws.
     *
     * @throws DigestMismatchException if the content does not hash to {@code digest}
     */
    public void commit(Digest digest) {
        ReentrantLock lock = ctx.guard().blobLock(digest);
        lock.lock();
        try {
            Path blob = ctx.layout().blobPath(digest);
            Path partial = ctx.layout().partialPath(digest);
            Path state = ctx.layout().partialStatePath(digest);
            if (Files.isRegularFile(blob)) {
                Files.deleteIfExists(partial);
                Files.deleteIfExists(state);
                return;
            }
            Digest actual = Hashing.of(partial, null);
            if (!actual.equals(digest)) {
                Files.deleteIfExists(partial);
                Files.deleteIfExists(state);
                throw new DigestMismatchException(digest, actual, "downloaded blob");
            }
            StoreLayout.moveAtomically(partial, blob);
            Files.deleteIfExists(state);
        } catch (IOException e) {
            throw new StoreIOException("verifying blob " + digest + " failed", e);
        } finally {
            lock.unlock();
        }
    }

    /** One download of the missing parts: worker threads per part, this thread reporting and supervising. */
    private final class Transfer {
        private final URI uri;
        private final Digest digest;
        private final FileChannel channel;
        private final PartialState state;
        private final Path statePath;
        private final LongConsumer progress;
        private final ConcurrentLinkedQueue<PartialState.Part> queue = new ConcurrentLinkedQueue<>();
        private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
        private final List<Worker> workers = new ArrayList<>();
        private volatile boolean stopped;

        Transfer(URI uri, Digest digest, FileChannel channel, PartialState state, Path statePath,
                LongConsumer progress) {
            this.uri = uri;
            this.digest = digest;
            this.channel = channel;
            this.state = state;
            this.statePath = statePath;
            this.progress = progress;
        }

        void run() throws IOException {
            for (PartialState.Part p : state.parts()) {
                if (p.remaining() > 0) {
                    queue.add(p);
                }
            }
            progress.accept(state.completed());
            if (queue.isEmpty()) {
                return;
            }
            int threads = Math.min(options.maxParts(), queue.size());
            ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
            List<Future<?>> futures = new ArrayList<>();
            try {
                for (int i = 0; i < threads; i++) {
                    Worker w = new Worker();
                    workers.add(w);
                    futures.add(executor.submit(w));
                }
                supervise(futures);
            } finally {
                // Stop the workers by closing their streams, never by interrupting them: an interrupt during a
                // FileChannel write closes the channel for every worker (ClosedByInterruptException).
                stopped = true;
                workers.forEach(Worker::abort);
                executor.shutdown();
                boolean interrupted = Thread.interrupted();
                try {
                    if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                        LOG.warn("download workers of {} did not stop", digest);
                    }
                    state.save(statePath);
                } catch (InterruptedException e) {
                    interrupted = true;
                } finally {
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            progress.accept(state.completed());
        }

        private void supervise(List<Future<?>> futures) throws IOException {
            long lastReport = 0;
            long lastSave = System.nanoTime();
            long reported = -1;
            while (true) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new OperationCancelledException("pull of " + digest);
                }
                RuntimeException failed = failure.get();
                if (failed != null) {
                    throw failed;
                }
                if (futures.stream().allMatch(Future::isDone)) {
                    failed = failure.get();
                    if (failed != null) {
                        throw failed;
                    }
                    return;
                }
                long now = System.nanoTime();
                long done = state.completed();
                if (done != reported && now - lastReport >= REPORT_NANOS) {
                    progress.accept(done);
                    reported = done;
                    lastReport = now;
                }
                if (now - lastSave >= SAVE_NANOS) {
                    state.save(statePath);
                    lastSave = now;
                }
                for (Worker w : workers) {
                    w.checkStall(now);
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new OperationCancelledException("pull of " + digest);
                }
            }
        }

        /** Downloads parts from the queue until it is empty. */
        private final class Worker implements Runnable {
            private volatile InputStream current;
            private volatile long lastActivity = System.nanoTime();

            @Override
            public void run() {
                try {
                    PartialState.Part part;
                    while (!stopped && (part = queue.poll()) != null) {
                        download(part);
                    }
                } catch (RuntimeException e) {
                    if (!stopped) {
                        failure.compareAndSet(null, e);
                    }
                }
            }

            void checkStall(long now) {
                InputStream in = current;
                if (in != null && now - lastActivity > options.stallTimeout().toNanos()) {
                    LOG.info("a part of {} stalled; reconnecting", digest);
                    lastActivity = now;
                    close(in);
                }
            }

            void abort() {
                InputStream in = current;
                if (in != null) {
                    close(in);
                }
            }

            private void download(PartialState.Part part) {
                int failures = 0;
                while (part.remaining() > 0 && !stopped) {
                    long before = part.completed().get();
                    try {
                        attempt(part);
                    } catch (IOException | RegistryException e) {
                        if (stopped) {
                            return;
                        }
                        boolean retryable = !(e instanceof RegistryException re) || re.registryStatus() == 0
                                || re.registryStatus() == 429 || re.registryStatus() >= 500;
                        if (part.completed().get() > before) {
                            failures = 0; // it made progress: count only consecutive fruitless attempts
                        }
                        if (!retryable || ++failures > options.maxRetries()) {
                            throw e instanceof RegistryException re ? re : new RegistryException(
                                    "downloading %s failed after %d attempts: %s".formatted(digest, failures, e),
                                    0, null, e);
                        }
                        LOG.info("part at {} of {} failed ({}); retrying", part.offset(), digest, e.toString());
                        sleep(options.retryBackoff().toMillis() << Math.min(failures - 1, 10));
                    }
                }
            }

            private void attempt(PartialState.Part part) throws IOException {
                long start = part.offset() + part.completed().get();
                long end = part.offset() + part.size() - 1;
                HttpResponse<InputStream> response = transport.send(u -> HttpRequest.newBuilder(u).GET()
                        .timeout(options.requestTimeout()).setHeader("Range", "bytes=" + start + "-" + end), uri,
                        HttpResponse.BodyHandlers.ofInputStream());
                int status = response.statusCode();
                if (status != 206 && status != 200) {
                    throw RegistryTransport.error("downloading " + digest, status,
                            RegistryTransport.errorBody(response));
                }
                try (InputStream in = response.body()) {
                    current = in;
                    lastActivity = System.nanoTime();
                    if (status == 200 && start > 0) {
                        in.skipNBytes(start); // the registry ignored Range: skip to where this part resumes
                    }
                    byte[] buf = new byte[64 * 1024];
                    long position = start;
                    while (part.remaining() > 0) {
                        int n = in.read(buf, 0, (int) Math.min(buf.length, part.remaining()));
                        if (n < 0) {
                            throw new IOException("the connection closed %d bytes before the end of the part"
                                    .formatted(part.remaining()));
                        }
                        ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                        while (bb.hasRemaining()) {
                            position += channel.write(bb, position);
                        }
                        // counted only once the bytes are in the file: the bookkeeping never claims more
                        part.completed().addAndGet(n);
                        lastActivity = System.nanoTime();
                    }
                } finally {
                    current = null;
                }
            }

            /** Waits before a retry, returning early when the transfer is stopped. */
            private void sleep(long millis) {
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
                while (!stopped && System.nanoTime() < until) {
                    try {
                        long left = TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime());
                        Thread.sleep(Math.clamp(left, 1, 50));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }

            private static void close(InputStream in) {
                try {
                    in.close();
                } catch (IOException e) {
                    // it is being abandoned
                }
            }
        }
    }
}
