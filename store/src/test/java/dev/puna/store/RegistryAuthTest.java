package dev.puna.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.puna.gguf.GgmlType;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Bearer-token flow real registries use (Docker Hub, GHCR, Hugging Face): a registry that answers 401 with a
 * challenge, a token service, and a CDN that blob downloads are redirected to.
 */
@Timeout(120) // a hung transfer must fail the build, not stall it
class RegistryAuthTest {
    private static final String TOKEN = "t0ken";

    @TempDir
    Path tmp;
    HttpServer registry;
    HttpServer cdn;
    final AtomicInteger tokenRequests = new AtomicInteger();
    final List<String> tokenQueries = new CopyOnWriteArrayList<>();
    final List<String> cdnAuthorizations = new CopyOnWriteArrayList<>();
    final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    byte[] manifest;
    String requiredBasic;
    ResolvedModel source;

    @BeforeEach
    void start() throws IOException {
        ModelStore origin = ModelStore.open(tmp.resolve("origin"));
        origin.register("m", TestGgufs.scripted(tmp.resolve("src"), GgmlType.F32), ProgressListener.NONE);
        source = origin.resolve("m");
        manifest = Files.readAllBytes(tmp.resolve("origin/manifests/registry.ollama.ai/library/m/latest"));
        for (Layer l : source.manifest().blobs()) {
            blobs.put(l.digest().toString(), Files.readAllBytes(tmp.resolve("origin/blobs/" + l.digest()
                    .fileName())));
        }
        cdn = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        cdn.createContext("/cdn/", ex -> {
            cdnAuthorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            String digest = ex.getRequestURI().getPath().substring("/cdn/".length());
            serveRange(ex, blobs.get(digest));
        });
        cdn.start();
        registry = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        registry.createContext("/token", ex -> {
            tokenRequests.incrementAndGet();
            tokenQueries.add(ex.getRequestURI().getRawQuery());
            if (requiredBasic != null && !requiredBasic.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                send(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}".getBytes(StandardCharsets.UTF_8));
                return;
            }
            send(ex, 200, ("{\"token\":\"" + TOKEN + "\",\"expires_in\":300}").getBytes(StandardCharsets.UTF_8));
        });
        registry.createContext("/v2/", ex -> {
            if (!("Bearer " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"http://127.0.0.1:"
                        + registry.getAddress().getPort() + "/token\",service=\"fake-registry\","
                        + "scope=\"repository:test/m:pull\"");
                send(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}"
                        .getBytes(StandardCharsets.UTF_8));
                return;
            }
            String path = ex.getRequestURI().getPath();
            if (path.equals("/v2/test/m/manifests/latest")) {
                ex.getResponseHeaders().add("Content-Type", MediaTypes.MANIFEST);
                send(ex, 200, manifest);
            } else if (path.startsWith("/v2/test/m/blobs/")) {
                String digest = path.substring("/v2/test/m/blobs/".length());
                ex.getResponseHeaders().add("Location", "http://127.0.0.1:" + cdn.getAddress().getPort()
                        + "/cdn/" + digest);
                send(ex, 307, new byte[0]);
            } else {
                send(ex, 404, "{\"errors\":[{\"code\":\"NAME_UNKNOWN\"}]}".getBytes(StandardCharsets.UTF_8));
            }
        });
        registry.start();
    }

    @AfterEach
    void stop() {
        registry.stop(0);
        cdn.stop(0);
    }

    private static void serveRange(HttpExchange ex, byte[] body) throws IOException {
        String range = ex.getRequestHeaders().getFirst("Range");
        if (range == null) {
            send(ex, 200, body);
            return;
        }
        String[] se = range.substring("bytes=".length()).split("-");
        int start = Integer.parseInt(se[0]);
        int end = Integer.parseInt(se[1]);
        byte[] part = java.util.Arrays.copyOfRange(body, start, end + 1);
        ex.getResponseHeaders().add("Content-Range", "bytes %d-%d/%d".formatted(start, end, body.length));
        send(ex, 206, part);
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private RegistryClient client(ModelStore store) {
        return RegistryClient.create(store, RegistryOptions.builder().partSize(4096, 4096).maxRetries(0)
                .retryBackoff(Duration.ofMillis(1)).requestTimeout(Duration.ofSeconds(2)).build());
    }

    private String name() {
        return "127.0.0.1:" + registry.getAddress().getPort() + "/test/m";
    }

    @Test
    void anonymousTokensAreFetchedOnceAndNeverSentToTheCdn() {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        client(store).pull(PullRequest.of(name(), true), ProgressListener.NONE);
        ResolvedModel pulled = store.resolve(name());
        assertEquals(source.digest(), pulled.digest());
        assertArrayEquals(blobs.get(source.manifest().layers().getFirst().digest().toString()),
                assertDoesNotThrowRead(pulled.modelPath()));
        assertEquals(1, tokenRequests.get(), "the token is cached for every later request");
        assertEquals(List.of("service=fake-registry&scope=repository%3Atest%2Fm%3Apull"), tokenQueries);
        assertEquals(List.of("null"), cdnAuthorizations.stream().distinct().toList(),
                "redirected downloads carry no token");
    }

    @Test
    void credentialsAreSentToTheTokenServiceAsBasicAuth() {
        requiredBasic = "Basic " + Base64.getEncoder().encodeToString("alice:secret".getBytes(
                StandardCharsets.UTF_8));
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        RegistryException refused = assertThrows(RegistryException.class,
                () -> client(store).pull(PullRequest.of(name(), true), ProgressListener.NONE));
        assertEquals(401, refused.httpStatus());
        assertThrows(ModelNotFoundException.class, () -> store.resolve(name()));
        client(store).pull(new PullRequest(name(), true, "alice", "secret"), ProgressListener.NONE);
        assertEquals(source.digest(), store.resolve(name()).digest());
    }

    @Test
    void plainHttpNeedsInsecure() {
        ModelStore store = ModelStore.open(tmp.resolve("store"));
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> client(store)
                .pull(PullRequest.of("http://" + name(), false), ProgressListener.NONE));
        assertEquals(400, e.httpStatus());
        RegistryException tls = assertThrows(RegistryException.class, () -> client(store)
                .pull(PullRequest.of(name(), false), ProgressListener.NONE));
        assertEquals(0, tls.registryStatus(), "https to a plain HTTP server fails to connect");
        assertNull(tls.errorCode());
    }

    private static byte[] assertDoesNotThrowRead(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
