package dev.puna.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.puna.testkit.RegistryServer;
import dev.puna.testkit.TcpProxy;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Push and pull against a real registry (CNCF distribution 2.8, see {@link RegistryServer}). */
@Timeout(120) // a hung transfer must fail the build, not stall it
class RegistryTest {
    private static final long MIB = 1024 * 1024;
    /** 8 MiB of weights (and a header): 9 parts of up to 1 MiB, 4 at a time. */
    private static final int ELEMENTS = 2 * 1024 * 1024;

    @TempDir
    static Path shared;
    static RegistryServer registry;
    static Path model;

    @TempDir
    Path tmp;
    int modelCount;

    @BeforeAll
    static void startRegistry() throws Exception {
        registry = RegistryServer.start(shared);
        model = TestGgufs.tiny(shared.resolve("weights.gguf"), ELEMENTS, w -> w
                .putString("general.architecture", "llama").putUInt32("llama.block_count", 1)
                .putUInt32("general.file_type", 0));
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    static RegistryOptions options() {
        return RegistryOptions.builder().maxParts(4).partSize(MIB, MIB).maxRetries(1)
                .retryBackoff(Duration.ofMillis(10)).uploadChunkSize(MIB).build();
    }

    ModelStore store(String name) {
        return ModelStore.open(tmp.resolve(name));
    }

    List<Progress> progress = new ArrayList<>();

    @BeforeEach
    void clear() {
        progress.clear();
    }

    List<String> statuses() {
        return progress.stream().map(Progress::status).distinct().toList();
    }

    @Test
    void pushDeletePullRoundTrip() throws Exception {
        ModelStore store = store("a");
        String name = registry.host() + "/test/roundtrip:v1";
        store.register(name, model, ProgressListener.NONE);
        store.create(CreateRequest.builder(name).from(name).system("be brief").parameter("temperature", 0.2)
                .build(), ProgressListener.NONE);
        ResolvedModel before = store.resolve(name);
        RegistryClient client = RegistryClient.create(store, options());

        client.push(PushRequest.of(name, true), progress::add);
        List<String> pushed = new ArrayList<>(List.of("retrieving manifest"));
        for (Layer l : before.manifest().blobs()) {
            pushed.add("pushing " + l.digest().shortHex());
        }
        pushed.add("pushing manifest");
        pushed.add("success");
        assertEquals(pushed, statuses());
        Layer weights = before.manifest().layers().getFirst();
        assertTrue(progress.contains(new Progress("pushing " + weights.digest().shortHex(),
                weights.digest().toString(), weights.size(), weights.size())));

        store.delete(name);
        try (Stream<Path> blobs = Files.list(tmp.resolve("a/blobs"))) {
            assertEquals(List.of(), blobs.toList(), "the local copy is gone, blobs included");
        }
        progress.clear();
        client.pull(PullRequest.of(name, true), progress::add);

        List<String> pulled = new ArrayList<>(List.of("pulling manifest"));
        for (Layer l : before.manifest().blobs()) {
            pulled.add("pulling " + l.digest().shortHex());
        }
        pulled.addAll(List.of("verifying sha256 digest", "writing manifest", "success"));
        assertEquals(pulled, statuses());
        assertTrue(progress.contains(new Progress("pulling " + weights.digest().shortHex(),
                weights.digest().toString(), weights.size(), weights.size())));
        assertTrue(progress.stream().filter(p -> p.digest() != null && p.digest().equals(weights.digest()
                .toString())).allMatch(p -> p.total() == weights.size() && p.completed() <= p.total()));

        ResolvedModel after = store.resolve(name);
        assertEquals(before.digest(), after.digest(), "the manifest is byte-identical");
        assertEquals(before.manifest(), after.manifest());
        assertArrayEquals(Files.readAllBytes(model), Files.readAllBytes(after.modelPath()));
        assertEquals("be brief", after.system());
        assertEquals(before.parameters(), after.parameters());
        try (Stream<Path> files = Files.list(tmp.resolve("a/blobs"))) {
            assertTrue(files.allMatch(p -> p.getFileName().toString().matches("sha256-[0-9a-f]{64}")),
                    "no partial or temporary files are left");
        }

        // Pulling again downloads nothing: every blob is reported complete at once.
        progress.clear();
        try (TcpProxy proxy = TcpProxy.counting(registry.port())) {
            String viaProxy = proxy.host() + "/test/roundtrip:v1";
            client.pull(PullRequest.of(viaProxy, true), progress::add);
            assertTrue(proxy.bytesToClient() < 16 * 1024, "only the manifest crossed: " + proxy.bytesToClient());
        }
    }

    @Test
    void monolithicAndChunkedPushesProduceTheSameImage() throws Exception {
        for (RegistryOptions.UploadMode mode : RegistryOptions.UploadMode.values()) {
            ModelStore store = store("push-" + mode);
            String name = registry.host() + "/test/upload-" + mode.name().toLowerCase() + ":latest";
            store.register(name, model, ProgressListener.NONE);
            RegistryOptions opts = RegistryOptions.builder().uploadMode(mode).uploadChunkSize(3 * MIB).build();
            try (TcpProxy proxy = TcpProxy.counting(registry.port())) {
                String viaProxy = proxy.host() + "/test/upload-" + mode.name().toLowerCase() + ":latest";
                store.copy(name, viaProxy);
                RegistryClient.create(store, opts).push(PushRequest.of(viaProxy, true), ProgressListener.NONE);
                assertTrue(proxy.bytesToServer() >= Files.size(model), mode + " sent the weights");
            }
            ResolvedModel local = store.resolve(name);
            JsonNode remote = new ObjectMapper().readTree(get("/v2/test/upload-" + mode.name().toLowerCase()
                    + "/manifests/latest"));
            assertEquals(local.manifest().layers().getFirst().digest().toString(),
                    remote.path("layers").get(0).path("digest").asText());
            assertArrayEquals(Files.readAllBytes(model), Files.readAllBytes(registry.blobData(
                    local.manifest().layers().getFirst().digest().hex())), mode + " stored the exact bytes");

            ModelStore fresh = store("pull-" + mode);
            RegistryClient.create(fresh, options()).pull(PullRequest.of(name, true), ProgressListener.NONE);
            assertEquals(local.digest(), fresh.resolve(name).digest());
        }
    }

    @Test
    void blobsTheRegistryHasAreNotSentAgain() throws Exception {
        ModelStore store = store("again");
        String name = registry.host() + "/test/again:one";
        store.register(name, model, ProgressListener.NONE);
        RegistryClient.create(store, options()).push(PushRequest.of(name, true), ProgressListener.NONE);
        try (TcpProxy proxy = TcpProxy.counting(registry.port())) {
            String second = proxy.host() + "/test/again:two";
            store.copy(name, second);
            RegistryClient.create(store, options()).push(PushRequest.of(second, true), ProgressListener.NONE);
            assertTrue(proxy.bytesToServer() < 16 * 1024, "HEAD found both blobs: " + proxy.bytesToServer());
        }
        assertEquals(200, status("/v2/test/again/manifests/two"));
    }

    @Test
    void anInterruptedPullResumesWithoutDownloadingCompletedBytesAgain() throws Exception {
        ModelStore source = store("source");
        String name = registry.host() + "/test/resume:latest";
        source.register(name, model, ProgressListener.NONE);
        RegistryClient.create(source, options()).push(PushRequest.of(name, true), ProgressListener.NONE);
        Layer weights = source.resolve(name).manifest().layers().getFirst();

        ModelStore store = store("target");
        RegistryClient client = RegistryClient.create(store, options());
        long firstRun;
        try (TcpProxy proxy = new TcpProxy(registry.port(), 5 * MIB, 0)) {
            String viaProxy = proxy.host() + "/test/resume:latest";
            assertThrows(RegistryException.class, () -> client.pull(PullRequest.of(viaProxy, true),
                    progress::add));
            assertTrue(proxy.wasCut());
            firstRun = proxy.bytesToClient();
        }
        assertThrows(ModelNotFoundException.class, () -> store.resolve(name), "no manifest after a failed pull");
        Path state = tmp.resolve("target/blobs/" + weights.digest().fileName() + "-partial.json");
        JsonNode parts = new ObjectMapper().readTree(state.toFile()).path("parts");
        long kept = 0;
        for (JsonNode p : parts) {
            kept += p.path("completed").asLong();
        }
        assertEquals((weights.size() + MIB - 1) / MIB, parts.size(), "1 MiB parts");
        assertTrue(kept >= 2 * MIB && kept <= firstRun, "kept " + kept + " of " + firstRun + " bytes received");

        String resumed;
        try (TcpProxy proxy = TcpProxy.counting(registry.port())) {
            resumed = proxy.host() + "/test/resume:latest";
            client.pull(PullRequest.of(resumed, true), ProgressListener.NONE);
            long missing = weights.size() - kept;
            long overhead = 64 * 1024; // headers of a dozen requests, the manifest and the config blob
            assertTrue(proxy.bytesToClient() >= missing, proxy.bytesToClient() + " < " + missing);
            assertTrue(proxy.bytesToClient() <= missing + overhead,
                    "resumed download took %d bytes, but only %d were missing".formatted(proxy.bytesToClient(),
                            missing));
        }
        assertArrayEquals(Files.readAllBytes(model), Files.readAllBytes(store.resolve(resumed).modelPath()));
        assertFalse(Files.exists(state), "the bookkeeping is removed once the blob is complete");
    }

    @Test
    void anInterruptedPullStopsAndKeepsItsProgressForLater() throws Exception {
        ModelStore source = store("cancel-src");
        String name = registry.host() + "/test/cancel:latest";
        source.register(name, model, ProgressListener.NONE);
        RegistryClient.create(source, options()).push(PushRequest.of(name, true), ProgressListener.NONE);
        Digest digest = source.resolve(name).manifest().layers().getFirst().digest();

        ModelStore store = store("cancel");
        Path state = tmp.resolve("cancel/blobs/" + digest.fileName() + "-partial.json");
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic
                .AtomicReference<>();
        try (TcpProxy slow = new TcpProxy(registry.port(), Long.MAX_VALUE, MIB / 2)) { // per connection
            String viaProxy = slow.host() + "/test/cancel:latest";
            Thread puller = new Thread(() -> {
                try {
                    RegistryClient.create(store, options()).pull(PullRequest.of(viaProxy, true),
                            ProgressListener.NONE);
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            puller.start();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (completed(state) < MIB) {
                assertTrue(System.nanoTime() < deadline, "the pull did not start");
                Thread.sleep(20);
            }
            puller.interrupt();
            puller.join(10_000);
            assertFalse(puller.isAlive(), "the pull stopped");
        }
        assertTrue(thrown.get() instanceof OperationCancelledException, String.valueOf(thrown.get()));
        assertEquals(499, ((OperationCancelledException) thrown.get()).httpStatus());
        assertEquals(List.of(), store.list());
        long kept = completed(state);
        assertTrue(kept >= MIB && kept < Files.size(model), "progress is kept for a resume: " + kept);
    }

    /** The bytes a partial download's bookkeeping claims, or 0 before it is written. */
    static long completed(Path state) {
        try {
            long done = 0;
            for (JsonNode p : new ObjectMapper().readTree(state.toFile()).path("parts")) {
                done += p.path("completed").asLong();
            }
            return done;
        } catch (IOException e) {
            return 0;
        }
    }

    @Test
    void theRequestTimeoutBoundsWaitingForHeadersNotStreamingABlob() throws Exception {
        ModelStore source = store("slow-src");
        String name = registry.host() + "/test/slow:latest";
        source.register(name, model, ProgressListener.NONE);
        RegistryClient.create(source, options()).push(PushRequest.of(name, true), ProgressListener.NONE);
        ModelStore store = store("slow");
        RegistryOptions oneSlowPart = RegistryOptions.builder().maxParts(1).partSize(64 * MIB, 64 * MIB)
                .maxRetries(0).requestTimeout(Duration.ofSeconds(1)).build();
        try (TcpProxy slow = new TcpProxy(registry.port(), Long.MAX_VALUE, 4 * MIB)) {
            String viaProxy = slow.host() + "/test/slow:latest";
            long start = System.nanoTime();
            RegistryClient.create(store, oneSlowPart).pull(PullRequest.of(viaProxy, true), ProgressListener.NONE);
            assertTrue(System.nanoTime() - start > 1_500_000_000L, "the single part took longer than the timeout");
            assertArrayEquals(Files.readAllBytes(model), Files.readAllBytes(store.resolve(viaProxy).modelPath()));
        }
    }

    @Test
    void aStalledPartIsReconnected() throws Exception {
        ModelStore source = store("stall-src");
        String name = registry.host() + "/test/stall:latest";
        source.register(name, model, ProgressListener.NONE);
        RegistryClient.create(source, options()).push(PushRequest.of(name, true), ProgressListener.NONE);
        ModelStore store = store("stall");
        RegistryOptions watchful = RegistryOptions.builder().maxParts(4).partSize(MIB, MIB).maxRetries(2)
                .retryBackoff(Duration.ofMillis(10)).stallTimeout(Duration.ofMillis(500)).build();
        try (TcpProxy proxy = TcpProxy.counting(registry.port())) {
            proxy.stallOnceAt(3 * MIB);
            String viaProxy = proxy.host() + "/test/stall:latest";
            RegistryClient.create(store, watchful).pull(PullRequest.of(viaProxy, true), ProgressListener.NONE);
            assertTrue(proxy.stalled());
            assertArrayEquals(Files.readAllBytes(model), Files.readAllBytes(store.resolve(viaProxy).modelPath()));
        }
    }

    @Test
    void aCorruptBlobFailsThePullAndLeavesNoManifest() throws Exception {
        ModelStore source = store("src");
        String name = registry.host() + "/test/corrupt:latest";
        Path copy = Files.copy(model, tmp.resolve("corrupt-source.gguf"));
        try (RandomAccessFile f = new RandomAccessFile(copy.toFile(), "rw")) {
            f.seek(f.length() - 1);
            f.write(7); // a model that differs from the other tests' (the registry shares blobs by digest)
        }
        source.register(name, copy, ProgressListener.NONE);
        RegistryClient.create(source, options()).push(PushRequest.of(name, true), ProgressListener.NONE);
        Digest digest = source.resolve(name).manifest().layers().getFirst().digest();
        try (RandomAccessFile f = new RandomAccessFile(registry.blobData(digest.hex()).toFile(), "rw")) {
            f.seek(3 * MIB);
            int b = f.read();
            f.seek(3 * MIB);
            f.write(b ^ 0xff);
        }

        ModelStore store = store("victim");
        DigestMismatchException e = assertThrows(DigestMismatchException.class,
                () -> RegistryClient.create(store, options()).pull(PullRequest.of(name, true), progress::add));
        assertEquals(digest, e.expected());
        assertTrue(statuses().contains("verifying sha256 digest"));
        assertFalse(statuses().contains("writing manifest"));
        assertEquals(List.of(), store.list());
        assertFalse(Files.exists(tmp.resolve("victim/manifests/" + registry.host())), "no manifest");
        assertFalse(Files.exists(tmp.resolve("victim/blobs/" + digest.fileName())), "no corrupt blob");
        assertFalse(Files.exists(tmp.resolve("victim/blobs/" + digest.fileName() + "-partial")),
                "the bad download is discarded, so the next pull starts over");
    }

    @Test
    void unknownModelsAreA404() {
        ModelStore store = store("none");
        RegistryException e = assertThrows(RegistryException.class, () -> RegistryClient.create(store, options())
                .pull(PullRequest.of(registry.host() + "/test/does-not-exist:latest", true), progress::add));
        assertEquals(404, e.httpStatus());
        assertEquals("MANIFEST_UNKNOWN", e.errorCode());
        assertEquals(List.of("pulling manifest"), statuses());
        assertEquals(404, assertThrows(ModelNotFoundException.class, () -> RegistryClient.create(store, options())
                .push(PushRequest.of(registry.host() + "/test/nothing", true), ProgressListener.NONE)).httpStatus());
    }

    private static byte[] get(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(registry.url() + path))
                .header("Accept", MediaTypes.MANIFEST).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
    }

    private static int status(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(registry.url() + path))
                .header("Accept", MediaTypes.MANIFEST).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
