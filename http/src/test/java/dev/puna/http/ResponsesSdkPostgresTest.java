package dev.puna.http;

import dev.puna.state.DatabaseUrl.Backend;

/** {@link ResponsesSdkTest} with the state in PostgreSQL. */
class ResponsesSdkPostgresTest extends ResponsesSdkTest {
    @Override
    Backend backend() {
        return Backend.POSTGRESQL;
    }
}
