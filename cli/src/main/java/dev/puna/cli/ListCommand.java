package dev.puna.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import picocli.CommandLine.Command;

/** {@code puna list} ({@code ls}): the server's models as a table, NAME ID SIZE MODIFIED, like Ollama's. */
@Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List models.")
final class ListCommand extends ClientCommand {
    @Override
    public Integer call() {
        Table table = new Table("NAME", "ID", "SIZE", "MODIFIED");
        for (JsonNode m : client().get("/api/tags").path("models")) {
            table.row(m.path("name").asText(), shortId(m.path("digest").asText()),
                    HumanFormat.bytes(m.path("size").asLong()),
                    HumanFormat.time(OffsetDateTime.parse(m.path("modified_at").asText()).toInstant(),
                            environment.clock().instant()));
        }
        out().print(table.render());
        out().flush();
        return 0;
    }

    /** Ollama's ID column: the first 12 hex digits of the manifest digest. */
    static String shortId(String digest) {
        String hex = digest.startsWith("sha256:") ? digest.substring(7) : digest;
        return hex.length() > 12 ? hex.substring(0, 12) : hex;
    }
}
