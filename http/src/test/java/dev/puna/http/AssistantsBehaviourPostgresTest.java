package dev.puna.http;

import dev.puna.state.DatabaseUrl.Backend;

/** {@link AssistantsBehaviourTest} with the state in PostgreSQL. */
class AssistantsBehaviourPostgresTest extends AssistantsBehaviourTest {
    @Override
    Backend backend() {
        return Backend.POSTGRESQL;
    }
}
