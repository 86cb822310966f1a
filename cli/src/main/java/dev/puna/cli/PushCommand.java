package dev.puna.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code puna push MODEL}: uploads a model to the registry its name's host names, with progress bars. */
@Command(name = "push", mixinStandardHelpOptions = true, description = "Push a model to a registry.")
final class PushCommand extends ClientCommand {
    @Parameters(paramLabel = "MODEL", description = "e.g. localhost:5000/me/tiny:latest")
    String model;

    @Option(names = "--insecure", description = "Use an insecure registry (plain HTTP)")
    boolean insecure;

    @Override
    public Integer call() {
        streamProgress("/api/push", Map.of("model", model, "insecure", insecure));
        return 0;
    }
}
