package dev.puna.state;

import dev.puna.state.DatabaseUrl.Backend;
import dev.puna.testkit.PostgresServer;
import java.nio.file.Path;

/** A fresh, empty database of either engine for a test: an SQLite file, or a new database on the shared server. */
final class Databases {
    private Databases() {
    }

    static DatabaseUrl fresh(Backend backend, Path dir, String name) {
        return switch (backend) {
            case SQLITE -> DatabaseUrl.sqlite(dir.resolve(name + ".db"));
            case POSTGRESQL -> DatabaseUrl.parse(PostgresServer.shared().url(PostgresServer.shared().createDatabase(name)));
        };
    }
}
