package dev.puna.cli;

import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code puna rm MODEL...}: deletes models (the server unloads them if loaded); stops at the first error. */
@Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove one or more models.")
final class RemoveCommand extends ClientCommand {
    @Parameters(paramLabel = "MODEL", arity = "1..*")
    List<String> models;

    @Override
    public Integer call() {
        for (String model : models) {
            client().call("DELETE", "/api/delete", Map.of("model", model));
            out().println("deleted '" + model + "'");
        }
        return 0;
    }
}
