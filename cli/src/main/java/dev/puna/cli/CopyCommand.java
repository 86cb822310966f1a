package dev.puna.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code puna cp SOURCE DESTINATION}: copies a model under a new name (same blobs, same digest). */
@Command(name = "cp", mixinStandardHelpOptions = true, description = "Copy a model.")
final class CopyCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "SOURCE")
    String source;

    @Parameters(index = "1", paramLabel = "DESTINATION")
    String destination;

    @Override
    public Integer call() {
        client().call("POST", "/api/copy", Map.of("source", source, "destination", destination));
        out().println("copied '" + source + "' to '" + destination + "'");
        return 0;
    }
}
