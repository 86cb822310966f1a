package dev.puna.store.internal.registry;

import dev.puna.store.InvalidRequestException;
import dev.puna.store.Layer;
import dev.puna.store.ModelName;
import dev.puna.store.ModelNotFoundException;
import dev.puna.store.OperationCancelledException;
import dev.puna.store.Progress;
import dev.puna.store.ProgressListener;
import dev.puna.store.PushRequest;
import dev.puna.store.RegistryException;
import dev.puna.store.RegistryOptions;
import dev.puna.store.StoreIOException;
import dev.puna.store.internal.Catalog;
import dev.puna.store.internal.StoreContext;
import dev.puna.store.internal.StoredModel;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * {@code POST /api/push}: for each blob, {@code HEAD} it on the registry and skip it if present, else open an upload
 * session ({@code POST /v2/<repo>/blobs/uploads/}) and send it in one {@code PUT ?digest=} (monolithic) or in
 * {@code PATCH} chunks followed by an empty {@code PUT ?digest=} (chunked); then {@code PUT} the manifest.
 * Statuses as Ollama's: {@code retrieving manifest}, {@code pushing <12 hex>} with bytes, {@code pushing
 * manifest}, {@code success}.
 */
public final class Pusher {
    private final StoreContext ctx;
    private final RegistryTransport transport;
    private final RegistryOptions options;

    public Pusher(StoreContext ctx, RegistryTransport transport) {
        this.ctx = ctx;
        this.transport = transport;
        this.options = transport.options();
    }

    /** Pushes; see {@link dev.puna.store.RegistryClient#push}. */
    public void push(PushRequest request, ProgressListener listener) {
        ModelName name = ModelName.parse(request.model());
        if (request.model().toLowerCase(Locale.ROOT).startsWith("http://") && !request.insecure()) {
            throw new InvalidRequestException("insecure protocol http: set 'insecure' to push over plain HTTP");
        }
        listener.onProgress(Progress.status("retrieving manifest"));
        StoredModel model = ctx.catalog().find(name).orElseThrow(() -> new ModelNotFoundException(request.model()));
        for (Layer layer : model.manifest().blobs()) {
            String status = "pushing " + layer.digest().shortHex();
            Path blob = Catalog.blob(model, layer);
            LongConsumer progress = done -> listener.onProgress(
                    new Progress(status, layer.digest().toString(), layer.size(), done));
            progress.accept(0);
            if (!exists(name, request.insecure(), layer)) {
                upload(name, request.insecure(), layer, blob, progress);
            }
            progress.accept(layer.size());
        }
        listener.onProgress(Progress.status("pushing manifest"));
        URI uri = RegistryUrls.manifest(name, request.insecure());
        HttpResponse<InputStream> response = transport.send(u -> HttpRequest.newBuilder(u)
                .timeout(options.requestTimeout())
                .setHeader("Content-Type", model.manifest().mediaType())
                .PUT(HttpRequest.BodyPublishers.ofByteArray(model.bytes())), uri,
                HttpResponse.BodyHandlers.ofInputStream());
        expect(response, 201, "pushing the manifest of " + name.displayShortest());
        listener.onProgress(Progress.status("success"));
    }

    private boolean exists(ModelName name, boolean insecure, Layer layer) {
        HttpResponse<InputStream> response = transport.send(u -> HttpRequest.newBuilder(u)
                .timeout(options.requestTimeout()).method("HEAD", HttpRequest.BodyPublishers.noBody()),
                RegistryUrls.blob(name, insecure, layer.digest()), HttpResponse.BodyHandlers.ofInputStream());
        close(response);
        if (response.statusCode() == 200) {
            return true;
        }
        if (response.statusCode() == 404) {
            return false;
        }
        throw RegistryTransport.error("checking blob " + layer.digest(), response.statusCode(), new byte[0]);
    }

