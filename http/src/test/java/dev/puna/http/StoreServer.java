package dev.puna.http;

import dev.puna.gguf.GgmlType;
import dev.puna.store.Digest;
import dev.puna.store.ModelStore;
import dev.puna.testkit.TestModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A real server over a real model store in {@code dir} (opened the way {@code puna serve} opens it, with llama.cpp
 * quantization), on a free port with small contexts so tests stay fast.
 */
final class StoreServer implements AutoCloseable {
    final ModelStore store;
    final PunaServer server;
    final Http http;

    StoreServer(Path dir) {
        this(dir, ServerConfig.builder());
    }

    StoreServer(Path dir, ServerConfig.Builder config) {
        // The stateful APIs' database next to the store, never in the user's ~/.puna.
        ServerConfig c = config.port(0).contextLength(256).numParallel(2).modelsDir(dir)
                .dataDir(dir.resolveSibling(dir.getFileName() + "-data")).build();
        store = PunaServer.openStore(c);
        server = PunaServer.start(c, store);
        http = new Http(server.url());
    }

    /** The scripted model as {@code type}, generated once per JVM under the build's temp dir. */
    static Path scripted(GgmlType type) {
        try {
            return TestModels.scripted(Path.of(System.getProperty("java.io.tmpdir"), "puna-http-models"), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The digest of a file's content, as {@code /api/blobs} names it. */
    static Digest digest(Path file) {
        try {
            return digest(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Digest digest(byte[] content) {
        try {
            return Digest.of(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
