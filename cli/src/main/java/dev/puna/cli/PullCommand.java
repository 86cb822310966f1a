package dev.puna.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code puna pull MODEL}: downloads a model from its registry through the server, with progress bars. */
@Command(name = "pull", mixinStandardHelpOptions = true, description = "Pull a model from a registry.")
final class PullCommand extends ClientCommand {
    @Parameters(paramLabel = "MODEL", description = "e.g. llama3.2, localhost:5000/me/tiny:q8, hf.co/user/repo:Q4_K_M")
    String model;

    @Option(names = "--insecure", description = "Use an insecure registry (plain HTTP)")
    boolean insecure;

    @Override
    public Integer call() {
        streamProgress("/api/pull", Map.of("model", model, "insecure", insecure));
        return 0;
    }
}
