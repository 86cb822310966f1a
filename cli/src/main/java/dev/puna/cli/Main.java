package dev.puna.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code puna} command: {@code serve} runs the server; {@code pull}, {@code push},
 * {@code create}, {@code list}, {@code show}, {@code cp}, {@code rm}, {@code ps}, {@code stop} and {@code run} talk
 * to a running server over HTTP, as Ollama's CLI does; {@code generate} runs a GGUF file in-process.
 */
@Command(name = "puna", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Run large language models locally (llama.cpp inside the JVM).",
        subcommands = {ServeCommand.class, RunCommand.class, PullCommand.class, PushCommand.class,
                CreateCommand.class, ListCommand.class, ShowCommand.class, CopyCommand.class, RemoveCommand.class,
                PsCommand.class, StopCommand.class, GenerateCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        LogSetup.early(System.getenv());
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

    /** The command tree with Puna's error handling, reading this process's environment. */
    static CommandLine commandLine() {
        return commandLine(CliEnvironment.system());
    }

    /** The command tree with every command reading {@code environment}; tests pass their own and redirect output. */
    static CommandLine commandLine(CliEnvironment environment) {
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                K command = defaults.create(type);
                if (command instanceof ClientCommand c) {
                    c.environment = environment;
                } else if (command instanceof ServeCommand s) {
                    s.environment = environment::env;
                }
                return command;
            }
        };
        return new CommandLine(new Main(), factory).setExecutionExceptionHandler(new ErrorHandler());
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }
}
