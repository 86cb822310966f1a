package dev.puna.cli;

import dev.puna.store.CreateRequest;
import dev.puna.store.Digest;
import dev.puna.store.Message;
import dev.puna.store.Modelfile;
import dev.puna.store.ModelfileException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code puna create MODEL -f Modelfile}: parses the Modelfile here (the store's parser, Ollama's rules), uploads
 * the local files its {@code FROM} and {@code ADAPTER} lines name as blobs (skipping those the server has,
 * {@code HEAD /api/blobs}), then sends {@code POST /api/create} and shows its progress, as Ollama's CLI does.
 */
@Command(name = "create", mixinStandardHelpOptions = true, description = "Create a model from a Modelfile.")
final class CreateCommand extends ClientCommand {
    @Parameters(paramLabel = "MODEL", description = "The name of the model to create")
    String model;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "The Modelfile (default: ./Modelfile)")
    Path file;

    @Option(names = {"-q", "--quantize"}, paramLabel = "TYPE", description = "Quantize the model: q4_0, q4_1, "
            + "q5_0, q5_1, q8_0, q2_K, q3_K_S, q3_K_M, q3_K_L, q4_K_S, q4_K_M, q5_K_S, q5_K_M or q6_K (the model must "
            + "be F32, F16 or BF16)")
    String quantize;

    @Override
    public Integer call() throws IOException {
        Path path = (file != null ? file : Path.of("Modelfile")).toAbsolutePath();
        String text;
        try {
            text = Files.readString(path);
        } catch (NoSuchFileException e) {
            throw new CliException("no Modelfile at " + path + (file == null ? "; give one with -f" : ""));
        }
        ProgressPrinter printer = progress();
        try {
            CreateRequest request;
            try {
                request = Modelfile.parse(text).toCreateRequest(model, path.getParent(), f -> upload(f, printer));
            } catch (ModelfileException e) {
                throw new CliException(path.getFileName() + " " + e.getMessage(), e);
            }
            client().stream("/api/create", json(request), printer::update);
        } finally {
            printer.finish();
        }
        return 0;
    }

    /** Uploads {@code f} unless the server has it; reports {@code copying file sha256:...} with its size. */
    private Digest upload(Path f, ProgressPrinter printer) throws IOException {
        long size = Files.size(f);
        Digest digest = sha256(f);
        String status = "copying file " + digest;
        printer.update(ApiClient.JSON.createObjectNode().put("status", status).put("total", size)
                .put("completed", 0));
        String blob = "/api/blobs/" + digest;
        if (!client().exists(blob)) {
            client().upload(blob, f);
        }
        printer.update(ApiClient.JSON.createObjectNode().put("status", status).put("total", size)
                .put("completed", size));
        return digest;
    }

    private static Digest sha256(Path f) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(f)) {
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                md.update(buf, 0, n);
            }
        }
        return Digest.of(md.digest());
    }

    /** The {@code /api/create} body, Ollama's field names. */
    private Map<String, Object> json(CreateRequest r) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", r.model());
        if (r.from() != null) {
            o.put("from", r.from());
        }
        if (!r.files().isEmpty()) {
            o.put("files", digests(r.files()));
        }
        if (!r.adapters().isEmpty()) {
            o.put("adapters", digests(r.adapters()));
        }
        if (r.template() != null) {
            o.put("template", r.template());
        }
        if (r.system() != null) {
            o.put("system", r.system());
        }
        if (!r.license().isEmpty()) {
            o.put("license", r.license());
        }
        if (!r.parameters().isEmpty()) {
            o.put("parameters", r.parameters());
        }
        if (!r.messages().isEmpty()) {
            List<Map<String, String>> messages = new ArrayList<>();
            for (Message m : r.messages()) {
                messages.add(Map.of("role", m.role(), "content", m.content()));
            }
            o.put("messages", messages);
        }
        if (quantize != null) {
            o.put("quantize", quantize);
        }
        return o;
    }

    private static Map<String, String> digests(Map<String, Digest> blobs) {
        Map<String, String> out = new LinkedHashMap<>();
        blobs.forEach((name, digest) -> out.put(name, digest.toString()));
        return out;
    }
}
