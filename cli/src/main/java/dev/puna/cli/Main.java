package dev.puna.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code puna} command: {@code serve} runs the server; {@code pull}, {@code push},
 * {@code create}, {@code list}, {@code show}, {@code cp}, {@code rm}, {@code ps}, {@code stop} and {@code run} talk
 * to a running server over HTTP, as Ollama's CLI does; {@code generate} runs a GGUF file in-process.
 *
 * <p>A client command must answer like a native tool, so {@link #main} builds only the part of the command tree the
 * arguments name: picocli reflects over every command it is given (and {@code serve}'s options come from the
 * server's settings registry, its class starts Log4j), which for the whole tree loads the server's classes. The
 * whole tree is built for the top-level help and for anything that names no subcommand. The plainest client
 * commands skip picocli altogether ({@link QuickCommands}).
 */
@Command(name = "puna", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Run large language models locally (llama.cpp inside the JVM).")
public final class Main implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        LogSetup.early(System.getenv());
        int exit = run(args);
        // A quick command that succeeded just returns: System.exit logs through System.Logger (JDK 21+), whose
        // first use looks for a LoggerFinder in every jar of the class path, tens of milliseconds for nothing.
        if (exit != 0 || QuickCommands.parse(args) == null && !QuickCommands.version(args)) {
            System.exit(exit);
        }
    }

    /** Runs the CLI and returns the exit code (0 success, 1 runtime failure, 2 usage error). */
    static int run(String... args) {
        java.nio.charset.Charset utf8 = java.nio.charset.StandardCharsets.UTF_8;
        java.io.PrintWriter out = new java.io.PrintWriter(new java.io.OutputStreamWriter(System.out, utf8), true);
        java.io.PrintWriter err = new java.io.PrintWriter(new java.io.OutputStreamWriter(System.err, utf8), true);
        Integer quick = QuickCommands.run(CliEnvironment::system, out, err, args);
        if (quick != null) {
            return quick;
        }
        return commandLine(CliEnvironment.system(), args).setOut(out).setErr(err).execute(args);
    }

    /** The whole command tree with Puna's error handling, reading this process's environment. */
    static CommandLine commandLine() {
        return commandLine(CliEnvironment.system());
    }

    /** The whole command tree with every command reading {@code environment}; tests pass their own and redirect
     * output. */
    static CommandLine commandLine(CliEnvironment environment) {
        CommandLine cl = root(environment);
        for (Class<?> c : subcommands()) {
            cl.addSubcommand(c);
        }
        return cl;
    }

    /**
     * The command tree {@code args} need: the root and the one subcommand their first word names; the root alone
     * for {@code --version}; else the whole tree (help, usage errors and their suggestions).
     */
    static CommandLine commandLine(CliEnvironment environment, String... args) {
        Class<?> named = args.length == 0 ? null : subcommand(args[0]);
        if (named != null) {
            return root(environment).addSubcommand(named);
        }
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            return root(environment);
        }
        return commandLine(environment);
    }

    /** Every subcommand, in the order the help lists them; {@link #subcommand} maps their names to them. */
    static List<Class<?>> subcommands() {
        return List.of(ServeCommand.class, RunCommand.class, PullCommand.class, PushCommand.class,
                CreateCommand.class, ListCommand.class, ShowCommand.class, CopyCommand.class, RemoveCommand.class,
                PsCommand.class, StopCommand.class, GenerateCommand.class, RpcServerCommand.class);
    }

    /**
     * The subcommand {@code name} (or an alias) names, null for none. A switch of class literals rather than a
     * look at each class's {@code @Command}: reading an annotation loads the class, and loading {@code serve}'s
     * links the server. {@code MainTest} checks it against the annotations.
     */
    static Class<?> subcommand(String name) {
        return switch (name) {
            case "serve" -> ServeCommand.class;
            case "run" -> RunCommand.class;
            case "pull" -> PullCommand.class;
            case "push" -> PushCommand.class;
            case "create" -> CreateCommand.class;
            case "list", "ls" -> ListCommand.class;
            case "show" -> ShowCommand.class;
            case "cp" -> CopyCommand.class;
            case "rm" -> RemoveCommand.class;
            case "ps" -> PsCommand.class;
            case "stop" -> StopCommand.class;
            case "generate" -> GenerateCommand.class;
            case "rpc-server" -> RpcServerCommand.class;
            default -> null;
        };
    }

    private static CommandLine root(CliEnvironment environment) {
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
