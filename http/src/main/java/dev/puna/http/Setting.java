package dev.puna.http;

import dev.puna.runtime.InvalidParameterException;
import java.util.Locale;
import java.util.Objects;

/**
 * One server setting: its name (the environment variable and the config-file key, e.g. {@code PUNA_NUM_PARALLEL}),
 * the command-line flag derived from it ({@code --num-parallel}), its default as text, its help text, and how a
 * value is parsed onto a {@link ServerConfig.Builder}. Every setting is defined once, in {@link Settings}.
 *
 * <p>Immutable and thread-safe.
 */
public final class Setting {
    /** Parses a value (already stripped, never blank) and sets it on a builder; throws on a bad value. */
    @FunctionalInterface
    public interface Applier {
        /**
         * @throws IllegalArgumentException or {@link InvalidParameterException} saying what is wrong with the value
         *     (the caller names the setting), or a {@link ServerConfigException} that names it already
         */
        void apply(ServerConfig.Builder builder, String value);
    }

    private final String name;
    private final String defaultText;
    private final String help;
    private final boolean secret;
    private final Applier applier;

    private Setting(String name, String defaultText, String help, boolean secret, Applier applier) {
        if (!name.matches("PUNA_[A-Z0-9_]+")) {
            throw new IllegalArgumentException("setting names are PUNA_ and upper-case words: " + name);
        }
        this.name = name;
        this.defaultText = Objects.requireNonNull(defaultText, "defaultText");
        this.help = Objects.requireNonNull(help, "help");
        this.secret = secret;
        this.applier = Objects.requireNonNull(applier, "applier");
    }

    /**
     * A setting.
     *
     * @param name environment variable and config-file key
     * @param defaultText the default as a user would write it, or a description in parentheses when it is computed
     *     ({@code "(physical RAM)"}); empty for "unset"
     * @param help one line for {@code --help} and the README
     */
    static Setting of(String name, String defaultText, String help, Applier applier) {
        return new Setting(name, defaultText, help, false, applier);
    }

    /** A setting whose value is a secret: never printed, logged or shown in {@code --print-config}. */
    static Setting secret(String name, String help, Applier applier) {
        return new Setting(name, "", help, true, applier);
    }

    /** The environment variable and config-file key, e.g. {@code PUNA_NUM_PARALLEL}. */
    public String name() {
        return name;
    }

    /** The command-line flag of {@code puna serve}: {@code PUNA_NUM_PARALLEL} is {@code --num-parallel}. */
    public String flag() {
        return "--" + name.substring("PUNA_".length()).toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The default, as text ({@code ""} when unset by default). */
    public String defaultText() {
        return defaultText;
    }

    /** One line saying what the setting does. */
    public String help() {
        return help;
    }

    /** Whether values must be masked wherever they are shown. */
    public boolean secret() {
        return secret;
    }

    /** {@code value} as it may be shown: masked for a {@link #secret} setting. */
    public String display(String value) {
        if (!secret || value.isEmpty()) {
            return value;
        }
        long items = java.util.Arrays.stream(value.split(",")).filter(s -> !s.isBlank()).count();
        return "******** (" + items + (items == 1 ? " value" : " values") + ")";
    }

    /**
     * Parses {@code value} onto {@code builder}.
     *
     * @param where where the value came from, for the error message ({@code ""} for the environment, else e.g.
     *     {@code " (in /etc/puna/puna.conf, line 3)"})
     * @throws ServerConfigException naming this setting when the value is invalid
     */
    void apply(ServerConfig.Builder builder, String value, String where) {
        String v = value.strip();
        try {
            applier.apply(builder, v);
        } catch (ServerConfigException e) {
            if (where.isEmpty()) {
                throw e; // appliers that check ranges name their setting themselves
            }
            throw new ServerConfigException(e.setting(), e.getMessage().substring(e.setting().length() + 2) + where);
        } catch (IllegalArgumentException | InvalidParameterException e) {
            String why = e instanceof InvalidParameterException ipe
                    ? e.getMessage().substring(ipe.parameter().length() + 2) : e.getMessage();
            throw new ServerConfigException(name, "invalid value '" + (secret ? "********" : v) + "'" + where + ": "
                    + why);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
