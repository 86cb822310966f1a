package dev.puna.http;

import dev.puna.state.DatabaseUrl.Backend;

/** {@link AssistantsSdkTest} with the state in SQLite. */
class AssistantsSdkSqliteTest extends AssistantsSdkTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
