package dev.puna.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/**
 * Base of the commands that talk to a running server over HTTP ({@code pull}, {@code list}, {@code run}, ...), as
 * Ollama's CLI does: the server's address from {@code PUNA_HOST}, output through picocli's writers, and the
 * {@link CliEnvironment} {@link Main} hands each command.
 */
abstract class ClientCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Set by {@link Main}'s command factory. */
    CliEnvironment environment = CliEnvironment.system();

    /** Where {@link QuickCommands} sends output when it runs the command without picocli (then {@link #spec} is
     * null). */
    PrintWriter stdout;
    PrintWriter stderr;

    private ApiClient client;

    ApiClient client() {
        if (client == null) {
            client = ApiClient.fromEnvironment(environment.env());
        }
        return client;
    }

    PrintWriter out() {
        return spec == null ? stdout : spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec == null ? stderr : spec.commandLine().getErr();
    }

    /** Progress of pull, push and create goes to standard error, like Ollama's. */
    ProgressPrinter progress() {
        return new ProgressPrinter(err(), environment.terminalOutput());
    }

    /** Reads a progress stream from {@code path} into a {@link ProgressPrinter}. */
    void streamProgress(String path, Object body) {
        ProgressPrinter printer = progress();
        try {
            client().stream(path, body, printer::update);
        } finally {
            printer.finish();
        }
    }
}
