package dev.puna.cli;

import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The training run of the client AOT cache ({@code scripts/aot-cache.sh}, JDK 25's {@code -XX:AOTCacheOutput}):
 * the quick commands ({@link QuickCommands}), once each, against the server at {@code PUNA_HOST} that serves the
 * model named by the first argument, so that the JDK records the classes they load and link. Their output is
 * discarded; a failure is printed and exits 1, since a cache trained on an error path would miss the real one.
 */
final class AotTraining {
    private AotTraining() {
    }

    public static void main(String[] args) {
        String model = args[0];
        PrintWriter sink = new PrintWriter(OutputStream.nullOutputStream());
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        List<String[]> commands = List.of(new String[] {"--version"}, new String[] {"list"}, new String[] {"ps"},
                new String[] {"show", model}, new String[] {"show", model, "--modelfile"});
        for (String[] command : commands) {
            Integer exit = QuickCommands.run(CliEnvironment::system, sink, err, command);
            if (exit == null || exit != 0) {
                err.println("AOT training: 'puna " + String.join(" ", command) + "' failed");
                System.exit(1);
            }
        }
    }
}
