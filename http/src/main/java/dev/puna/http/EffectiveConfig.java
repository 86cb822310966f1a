package dev.puna.http;

import dev.puna.runtime.InvalidParameterException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The value each {@link Settings setting} takes and where it came from, by precedence: a flag of
 * {@code puna serve}, then the environment, then the config file, then the default. Blank values count as unset.
 * {@link #toServerConfig()} parses them; {@link #describe()} is what {@code puna serve --print-config} prints.
 * Immutable.
 */
public final class EffectiveConfig {
    /** Where a value came from, in order of precedence. */
    public enum Source {
        FLAG, ENV, FILE, DEFAULT;

        /** Lower-case name, as printed. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One setting's effective value.
     *
     * @param value the text that won ({@link Setting#defaultText()} for the default)
     * @param where what {@code --print-config} says beside the source: the flag, or the file and line; else empty
     */
    public record Value(Setting setting, String value, Source source, String where) {
        /** The value as it may be shown (secrets masked). */
        public String display() {
            return setting.display(value);
        }
    }

    private final List<Value> values;

    private EffectiveConfig(List<Value> values) {
        this.values = List.copyOf(values);
    }

    /**
     * Resolves every setting.
     *
     * @param flags values given as flags, by setting name ({@code PUNA_HOST})
     * @param env the environment; variables that are no setting are ignored (the CLI has others)
     * @param file the config file, or {@link ConfigFile#NONE}
     */
    public static EffectiveConfig resolve(Map<String, String> flags, Map<String, String> env, ConfigFile file) {
        List<Value> out = new ArrayList<>();
        for (Setting s : Settings.all()) {
            String flag = flags.get(s.name());
            String fromEnv = env.get(s.name());
            Optional<ConfigFile.Entry> fromFile = file.get(s).filter(e -> !e.value().isBlank());
            if (flag != null && !flag.isBlank()) {
                out.add(new Value(s, flag.strip(), Source.FLAG, s.flag()));
            } else if (fromEnv != null && !fromEnv.isBlank()) {
                out.add(new Value(s, fromEnv.strip(), Source.ENV, ""));
            } else if (fromFile.isPresent()) {
                out.add(new Value(s, fromFile.get().value().strip(), Source.FILE,
                        file.path().orElseThrow() + ":" + fromFile.get().line()));
            } else {
                out.add(new Value(s, s.defaultText(), Source.DEFAULT, ""));
            }
        }
        return new EffectiveConfig(out);
    }

    /** Every setting's value, in {@link Settings#all()} order. */
    public List<Value> values() {
        return values;
    }

    /** The value of the setting called {@code name}. */
    public Value value(String name) {
        return values.stream().filter(v -> v.setting().name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no setting " + name));
    }

    /**
     * Parses every value that is not a default into a configuration.
     *
     * @throws ServerConfigException naming the first invalid setting (and the flag or file line it came from)
     */
    public ServerConfig toServerConfig() {
        ServerConfig.Builder b = ServerConfig.builder();
        for (Value v : values) {
            String where = switch (v.source()) {
                case DEFAULT -> null;
                case ENV -> "";
                case FLAG -> " (from " + v.where() + ")";
                case FILE -> " (in " + v.where() + ")";
            };
            if (where != null) {
                v.setting().apply(b, v.value(), where);
            }
        }
        try {
            return b.build();
        } catch (InvalidParameterException e) {
            throw new ServerConfigException(e.parameter().equals("kv_cache_type") ? "PUNA_KV_CACHE_TYPE"
                    : e.parameter(), e.getMessage());
        }
    }

    /**
     * One line per setting, {@code NAME=value} padded to a column, then {@code # source}: {@code # default},
     * {@code # env}, {@code # flag --num-parallel}, {@code # file /etc/puna/puna.conf:3}. Secrets are masked.
     */
    public String describe() {
        int width = 0;
        for (Value v : values) {
            width = Math.max(width, v.setting().name().length() + 1 + v.display().length());
        }
        StringBuilder b = new StringBuilder();
        for (Value v : values) {
            String assignment = v.setting().name() + "=" + v.display();
            b.append(assignment).append(" ".repeat(width - assignment.length() + 2)).append("# ")
                    .append(v.source().label());
            if (!v.where().isEmpty()) {
                b.append(' ').append(v.where());
            }
            b.append('\n');
        }
        return b.toString();
    }
}
