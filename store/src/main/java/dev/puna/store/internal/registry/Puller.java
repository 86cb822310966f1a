package dev.puna.store.internal.registry;

import dev.puna.store.Digest;
import dev.puna.store.DigestMismatchException;
import dev.puna.store.InvalidRequestException;
import dev.puna.store.Layer;
import dev.puna.store.Manifest;
import dev.puna.store.MediaTypes;
import dev.puna.store.ModelName;
import dev.puna.store.Progress;
import dev.puna.store.ProgressListener;
import dev.puna.store.PullRequest;
import dev.puna.store.RegistryException;
import dev.puna.store.StoreIOException;
import dev.puna.store.internal.BlobGuard;
import dev.puna.store.internal.Hashing;
import dev.puna.store.internal.ManifestCodec;
import dev.puna.store.internal.ManifestWriter;
import dev.puna.store.internal.StoreContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /api/pull}: fetch the manifest, download the missing blobs (resuming partial ones), verify every
 * downloaded blob's sha256, and only then write the manifest. Statuses as Ollama's: {@code pulling manifest},
 * {@code pulling <12 hex>} with total and completed bytes per blob, {@code verifying sha256 digest},
 * {@code writing manifest}, {@code success}.
 */
public final class Puller {
    /** A manifest larger than this is refused (Ollama manifests are a few KiB). */
    private static final int MAX_MANIFEST = 4 * 1024 * 1024;
    private static final String ACCEPT = String.join(", ", MediaTypes.MANIFEST, MediaTypes.OCI_MANIFEST);

    private final StoreContext ctx;
    private final RegistryTransport transport;

    public Puller(StoreContext ctx, RegistryTransport transport) {
        this.ctx = ctx;
        this.transport = transport;
    }

    /** Pulls; see {@link dev.puna.store.RegistryClient#pull}. */
    public void pull(PullRequest request, ProgressListener listener) {
        ModelName name = ModelName.parse(request.model());
        boolean insecure = request.insecure();
        if (request.model().toLowerCase(Locale.ROOT).startsWith("http://") && !insecure) {
            throw new InvalidRequestException("insecure protocol http: set 'insecure' to pull over plain HTTP");
        }
        listener.onProgress(Progress.status("pulling manifest"));
        byte[] bytes = fetchManifest(name, insecure);
        Manifest manifest;
        try {
            manifest = ManifestCodec.decode(bytes);
        } catch (IOException e) {
            throw new RegistryException("the registry sent an invalid manifest for %s: %s"
                    .formatted(name.displayShortest(), e.getMessage()), 0, null, e);
        }
        try (BlobGuard.Pins pins = ctx.guard().pins()) {
            pins.add(manifest.blobs().stream().map(Layer::digest).toList());
            BlobDownloader downloader = new BlobDownloader(ctx, transport);
            Map<Digest, Layer> fetched = new LinkedHashMap<>();
            for (Layer layer : manifest.blobs()) {
                String status = "pulling " + layer.digest().shortHex();
                if (Files.isRegularFile(ctx.layout().blobPath(layer.digest()))) {
                    listener.onProgress(new Progress(status, layer.digest().toString(), layer.size(), layer.size()));
                    continue;
                }
                if (fetched.containsKey(layer.digest())) {
                    continue; // the same blob twice in one manifest
                }
                URI uri = RegistryUrls.blob(name, insecure, transport.options().huggingFaceEndpoint(),
                        layer.digest());
                downloader.fetch(uri, layer.digest(), layer.size(), done -> listener.onProgress(
                        new Progress(status, layer.digest().toString(), layer.size(), done)));
                fetched.put(layer.digest(), layer);
            }
            listener.onProgress(Progress.status("verifying sha256 digest"));
            for (Digest digest : fetched.keySet()) {
                downloader.commit(digest);
            }
            listener.onProgress(Progress.status("writing manifest"));
            List<Digest> replaced;
            try {
                replaced = ManifestWriter.write(ctx, name, bytes);
            } catch (IOException e) {
                throw new StoreIOException("writing the manifest of " + name.displayShortest() + " failed", e);
            }
            pins.release();
            ctx.pruner().prune(replaced);
        }
        listener.onProgress(Progress.status("success"));
    }

    private byte[] fetchManifest(ModelName name, boolean insecure) {
        URI uri = RegistryUrls.manifest(name, insecure, transport.options().huggingFaceEndpoint());
        HttpResponse<InputStream> response = transport.send(u -> HttpRequest.newBuilder(u).GET()
                .timeout(transport.options().requestTimeout()).setHeader("Accept", ACCEPT), uri,
                HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            byte[] body = RegistryTransport.errorBody(response);
            throw RegistryTransport.error("pull model manifest " + name.displayShortest(), response.statusCode(),
                    body);
        }
        byte[] bytes;
        try (InputStream in = response.body()) {
            bytes = in.readNBytes(MAX_MANIFEST + 1);
        } catch (IOException e) {
            throw new RegistryException("reading the manifest of %s failed: %s".formatted(name, e), 0, null, e);
        }
        if (bytes.length > MAX_MANIFEST) {
            throw new RegistryException("the manifest of " + name + " is larger than 4 MiB", 0, null, null);
        }
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        if (contentType.contains("manifest.list") || contentType.contains("image.index")) {
            throw new RegistryException("%s is a multi-platform image index (%s), not a model"
                    .formatted(name.displayShortest(), contentType), 0, null, null);
        }
        Optional<String> announced = response.headers().firstValue("Docker-Content-Digest");
        if (announced.isPresent() && announced.get().startsWith("sha256:")) {
            Digest expected = Digest.parse(announced.get());
            Digest actual = Hashing.of(bytes);
            if (!expected.equals(actual)) {
                throw new DigestMismatchException(expected, actual, "manifest of " + name.displayShortest());
            }
        }
        return bytes;
    }
}
