package dev.puna.http;

import dev.puna.state.DatabaseUrl.Backend;

/** {@link StatefulRoutesTest} with the state in SQLite. */
class StatefulRoutesSqliteTest extends StatefulRoutesTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
