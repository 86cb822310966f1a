package dev.puna.http;

import dev.puna.state.DatabaseUrl.Backend;

/** {@link StatefulRoutesTest} with the state in PostgreSQL. */
class StatefulRoutesPostgresTest extends StatefulRoutesTest {
    @Override
    Backend backend() {
        return Backend.POSTGRESQL;
    }
}
