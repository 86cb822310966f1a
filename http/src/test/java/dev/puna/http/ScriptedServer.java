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
    private static final Path DIR = Path.of(System.getProperty("java.io.tmpdir"), "puna-http-models");
    /** The scripted model's file (F32), generated once per JVM under the build's temp dir. */
    static final Path MODEL = model();
    /** The tool-calling model's file ({@link TestModels#toolCaller}), next to it. */
    static final Path TOOLS_MODEL = toolsModel();
    /** The counting model's file ({@link TestModels#counter}): every chat answer counts on without end. */
    static final Path COUNTER_MODEL = counterModel();

    final TestCatalog catalog = new TestCatalog().add("scripted", MODEL);
    final PunaServer server;
    final Http http;

    ScriptedServer() {
        this(ServerConfig.builder());
    }

    ScriptedServer(ServerConfig.Builder config) {
        this(config, 256);
    }

    /** With a default {@code num_ctx} of {@code contextLength} (tool prompts need more than 256 tokens). */
    ScriptedServer(ServerConfig.Builder config, int contextLength) {
        server = PunaServer.start(config.port(0).contextLength(contextLength).numParallel(2).build(), catalog);
        http = new Http(server.url());
    }

    private static Path model() {
        try {
            return TestModels.scripted(DIR, GgmlType.F32);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path toolsModel() {
        try {
            return TestModels.toolCaller(DIR);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path counterModel() {
        try {
            return TestModels.counter(DIR);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
