package dev.puna.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code puna show MODEL}: what {@code /api/show} says, in Ollama's sections (Model, Capabilities, Parameters,
 * System, License); with {@code --modelfile}, {@code --parameters}, {@code --template}, {@code --system} or
 * {@code --license} just that field, verbatim.
 */
@Command(name = "show", mixinStandardHelpOptions = true, description = "Show information for a model.")
final class ShowCommand extends ClientCommand {
    @Parameters(paramLabel = "MODEL")
    String model;

    @Option(names = "--modelfile", description = "Show the Modelfile of the model")
    boolean modelfile;

    @Option(names = "--parameters", description = "Show the parameters of the model")
    boolean parameters;

    @Option(names = "--template", description = "Show the template of the model")
    boolean template;

    @Option(names = "--system", description = "Show the system prompt of the model")
    boolean system;

    @Option(names = "--license", description = "Show the license of the model")
    boolean license;

    @Override
    public Integer call() {
        int flags = (modelfile ? 1 : 0) + (parameters ? 1 : 0) + (template ? 1 : 0) + (system ? 1 : 0)
                + (license ? 1 : 0);
        if (flags > 1) {
            throw new CliException("only one of --modelfile, --parameters, --template, --system and --license");
        }
        JsonNode show = client().post("/api/show", Map.of("model", model));
        PrintWriter out = out();
        if (flags == 1) {
            String field = modelfile ? "modelfile" : parameters ? "parameters" : template ? "template"
                    : system ? "system" : "license";
            out.println(show.path(field).asText());
        } else {
            out.print(describe(show));
        }
        out.flush();
        return 0;
    }

    /** The sections, each a title indented 2 and rows indented 4, columns aligned within a section. */
    static String describe(JsonNode show) {
        StringBuilder sb = new StringBuilder();
        JsonNode details = show.path("details");
        JsonNode info = show.path("model_info");
        String arch = info.path("general.architecture").asText(details.path("family").asText());
        List<String[]> model = new ArrayList<>();
        model.add(new String[] {"architecture", arch});
        model.add(new String[] {"parameters", details.path("parameter_size").asText()});
        if (info.has(arch + ".context_length")) {
            model.add(new String[] {"context length", info.get(arch + ".context_length").asText()});
        }
        if (info.has(arch + ".embedding_length")) {
            model.add(new String[] {"embedding length", info.get(arch + ".embedding_length").asText()});
        }
        model.add(new String[] {"quantization", details.path("quantization_level").asText()});
        section(sb, "Model", model);
        List<String[]> caps = new ArrayList<>();
        show.path("capabilities").forEach(c -> caps.add(new String[] {c.asText()}));
        section(sb, "Capabilities", caps);
        List<String[]> params = new ArrayList<>();
        for (String line : show.path("parameters").asText().split("\n")) {
            String[] kv = line.strip().split("\\s+", 2);
            if (kv.length == 2) {
                params.add(kv);
            }
        }
        section(sb, "Parameters", params);
        section(sb, "System", text(show.path("system").asText(), 2));
        section(sb, "License", text(show.path("license").asText(), 2));
        return sb.toString();
    }

    /** The first {@code lines} lines of a text, then "..." when there is more. */
    private static List<String[]> text(String text, int lines) {
        List<String[]> out = new ArrayList<>();
        if (text.isBlank()) {
            return out;
        }
        String[] all = text.strip().split("\n");
        for (int i = 0; i < Math.min(lines, all.length); i++) {
            out.add(new String[] {all[i].strip()});
        }
        if (all.length > lines) {
            out.add(new String[] {"..."});
        }
        return out;
    }

    private static void section(StringBuilder sb, String title, List<String[]> rows) {
        if (rows.isEmpty()) {
            return;
        }
        sb.append("  ").append(title).append('\n');
        int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder("    ").append(r[0]);
            if (r.length > 1) {
                line.append(" ".repeat(width - r[0].length() + 4)).append(r[1]);
            }
            sb.append(line).append('\n');
        }
        sb.append('\n');
    }
}
