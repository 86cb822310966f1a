package dev.puna.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.puna.state.DatabaseUrl.Backend;
import org.junit.jupiter.api.Test;

class DatabaseUrlTest {
    @Test
    void postgresUrlsBecomeJdbcWithCredentialsApart() {
        DatabaseUrl u = DatabaseUrl.parse("postgresql://puna:s%40cret@db.internal:5433/state?sslmode=require");
        assertEquals(Backend.POSTGRESQL, u.backend());
        assertEquals("jdbc:postgresql://db.internal:5433/state?sslmode=require", u.jdbcUrl());
        assertEquals("puna", u.user());
        assertEquals("s@cret", u.password());
        assertEquals("postgresql://puna:****@db.internal:5433/state?sslmode=require", u.toString());
        assertFalse(u.toString().contains("cret"));

        DatabaseUrl bare = DatabaseUrl.parse("postgres://localhost/puna");
        assertEquals("jdbc:postgresql://localhost/puna", bare.jdbcUrl());
        assertNull(bare.user());

        DatabaseUrl jdbc = DatabaseUrl.parse("jdbc:postgresql://h/db?user=u&password=pw");
        assertEquals("jdbc:postgresql://h/db?user=u&password=pw", jdbc.jdbcUrl());
        assertEquals("jdbc:postgresql://h/db?user=u&password=****", jdbc.toString());
    }

    @Test
    void sqliteUrlsNameAFile() {
        DatabaseUrl u = DatabaseUrl.parse("sqlite:/var/lib/puna/puna.db");
        assertEquals(Backend.SQLITE, u.backend());
        assertEquals("jdbc:sqlite:/var/lib/puna/puna.db", u.jdbcUrl());
        assertEquals("jdbc:sqlite:/var/lib/puna/puna.db", DatabaseUrl.parse("jdbc:sqlite:/var/lib/puna/puna.db").jdbcUrl());
    }

    @Test
    void badUrlsSayWhatIsExpected() {
        assertEquals("expected postgresql://[user[:password]@]host[:port]/database, jdbc:postgresql://..., or "
                + "sqlite:/path/to/file.db", assertThrows(IllegalArgumentException.class,
                () -> DatabaseUrl.parse("mysql://h/db")).getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DatabaseUrl.parse("postgresql://u:topsecret@host"));
        assertEquals("expected postgresql://[user[:password]@]host[:port]/database: the host or the database name "
                + "is missing", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.parse("sqlite::memory:"));
        assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.parse("sqlite:"));
    }
}
