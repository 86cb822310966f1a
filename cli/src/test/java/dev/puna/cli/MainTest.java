package dev.puna.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@link Main} builds only the subcommand the arguments name, found by a table that must match the annotations. */
class MainTest {
    @Test
    void theNameTableMatchesEverySubcommandsAnnotation() {
        Map<String, Class<?>> annotated = new LinkedHashMap<>();
        for (Class<?> c : Main.subcommands()) {
            Command command = c.getAnnotation(Command.class);
            annotated.put(command.name(), c);
            for (String alias : command.aliases()) {
                annotated.put(alias, c);
            }
        }
        annotated.forEach((name, c) -> assertEquals(c, Main.subcommand(name), name));
        // The whole tree knows no name the table lacks (its keys include the aliases).
        assertEquals(annotated.keySet(), Main.commandLine(CliEnvironment.system()).getSubcommands().keySet());
        assertNull(Main.subcommand("lst"));
        assertNull(Main.subcommand("--help"));
    }

    @Test
    void aSubcommandGetsATreeOfItsOwnAndEverythingElseTheWholeOne() {
        CliEnvironment env = CliEnvironment.system();
        assertEquals(List.of("list", "ls"), names(Main.commandLine(env, "ls", "--help")));
        assertEquals(List.of("show"), names(Main.commandLine(env, "show", "x")));
        assertEquals(List.of(), names(Main.commandLine(env, "--version")));
        List<String> whole = names(Main.commandLine(env));
        assertEquals(14, whole.size(), whole::toString);
        assertEquals(whole, names(Main.commandLine(env, "--help")));
        assertEquals(whole, names(Main.commandLine(env, "lst")));
    }

    private static List<String> names(CommandLine cl) {
        return new ArrayList<>(cl.getSubcommands().keySet());
    }
}
