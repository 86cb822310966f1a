package dev.puna.http;

import dev.puna.state.DatabaseUrl.Backend;

/** {@link AssistantsSdkTest} with the state in PostgreSQL. */
class AssistantsSdkPostgresTest extends AssistantsSdkTest {
    @Override
    Backend backend() {
        return Backend.POSTGRESQL;
    }
}
