package dev.puna.store;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real OCI registry for tests: Debian's {@code docker-registry} (CNCF distribution 2.8) on 127.0.0.1 and a free
 * port, storing into a directory of the test, without auth. The project's {@code run-tests} installs the package;
 * when the binary is missing the test fails and says how to install it.
 */
final class RegistryServer implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path storage;
    private final Path log;

    private RegistryServer(Process process, int port, Path storage, Path log) {
        this.process = process;
        this.port = port;
        this.storage = storage;
        this.log = log;
    }

    /** Starts a registry storing under {@code dir}, and waits until it answers {@code GET /v2/}. */
    static RegistryServer start(Path dir) throws IOException, InterruptedException {
        Path binary = Path.of(System.getProperty("puna.docker.registry", "/usr/bin/docker-registry"));
        if (!Files.isExecutable(binary)) {
            fail("the registry tests need CNCF distribution's registry at " + binary + ", which is missing: "
                    + "install Debian's package with 'apt-get install -y docker-registry' (./run-tests does this), "
                    + "or point -Dpuna.docker.registry at a registry binary");
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path storage = Files.createDirectories(dir.resolve("registry-storage"));
        Path config = dir.resolve("registry-config.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: warn
                  accesslog:
                    disabled: true
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                  maintenance:
                    uploadpurging:
                      enabled: false
                http:
                  addr: 127.0.0.1:%d
                """.formatted(storage, port));
        Path log = dir.resolve("registry.log");
        Process process = new ProcessBuilder(binary.toString(), "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        RegistryServer server = new RegistryServer(process, port, storage, log);
        server.awaitReady();
        return server;
    }

    private void awaitReady() throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("docker-registry exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            try {
                HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(url() + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        close();
        fail("docker-registry did not answer on port " + port + " within 30 s: " + Files.readString(log));
    }

    /** {@code http://127.0.0.1:<port>}. */
    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** {@code 127.0.0.1:<port>}, the host part of model names on this registry. */
    String host() {
        return "127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    /** The file in which the registry keeps a blob's content. */
    Path blobData(Digest digest) {
        return storage.resolve("docker/registry/v2/blobs/sha256").resolve(digest.hex().substring(0, 2))
                .resolve(digest.hex()).resolve("data");
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
