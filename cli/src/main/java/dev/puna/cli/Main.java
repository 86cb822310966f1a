package dev.puna.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code puna} command; subcommands are added as they are implemented. */
@Command(name = "puna", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Run large language models locally (llama.cpp inside the JVM).",
        subcommands = {GenerateCommand.class, ServeCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (0 success, 1 runtime failure, 2 usage error). */
    static int run(String... args) {
        java.nio.charset.Charset utf8 = java.nio.charset.StandardCharsets.UTF_8;
        return commandLine()
                .setOut(new java.io.PrintWriter(new java.io.OutputStreamWriter(System.out, utf8), true))
                .setErr(new java.io.PrintWriter(new java.io.OutputStreamWriter(System.err, utf8), true))
                .execute(args);
    }

    /** The command tree with Puna's error handling; tests redirect its output. */
    static CommandLine commandLine() {
        return new CommandLine(new Main()).setExecutionExceptionHandler(new ErrorHandler());
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }
}