    private void upload(ModelName name, boolean insecure, Layer layer, Path blob, LongConsumer progress) {
        URI start = RegistryUrls.uploads(name, insecure);
        HttpResponse<InputStream> opened = transport.send(u -> HttpRequest.newBuilder(u)
                .timeout(options.requestTimeout()).POST(HttpRequest.BodyPublishers.noBody()), start,
                HttpResponse.BodyHandlers.ofInputStream());
        expect(opened, 202, "starting the upload of " + layer.digest());
        URI location = location(opened, start);
        boolean chunked = switch (options.uploadMode()) {
            case MONOLITHIC -> false;
            case CHUNKED -> true;
            case AUTO -> layer.size() > options.uploadChunkSize();
        };
        AtomicLong sent = new AtomicLong();
        if (chunked) {
            for (long offset = 0; offset < layer.size(); offset += options.uploadChunkSize()) {
                long length = Math.min(options.uploadChunkSize(), layer.size() - offset);
                long from = offset;
                URI target = location;
                HttpResponse<InputStream> patched = transport.send(u -> HttpRequest.newBuilder(u)
                        .setHeader("Content-Type", "application/octet-stream")
                        .setHeader("Content-Range", from + "-" + (from + length - 1))
                        .method("PATCH", slice(blob, from, length, sent, progress)), target,
                        HttpResponse.BodyHandlers.ofInputStream());
                expect(patched, 202, "uploading bytes %d-%d of %s".formatted(from, from + length - 1,
                        layer.digest()));
                location = location(patched, location);
                sent.set(from + length);
            }
            URI finish = RegistryUrls.withDigest(location, layer.digest());
            HttpResponse<InputStream> done = transport.send(u -> HttpRequest.newBuilder(u)
                    .timeout(options.requestTimeout())
                    .PUT(HttpRequest.BodyPublishers.noBody()), finish, HttpResponse.BodyHandlers.ofInputStream());
            expect(done, 201, "completing the upload of " + layer.digest());
        } else {
            URI finish = RegistryUrls.withDigest(location, layer.digest());
            HttpResponse<InputStream> done = transport.send(u -> HttpRequest.newBuilder(u)
                    .setHeader("Content-Type", "application/octet-stream")
                    .PUT(slice(blob, 0, layer.size(), sent, progress)), finish,
                    HttpResponse.BodyHandlers.ofInputStream());
            expect(done, 201, "uploading " + layer.digest());
        }
    }

    /**
     * A body of {@code length} bytes of {@code file} from {@code offset}, counting bytes as they are sent. The
     * count is reported from the HTTP client's threads; the listener only sees it when the request completes
     * (keeping every listener call on the caller's thread), so {@code progress} gets the final count per chunk.
     */
    private static HttpRequest.BodyPublisher slice(Path file, long offset, long length, AtomicLong sent,
            LongConsumer progress) {
        long base = sent.get();
        progress.accept(base);
        return HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> {
            try {
                FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                ch.position(offset);
                return new BoundedChannelStream(ch, length);
            } catch (IOException e) {
                throw new StoreIOException("cannot read " + file, e);
            }
        }), length);
    }

    private static URI location(HttpResponse<?> response, URI base) {
        String location = response.headers().firstValue("Location").orElseThrow(() -> new RegistryException(
                "the registry sent no upload Location", 0, null, null));
        return base.resolve(location);
    }

    private static void expect(HttpResponse<InputStream> response, int status, String what) {
        if (response.statusCode() != status) {
            throw RegistryTransport.error(what, response.statusCode(), RegistryTransport.errorBody(response));
        }
        close(response);
        if (Thread.currentThread().isInterrupted()) {
            throw new OperationCancelledException("push");
        }
    }

    private static void close(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            in.transferTo(OutputStreamSink.INSTANCE);
        } catch (IOException e) {
            // the body does not matter
        }
    }

    /** Discards bytes. */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }

    /** An input stream over {@code length} bytes of a channel from its position. */
    private static final class BoundedChannelStream extends InputStream {
        private final FileChannel channel;
        private long left;

        BoundedChannelStream(FileChannel channel, long length) {
            this.channel = channel;
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, left)));
            if (n < 0) {
                throw new IOException("the blob is shorter than its manifest says");
            }
            left -= n;
            return n;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
