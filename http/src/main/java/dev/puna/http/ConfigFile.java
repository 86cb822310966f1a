package dev.puna.http;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The server's config file: the same settings as the environment variables, one {@code PUNA_NAME=value} a line
 * (the format of systemd's {@code EnvironmentFile=}, so one file serves both). Blank lines and lines starting with
 * {@code #} are skipped; spaces around the name and the value are dropped, and a value in matching double or single
 * quotes loses them. An unknown name, a line without {@code =} or a name given twice stops start-up.
 *
 * <p>Where it is found: {@code puna serve --config FILE}; else {@code $XDG_CONFIG_HOME/puna/puna.conf} (default
 * {@code ~/.config/puna/puna.conf}) if it exists; else {@code /etc/puna/puna.conf} if it exists. Only one file is
 * read. Immutable.
 */
public final class ConfigFile {
    /** The system-wide file. */
    public static final Path SYSTEM = Path.of("/etc/puna/puna.conf");
    /** No file. */
    public static final ConfigFile NONE = new ConfigFile(null, Map.of());

    /** A value and the line it came from (1-based). */
    record Entry(String value, int line) {
    }

    private final Path path;
    private final Map<String, Entry> entries;

    private ConfigFile(Path path, Map<String, Entry> entries) {
        this.path = path;
        this.entries = entries;
    }

    /**
     * The file {@code puna serve} reads when no {@code --config} is given: the user's, else the system's, if either
     * exists.
     *
     * @param env the environment ({@code XDG_CONFIG_HOME}, {@code HOME})
     */
    public static Optional<Path> locate(Map<String, String> env) {
        for (Path p : List.of(userFile(env), SYSTEM)) {
            if (Files.isRegularFile(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** {@code $XDG_CONFIG_HOME/puna/puna.conf}, or {@code ~/.config/puna/puna.conf}. */
    static Path userFile(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "puna", "puna.conf");
        }
        String home = env.get("HOME");
        if (home == null || home.isBlank()) {
            home = System.getProperty("user.home");
        }
        return Path.of(home, ".config", "puna", "puna.conf");
    }

    /**
     * Reads and checks {@code file}.
     *
     * @throws ServerConfigException naming the file when it cannot be read or a line is malformed, or naming the
     *     setting when it is unknown or given twice
     */
    public static ConfigFile read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (CharacterCodingException e) {
            throw new ServerConfigException("--config", "'" + file + "' is not UTF-8 text");
        } catch (IOException e) {
            throw new ServerConfigException("--config", "cannot read '" + file + "': " + e);
        }
        return parse(file, text);
    }

    /** Parses {@code text} as the content of {@code file} (which is only named in messages). */
    static ConfigFile parse(Path file, String text) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            int number = i + 1;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new ServerConfigException("--config", "'" + file + "', line " + number
                        + ": expected NAME=value, got '" + (line.length() > 40 ? line.substring(0, 40) + "..." : line)
                        + "'");
            }
            String name = line.substring(0, eq).strip();
            String value = unquote(line.substring(eq + 1).strip());
            if (Settings.find(name).isEmpty()) {
                throw new ServerConfigException(name, "unknown setting (in " + file + ", line " + number + ")");
            }
            Entry previous = entries.put(name, new Entry(value, number));
            if (previous != null) {
                throw new ServerConfigException(name, "set twice (in " + file + ", lines " + previous.line() + " and "
                        + number + ")");
            }
        }
        return new ConfigFile(file, Map.copyOf(entries));
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.charAt(0) == '"' || v.charAt(0) == '\'') && v.charAt(v.length() - 1) == v.charAt(0)) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    /** The file's path; empty for {@link #NONE}. */
    public Optional<Path> path() {
        return Optional.ofNullable(path);
    }

    /** The value the file gives {@code setting}, if any. */
    Optional<Entry> get(Setting setting) {
        return Optional.ofNullable(entries.get(setting.name()));
    }
}
