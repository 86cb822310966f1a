package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The settings registry, the config file, and the precedence flag > environment > file > default. */
class EffectiveConfigTest {
    @TempDir
    Path dir;

    private ConfigFile file(String text) throws IOException {
        Path f = dir.resolve("puna.conf");
        Files.writeString(f, text);
        return ConfigFile.read(f);
    }

    @Test
    void flagBeatsEnvironmentBeatsFileBeatsDefault() throws IOException {
        ConfigFile f = file("""
                # a comment, then a blank line

                PUNA_NUM_PARALLEL=2
                  PUNA_MAX_QUEUE = 7
                PUNA_KEEP_ALIVE="10m"
                PUNA_CONTEXT_LENGTH=1024
                """);
        EffectiveConfig e = EffectiveConfig.resolve(Map.of("PUNA_NUM_PARALLEL", "8"),
                Map.of("PUNA_NUM_PARALLEL", "6", "PUNA_MAX_QUEUE", "9", "HOME", "/nowhere"), f);
        ServerConfig c = e.toServerConfig();
        assertEquals(8, c.numParallel());
        assertEquals(9, c.maxQueue());
        assertEquals(java.time.Duration.ofMinutes(10), c.keepAlive());
        assertEquals(1024, c.contextLength());
        assertEquals(3, c.maxLoadedModels());
        assertEquals(EffectiveConfig.Source.FLAG, e.value("PUNA_NUM_PARALLEL").source());
        assertEquals(EffectiveConfig.Source.ENV, e.value("PUNA_MAX_QUEUE").source());
        assertEquals(EffectiveConfig.Source.FILE, e.value("PUNA_KEEP_ALIVE").source());
        assertEquals(dir.resolve("puna.conf") + ":5", e.value("PUNA_KEEP_ALIVE").where());
        assertEquals(EffectiveConfig.Source.DEFAULT, e.value("PUNA_MAX_LOADED_MODELS").source());
        assertEquals("3", e.value("PUNA_MAX_LOADED_MODELS").value());
    }

    @Test
    void describeListsEverySettingWithItsSource() throws IOException {
        ConfigFile f = file("PUNA_MAX_QUEUE=7\n");
        String text = EffectiveConfig.resolve(Map.of("PUNA_HOST", ":9000"), Map.of("PUNA_NUM_PARALLEL", "6"), f)
                .describe();
        String[] lines = text.split("\n");
        assertEquals(Settings.all().size(), lines.length, text);
        int column = lines[0].indexOf("# ");
        for (String line : lines) {
            assertEquals(column, line.indexOf("# "), "aligned: " + text);
        }
        assertTrue(lines[0].matches("PUNA_HOST=:9000 +# flag --host"), lines[0]);
        assertTrue(text.contains("\nPUNA_NUM_PARALLEL=6 "), text);
        assertTrue(text.matches("(?s).*\\nPUNA_NUM_PARALLEL=6 +# env\\n.*"), text);
        assertTrue(text.matches("(?s).*\\nPUNA_MAX_QUEUE=7 +# file " + java.util.regex.Pattern.quote(
                dir.resolve("puna.conf") + ":1") + "\\n.*"), text);
        assertTrue(text.matches("(?s).*\\nPUNA_KEEP_ALIVE=5m +# default\\n.*"), text);
    }

    @Test
    void everySettingHasAUniqueNameAndFlagAndHelp() {
        Set<String> flags = new HashSet<>();
        for (Setting s : Settings.all()) {
            assertTrue(flags.add(s.flag()), s.flag());
            assertTrue(!s.help().isBlank(), s.name());
            assertEquals(s, Settings.find(s.name()).orElseThrow());
        }
        assertEquals("--num-parallel", Settings.find("PUNA_NUM_PARALLEL").orElseThrow().flag());
        assertTrue(Settings.find("PUNA_NOPE").isEmpty());
    }

    @Test
    void everyDefaultThatIsAValueParsesToTheBuildersDefault() {
        ServerConfig defaults = ServerConfig.defaults();
        for (Setting s : Settings.all()) {
            if (s.defaultText().isEmpty() || s.defaultText().startsWith("(") || s.defaultText().startsWith("~")) {
                continue;
            }
            ServerConfig c = EffectiveConfig.resolve(Map.of(s.name(), s.defaultText()), Map.of(), ConfigFile.NONE)
                    .toServerConfig();
            assertEquals(defaults.toString(), c.toString(), s.name() + "=" + s.defaultText());
        }
    }

