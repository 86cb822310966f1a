package dev.puna.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.store.ModelName;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code puna stop MODEL}: unloads a running model now ({@code keep_alive: 0}), as Ollama's {@code stop}. */
@Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop a running model.")
final class StopCommand extends ClientCommand {
    @Parameters(paramLabel = "MODEL")
    String model;

    @Override
    public Integer call() {
        String wanted = ModelName.parse(model).displayShortest();
        String running = null;
        for (JsonNode m : client().get("/api/ps").path("models")) {
            String name = m.path("name").asText();
            if (name.equalsIgnoreCase(wanted) || name.equalsIgnoreCase(model)) {
                running = name;
            }
        }
        if (running == null) {
            throw new CliException("couldn't find model \"" + model + "\" to stop");
        }
        client().post("/api/generate", Map.of("model", running, "keep_alive", 0));
        return 0;
    }
}
