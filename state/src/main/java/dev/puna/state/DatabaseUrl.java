package dev.puna.state;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the state lives: an embedded SQLite file, or a PostgreSQL database. Parsed from {@code PUNA_DATABASE_URL}:
 * <ul>
 *   <li>{@code postgresql://[user[:password]@]host[:port]/database[?parameters]} (also {@code postgres://}), or a
 *       PostgreSQL JDBC URL {@code jdbc:postgresql://...}; parameters go to the JDBC driver as they are
 *       ({@code sslmode=require}, ...);</li>
 *   <li>{@code sqlite:/path/to/puna.db} or {@code jdbc:sqlite:/path/to/puna.db}.</li>
 * </ul>
 * The password is kept out of {@link #toString()} and of the JDBC URL (it is passed to the driver as a property), so
 * it never reaches a log line. Immutable.
 */
public final class DatabaseUrl {
    /** The two database engines. */
    public enum Backend { SQLITE, POSTGRESQL }

    private final Backend backend;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final String display;

    private DatabaseUrl(Backend backend, String jdbcUrl, String user, String password, String display) {
        this.backend = backend;
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.display = display;
    }

    /** The embedded SQLite database in {@code file}. */
    public static DatabaseUrl sqlite(Path file) {
        Objects.requireNonNull(file, "file");
        String path = file.toAbsolutePath().toString();
        return new DatabaseUrl(Backend.SQLITE, "jdbc:sqlite:" + path, null, null, "sqlite:" + path);
    }

    /**
     * Parses {@code url} (see the class comment).
     *
     * @throws IllegalArgumentException saying what is wrong with it (never quoting a password)
     */
    public static DatabaseUrl parse(String url) {
        String u = Objects.requireNonNull(url, "url").strip();
        if (u.startsWith("jdbc:sqlite:") || u.startsWith("sqlite:")) {
            String path = u.substring(u.indexOf("sqlite:") + "sqlite:".length());
            if (path.startsWith("//")) {
                path = path.substring(2);
            }
            if (path.isEmpty() || path.startsWith(":memory") || path.contains("?")) {
                throw new IllegalArgumentException("expected sqlite:/path/to/file.db (a file; no parameters)");
            }
            return sqlite(Path.of(path));
        }
        if (u.startsWith("jdbc:postgresql:")) {
            return new DatabaseUrl(Backend.POSTGRESQL, u, null, null, mask(u));
        }
        String rest;
        if (u.startsWith("postgresql://")) {
            rest = u.substring("postgresql://".length());
        } else if (u.startsWith("postgres://")) {
            rest = u.substring("postgres://".length());
        } else {
            throw new IllegalArgumentException("expected postgresql://[user[:password]@]host[:port]/database, "
                    + "jdbc:postgresql://..., or sqlite:/path/to/file.db");
        }
        String user = null;
        String password = null;
        int at = rest.lastIndexOf('@', rest.indexOf('/') < 0 ? rest.length() : rest.indexOf('/'));
        if (at >= 0) {
            String credentials = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = credentials.indexOf(':');
            user = decode(colon < 0 ? credentials : credentials.substring(0, colon));
            password = colon < 0 ? null : decode(credentials.substring(colon + 1));
        }
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1 || rest.charAt(slash + 1) == '?') {
            throw new IllegalArgumentException("expected postgresql://[user[:password]@]host[:port]/database: "
                    + "the host or the database name is missing");
        }
        String display = "postgresql://" + (user == null ? "" : user + (password == null ? "" : ":****") + "@") + rest;
        return new DatabaseUrl(Backend.POSTGRESQL, "jdbc:postgresql://" + rest, user, password, display);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** A JDBC URL with any {@code password=} parameter value masked. */
    private static String mask(String jdbc) {
        return jdbc.replaceAll("(?i)(password=)[^&]*", "$1****");
    }

    public Backend backend() {
        return backend;
    }

    /** The JDBC URL, without credentials given in {@code user:password@} form. */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** The user, or {@code null} when the URL names none. */
    public String user() {
        return user;
    }

    /** The password, or {@code null}; never logged. */
    String password() {
        return password;
    }

    /** The URL with its password masked. */
    @Override
    public String toString() {
        return display;
    }
}
