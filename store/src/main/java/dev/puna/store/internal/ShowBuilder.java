package dev.puna.store.internal;

import dev.puna.store.Capability;
import dev.puna.store.CorruptModelException;
import dev.puna.store.Message;
import dev.puna.store.Modelfile;
import dev.puna.store.Modelfile.Command;
import dev.puna.store.Modelfile.Keyword;
import dev.puna.store.ResolvedModel;
import dev.puna.store.ShowResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** Builds {@code /api/show}'s answer for a stored model. Stateless. */
public final class ShowBuilder {
    private static final Pattern TOOLS = Pattern.compile("\\btools\\b|\\.Tools\\b");
    private static final Pattern GO_SUFFIX = Pattern.compile("\\.Suffix\\b");

    private ShowBuilder() {
    }

    /** The show result of {@code model}. */
    public static ShowResult build(StoredModel model, boolean verbose) {
        ResolvedModel r = Catalog.resolve(model);
        GgufFacts facts = facts(r.modelPath());
        String template = r.template() != null ? r.template()
                : facts.chatTemplate() != null ? facts.chatTemplate() : "";
        Map<String, Object> projectorInfo = r.projectorPaths().isEmpty() ? Map.of()
                : facts(r.projectorPaths().getFirst()).modelInfo(verbose);
        return new ShowResult(String.join("\n", r.license()), modelfile(r), parameters(r.parameters()), template,
                r.system() == null ? "" : r.system(), r.details(), facts.modelInfo(verbose), projectorInfo,
                capabilities(facts, template, !r.projectorPaths().isEmpty()), r.messages(), r.modifiedAt());
    }

    private static GgufFacts facts(Path path) {
        try {
            return GgufFacts.read(path);
        } catch (IOException e) {
            throw new CorruptModelException("cannot read the GGUF header of " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Ollama's capability rules, with insert also granted by the vocabulary's FIM tokens (Puna fills in the middle
     * with them): embedding (a pooling type) or completion; vision from the model's own encoder; tools when the
     * template mentions tools; insert; vision from a projector layer.
     */
    static List<Capability> capabilities(GgufFacts facts, String template, boolean hasProjector) {
        List<Capability> caps = new ArrayList<>();
        caps.add(facts.isEmbedding() ? Capability.EMBEDDING : Capability.COMPLETION);
        if (facts.hasVision()) {
            caps.add(Capability.VISION);
        }
        if (TOOLS.matcher(template).find()) {
            caps.add(Capability.TOOLS);
        }
        if (facts.hasFim() || GO_SUFFIX.matcher(template).find()) {
            caps.add(Capability.INSERT);
        }
        if (hasProjector && !caps.contains(Capability.VISION)) {
            caps.add(Capability.VISION);
        }
        return caps;
    }

    /** The {@code parameters} text: one {@code %-30s %#v} line per value, as Ollama formats it. */
    static String parameters(Map<String, Object> params) {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, Object> e : params.entrySet()) {
            List<?> values = e.getValue() instanceof List<?> list ? list : List.of(e.getValue());
            for (Object v : values) {
                lines.add(String.format(Locale.ROOT, "%-30s %s", e.getKey(), Parameters.formatGoSyntax(v)));
            }
        }
        return String.join("\n", lines);
    }

    /** A Modelfile that recreates the model, with Ollama's header; FROM names the model blob (then each projector's). */
    static String modelfile(ResolvedModel r) {
        List<Command> commands = new ArrayList<>();
        commands.add(Command.of(Keyword.FROM, null, r.modelPath().toString()));
        for (Path adapter : r.adapterPaths()) {
            commands.add(Command.of(Keyword.ADAPTER, null, adapter.toString()));
        }
        // Ollama writes a projector as a second FROM, after the adapters; creating from it detects the type again.
        for (Path projector : r.projectorPaths()) {
            commands.add(Command.of(Keyword.FROM, null, projector.toString()));
        }
        if (r.template() != null) {
            commands.add(Command.of(Keyword.TEMPLATE, null, r.template()));
        }
        if (r.system() != null && !r.system().isEmpty()) {
            commands.add(Command.of(Keyword.SYSTEM, null, r.system()));
        }
        for (Map.Entry<String, Object> e : r.parameters().entrySet()) {
            List<?> values = e.getValue() instanceof List<?> list ? list : List.of(e.getValue());
            for (Object v : values) {
                commands.add(Command.of(Keyword.PARAMETER, e.getKey(), Parameters.formatPlain(v)));
            }
        }
        for (String license : r.license()) {
            commands.add(Command.of(Keyword.LICENSE, null, license));
        }
        for (Message m : r.messages()) {
            commands.add(Command.of(Keyword.MESSAGE, m.role(), m.content()));
        }
        return "# Modelfile generated by \"puna show\"\n"
                + "# To build a new Modelfile based on this, replace FROM with:\n"
                + "# FROM " + r.name().displayShortest() + "\n\n"
                + Modelfile.of(commands).render();
    }
}
