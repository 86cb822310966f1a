package dev.puna.http;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.puna.state.DatabaseUrl;
import dev.puna.state.DatabaseUrl.Backend;
import dev.puna.testkit.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A {@link ScriptedServer} (the scripted model as {@code scripted}, the tool-calling one as {@code tools}) whose
 * stateful APIs keep their state in a fresh database of either engine: SQLite in a throwaway data directory, or a new
 * database on the test JVM's {@link PostgresServer}. With the official OpenAI client pointed at it.
 */
final class StatefulServer implements AutoCloseable {
    final Backend backend;
    final Path dataDir;
    final DatabaseUrl database;
    final ScriptedServer scripted;
    final OpenAIClient client;

    StatefulServer(Backend backend, String name) {
        this(backend, name, ServerConfig.builder());
    }

    StatefulServer(Backend backend, String name, ServerConfig.Builder config) {
        this(backend, freshDataDir(name), freshDatabase(backend, name), config);
    }

    /** A server on an existing database (a restart, or a second server of a fleet). */
    StatefulServer(Backend backend, Path dataDir, DatabaseUrl database, ServerConfig.Builder config) {
        this.backend = backend;
        this.dataDir = dataDir;
        this.database = database;
        config.dataDir(dataDir);
        if (backend == Backend.POSTGRESQL) {
            config.databaseUrl(database);
        }
        this.scripted = new ScriptedServer(config, 1024);
        scripted.catalog.add("tools", ScriptedServer.TOOLS_MODEL);
        scripted.catalog.add("counter", ScriptedServer.COUNTER_MODEL);
        this.client = OpenAIOkHttpClient.builder().baseUrl(scripted.server.url() + "/v1").apiKey("unused")
                .maxRetries(0).timeout(Duration.ofSeconds(60)).build();
    }

    static Path freshDataDir(String name) {
        try {
            return Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "puna-" + name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static DatabaseUrl freshDatabase(Backend backend, String name) {
        return backend == Backend.POSTGRESQL
                ? DatabaseUrl.parse(PostgresServer.shared().url(PostgresServer.shared().createDatabase(name))) : null;
    }

    Http http() {
        return scripted.http;
    }

    String url() {
        return scripted.server.url();
    }

    @Override
    public void close() {
        client.close();
        scripted.close();
    }
}
