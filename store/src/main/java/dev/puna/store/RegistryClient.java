package dev.puna.store;

import dev.puna.store.internal.registry.Puller;
import dev.puna.store.internal.registry.Pusher;
import dev.puna.store.internal.registry.RegistryTransport;
import dev.puna.store.internal.registry.RegistryUrls;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.Objects;

/**
 * Pull and push between a {@link ModelStore} and OCI distribution registries, over Ollama's {@code /v2/...}
 * protocol: {@code registry.ollama.ai}, private registries (e.g. CNCF distribution), and Hugging Face's GGUF
 * repositories ({@code hf.co/<user>/<repo>:<quant>}, served from {@code https://hf.co}).
 *
 * <p>Pulls download missing blobs in parallel {@code Range} parts, resume after any interruption without
 * fetching completed bytes again (the partial data and its part bookkeeping stay in the store's blob directory),
 * verify every blob's sha256 before the manifest is written, and handle the Bearer-token auth flow. Pushes skip
 * blobs the registry has and upload the others monolithically or in chunks.
 *
 * <p>Both run on the calling thread, report progress to its listener on that thread, and stop with
 * {@link OperationCancelledException} when the thread is interrupted. Thread-safe: one client serves concurrent
 * pulls and pushes.
 */
public final class RegistryClient {
    private final ModelStore store;
    private final RegistryOptions options;
    private final HttpClient http;

    private RegistryClient(ModelStore store, RegistryOptions options) {
        this.store = store;
        this.options = options;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER) // followed by hand, without leaking tokens
                .connectTimeout(options.connectTimeout())
                .build();
    }

    /** A client for {@code store} with the default options. */
    public static RegistryClient create(ModelStore store) {
        return create(store, RegistryOptions.defaults());
    }

    /** A client for {@code store}. */
    public static RegistryClient create(ModelStore store, RegistryOptions options) {
        return new RegistryClient(Objects.requireNonNull(store, "store"), Objects.requireNonNull(options, "options"));
    }

    /**
     * Pulls a model ({@code POST /api/pull}). Reports {@code pulling manifest}; {@code pulling <12 hex>} with
     * {@code digest}, {@code total} and {@code completed} for each blob (at once complete for blobs already
     * present); {@code verifying sha256 digest}; {@code writing manifest}; {@code success}.
     *
     * @throws InvalidModelNameException if the name is invalid
     * @throws InvalidRequestException if the name says {@code http://} without {@code insecure}
     * @throws RegistryException if the registry refuses (404 for an unknown model) or fails
     * @throws DigestMismatchException if a blob does not match its digest (it is deleted; no manifest is written)
     * @throws OperationCancelledException if the thread is interrupted (partial downloads are kept for a resume)
     */
    public void pull(PullRequest request, ProgressListener listener) {
        new Puller(store.context(), transport(request.username(), request.password())).pull(request, listener);
    }

    /**
     * Pushes a local model ({@code POST /api/push}) to the registry its name's host names. Reports
     * {@code retrieving manifest}; {@code pushing <12 hex>} with bytes per blob; {@code pushing manifest};
     * {@code success}.
     *
     * @throws ModelNotFoundException if the store has no such model
     * @throws RegistryException if the registry refuses (e.g. 401 without credentials) or fails
     */
    public void push(PushRequest request, ProgressListener listener) {
        new Pusher(store.context(), transport(request.username(), request.password())).push(request, listener);
    }

    private RegistryTransport transport(String username, String password) {
        return new RegistryTransport(http, options, username, password);
    }

    /**
     * The URL a name's manifest is fetched from: {@code https://<host>/v2/<namespace>/<model>/manifests/<tag>}
     * ({@code http://} when {@code insecure}), e.g. {@code https://hf.co/v2/user/repo/manifests/Q4_K_M}.
     *
     * @throws InvalidModelNameException if the name is invalid
     */
    public static URI manifestUri(String name, boolean insecure) {
        return RegistryUrls.manifest(ModelName.parse(name), insecure);
    }
}
