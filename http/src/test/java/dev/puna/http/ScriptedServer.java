package dev.puna.http;

import dev.puna.gguf.GgmlType;
import dev.puna.testkit.TestModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A real server on a free port serving the scripted model as {@code scripted} (and whatever else a test adds to
 * its catalog), with small contexts so tests stay fast.
 */
final class ScriptedServer implements AutoCloseable {
    /** The scripted model's file (F32), generated once per JVM under the build's temp dir. */
    static final Path MODEL = model();

    final TestCatalog catalog = new TestCatalog().add("scripted", MODEL);
    final PunaServer server;
    final Http http;

    ScriptedServer() {
        this(ServerConfig.builder());
    }

    ScriptedServer(ServerConfig.Builder config) {
        server = PunaServer.start(config.port(0).contextLength(256).numParallel(2).build(), catalog);
        http = new Http(server.url());
    }

    private static Path model() {
        try {
            return TestModels.scripted(Path.of(System.getProperty("java.io.tmpdir"), "puna-http-models"),
                    GgmlType.F32);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
