package dev.puna.http;

import dev.puna.state.DatabaseUrl.Backend;

/** {@link ResponsesSdkTest} with the state in SQLite. */
class ResponsesSdkSqliteTest extends ResponsesSdkTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
