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

    /** {@code 100% CPU}, {@code 100% GPU}, or the split, {@code 48%/52% CPU/GPU}. */
    static String processor(long size, long vram) {
        if (vram <= 0 || size <= 0) {
            return "100% CPU";
        }
        if (vram >= size) {
            return "100% GPU";
        }
        long gpu = Math.round(vram * 100.0 / size);
        return (100 - gpu) + "%/" + gpu + "% CPU/GPU";
    }
}
