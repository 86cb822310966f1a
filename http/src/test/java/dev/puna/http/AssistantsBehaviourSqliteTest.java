package dev.puna.http;

import dev.puna.state.DatabaseUrl.Backend;

/** {@link AssistantsBehaviourTest} with the state in SQLite. */
class AssistantsBehaviourSqliteTest extends AssistantsBehaviourTest {
    @Override
    Backend backend() {
        return Backend.SQLITE;
    }
}
