package dev.puna.cli;

import java.io.InputStream;
import java.time.Clock;
import java.util.Map;

/**
 * What the commands read from outside picocli's arguments: environment variables ({@code PUNA_HOST}, ...), standard
 * input, whether input and output are terminals (interactive chat, redrawn progress bars), and the clock relative
 * times are shown against. Tests pass their own; {@link #system()} is the real one.
 *
 * @param env the environment variables
 * @param stdin standard input
 * @param interactiveInput whether standard input is a terminal (then {@code run} without a prompt chats)
 * @param terminalOutput whether output is a terminal (then progress bars are redrawn in place)
 * @param clock for "2 minutes ago" and "4 minutes from now"
 */
record CliEnvironment(Map<String, String> env, InputStream stdin, boolean interactiveInput, boolean terminalOutput,
                      Clock clock) {
    /** The process's environment; input and output count as terminals when the JVM has a console on both. */
    static CliEnvironment system() {
        java.io.Console console = System.console();
        boolean terminal = console != null && console.isTerminal();
        return new CliEnvironment(System.getenv(), System.in, terminal, terminal, Clock.systemUTC());
    }
}