    @Test
    void anUnknownSettingInTheFileNamesItAndTheLine() throws IOException {
        ServerConfigException e = assertThrows(ServerConfigException.class,
                () -> file("PUNA_NUM_PARALLEL=2\nPUNA_NUM_PARALEL=3\n"));
        assertEquals("PUNA_NUM_PARALEL", e.setting());
        assertEquals("PUNA_NUM_PARALEL: unknown setting (in " + dir.resolve("puna.conf") + ", line 2)",
                e.getMessage());
        ServerConfigException lower = assertThrows(ServerConfigException.class, () -> file("host = 0.0.0.0\n"));
        assertEquals("host: unknown setting (in " + dir.resolve("puna.conf") + ", line 1)", lower.getMessage());
    }

    @Test
    void malformedLinesAndRepeatsStopStartup() throws IOException {
        ServerConfigException noEquals = assertThrows(ServerConfigException.class, () -> file("PUNA_HOST 0.0.0.0\n"));
        assertEquals("--config: '" + dir.resolve("puna.conf") + "', line 1: expected NAME=value, got 'PUNA_HOST "
                + "0.0.0.0'", noEquals.getMessage());
        ServerConfigException twice = assertThrows(ServerConfigException.class,
                () -> file("PUNA_HOST=a\n#\nPUNA_HOST=b\n"));
        assertEquals("PUNA_HOST: set twice (in " + dir.resolve("puna.conf") + ", lines 1 and 3)", twice.getMessage());
        Path missing = dir.resolve("missing.conf");
        ServerConfigException unreadable = assertThrows(ServerConfigException.class, () -> ConfigFile.read(missing));
        assertEquals("--config: cannot read '" + missing + "': java.nio.file.NoSuchFileException: " + missing,
                unreadable.getMessage());
    }

    @Test
    void aBadValueNamesTheSettingAndWhereItCameFrom() throws IOException {
        ConfigFile f = file("\nPUNA_NUM_PARALLEL=lots\nPUNA_MAX_QUEUE=0\n");
        ServerConfigException inFile = assertThrows(ServerConfigException.class,
                () -> EffectiveConfig.resolve(Map.of(), Map.of(), f).toServerConfig());
        assertEquals("PUNA_NUM_PARALLEL: invalid value 'lots' (in " + dir.resolve("puna.conf") + ":2): expected a "
                + "whole number", inFile.getMessage());
        ServerConfigException range = assertThrows(ServerConfigException.class,
                () -> EffectiveConfig.resolve(Map.of("PUNA_NUM_PARALLEL", "1"), Map.of(), f).toServerConfig());
        assertEquals("PUNA_MAX_QUEUE: must be between 1 and 1048576, got 0 (in " + dir.resolve("puna.conf") + ":3)",
                range.getMessage());
        ServerConfigException flag = assertThrows(ServerConfigException.class,
                () -> EffectiveConfig.resolve(Map.of("PUNA_KEEP_ALIVE", "soon"), Map.of(), ConfigFile.NONE)
                        .toServerConfig());
        assertTrue(flag.getMessage().startsWith("PUNA_KEEP_ALIVE: invalid value 'soon' (from --keep-alive): "),
                flag.getMessage());
    }

    @Test
    void theUserFileIsPreferredAndXdgConfigHomeIsHonoured() throws IOException {
        Path xdg = dir.resolve("xdg");
        assertEquals(xdg.resolve("puna/puna.conf"), ConfigFile.userFile(Map.of("XDG_CONFIG_HOME", xdg.toString())));
        assertEquals(Path.of("/home/u/.config/puna/puna.conf"), ConfigFile.userFile(Map.of("HOME", "/home/u",
                "XDG_CONFIG_HOME", "relative/ignored")));
        Files.createDirectories(xdg.resolve("puna"));
        Files.writeString(xdg.resolve("puna/puna.conf"), "PUNA_MAX_QUEUE=5\n");
        assertEquals(xdg.resolve("puna/puna.conf"),
                ConfigFile.locate(Map.of("XDG_CONFIG_HOME", xdg.toString())).orElseThrow());
    }
}
