package dev.puna.cli;

import java.io.PrintWriter;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The commands a user types most and expects at once ({@code puna --version}, {@code list}, {@code ps},
 * {@code show MODEL}), run without picocli when their arguments are in the plain form: picocli's jar is Java 5
 * bytecode, which the JDK's AOT cache cannot hold, and building even one command's model by reflection costs more
 * than the JVM's own start. Anything else (help, a misspelt option, an {@code @file}, {@code --}) returns null and
 * goes to picocli, so usage errors still read as picocli writes them. {@code QuickCommandsTest} checks that both
 * paths print the same.
 */
final class QuickCommands {
    private static final Set<String> SHOW_FLAGS = Set.of("--modelfile", "--parameters", "--template", "--system",
            "--license");

    private QuickCommands() {
    }

    /**
     * Runs {@code args} if they are a plain quick command and returns the exit code, else returns null.
     *
     * @param environment asked only for a client command (the version line needs none)
     */
    static Integer run(Supplier<CliEnvironment> environment, PrintWriter out, PrintWriter err, String... args) {
        if (version(args)) {
            out.println(new VersionProvider().getVersion()[0]);
            out.flush();
            return 0;
        }
        ClientCommand command = parse(args);
        if (command == null) {
            return null;
        }
        command.environment = environment.get();
        command.stdout = out;
        command.stderr = err;
        try {
            return command.call();
        } catch (Exception e) {
            return ErrorHandler.report(e, err);
        }
    }

    /** Whether {@code args} ask for the version line alone. */
    static boolean version(String... args) {
        return args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"));
    }

    /** The command {@code args} spell in the plain form, or null. */
    static ClientCommand parse(String... args) {
        if (args.length == 0) {
            return null;
        }
        switch (args[0]) {
            case "list", "ls" -> {
                return args.length == 1 ? new ListCommand() : null;
            }
            case "ps" -> {
                return args.length == 1 ? new PsCommand() : null;
            }
            case "show" -> {
                return show(args);
            }
            default -> {
                return null;
            }
        }
    }

    /** {@code show MODEL} with at most one of each flag, in any order; null for any other form. */
    private static ShowCommand show(String... args) {
        ShowCommand show = new ShowCommand();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (SHOW_FLAGS.contains(a)) {
                boolean repeated = switch (a) {
                    case "--modelfile" -> show.modelfile;
                    case "--parameters" -> show.parameters;
                    case "--template" -> show.template;
                    case "--system" -> show.system;
                    default -> show.license;
                };
                if (repeated) {
                    return null; // picocli's "option should be specified only once"
                }
                switch (a) {
                    case "--modelfile" -> show.modelfile = true;
                    case "--parameters" -> show.parameters = true;
                    case "--template" -> show.template = true;
                    case "--system" -> show.system = true;
                    default -> show.license = true;
                }
            } else if (a.isEmpty() || a.startsWith("-") || a.startsWith("@") || show.model != null) {
                return null;
            } else {
                show.model = a;
            }
        }
        return show.model == null ? null : show;
    }
}
