package dev.puna.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import picocli.CommandLine.Command;

/**
 * {@code puna ps}: the loaded models as a table, NAME ID SIZE PROCESSOR CONTEXT UNTIL, like Ollama's (UNTIL is when
 * the keep-alive unloads the model, {@code Forever} when it never does).
 */
@Command(name = "ps", mixinStandardHelpOptions = true, description = "List running models.")
final class PsCommand extends ClientCommand {
    @Override
    public Integer call() {
        Table table = new Table("NAME", "ID", "SIZE", "PROCESSOR", "CONTEXT", "UNTIL");
        Instant now = environment.clock().instant();
        for (JsonNode m : client().get("/api/ps").path("models")) {
            long size = m.path("size").asLong();
            Instant expires = OffsetDateTime.parse(m.path("expires_at").asText()).toInstant();
            table.row(m.path("name").asText(), ListCommand.shortId(m.path("digest").asText()),
                    HumanFormat.bytes(size), processor(size, m.path("size_vram").asLong()),
                    m.path("context_length").asText(),
                    expires.isBefore(now) ? "Stopping..." : HumanFormat.time(expires, now));
        }
        out().print(table.render());
        out().flush();
        return 0;
    }

    /**
     * The PROCESSOR column as Ollama's {@code ollama ps} writes it (cmd/cmd.go): {@code 100% CPU} with nothing in
     * VRAM, {@code 100% GPU} when all of it is, {@code Unknown} for figures that cannot be (VRAM above the size, or no
     * size), else the CPU share rounded half away from zero (Go's {@code math.Round}) and the GPU share as the rest:
     * {@code 48%/52% CPU/GPU}.
     */
    static String processor(long size, long vram) {
        if (vram == 0) {
            return "100% CPU";
        }
        if (vram == size) {
            return "100% GPU";
        }
        if (vram > size || size == 0) {
            return "Unknown";
        }
        // shares are in [0, 100], so Math.round (half up) equals Go's half-away-from-zero here
        long cpu = Math.round((double) (size - vram) / size * 100);
        return cpu + "%/" + (100 - cpu) + "% CPU/GPU";
    }
}
