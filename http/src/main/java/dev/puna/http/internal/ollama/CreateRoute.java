package dev.puna.http.internal.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.PromptTemplates;
import dev.puna.http.internal.RequestLog;
import dev.puna.http.internal.ServerContext;
import dev.puna.store.BlobNotFoundException;
import dev.puna.store.CreateRequest;
import dev.puna.store.Digest;
import dev.puna.store.ModelStore;
import dev.puna.store.Modelfile;
import dev.puna.store.QuantizationType;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /api/create}, Ollama's fields: {@code model} (or the deprecated {@code name}), {@code from} or
 * {@code files} ({@code {"model.gguf": "sha256:..."}}, blobs uploaded with {@code POST /api/blobs}),
 * {@code adapters}, {@code template}, {@code system}, {@code license} (a string or strings), {@code parameters},
 * {@code messages}, {@code quantize} (see {@link QuantizationType}; also the deprecated {@code quantization}) and
 * {@code stream}; or, as older clients send it, {@code modelfile}: a Modelfile's text. Streams the store's statuses ({@code parsing GGUF},
 * {@code quantizing F16 model to Q8_0}, {@code using existing layer ...}/{@code creating new layer ...},
 * {@code writing manifest}, {@code success}).
 *
 * <p>Everything that can be checked before work starts is, so that bad input gets its own status rather than an
 * error line after a 200: field types, names, the quantization type, file names, and that every named blob was
 * uploaded. A client that disconnects stops the create; the store keeps the old model, if any.
 */
final class CreateRoute implements Handler<RoutingContext> {
    private final ServerContext sc;

    CreateRoute(ServerContext sc) {
        this.sc = sc;
    }

    @Override
    public void handle(RoutingContext rc) {
        JsonBody body = JsonBody.parse(rc.body().buffer());
        boolean stream = OllamaFields.stream(body);
        CreateRequest request = read(body);
        RequestLog.model(rc, request.model());
        ProgressStream.start(sc, rc, stream, "create", listener -> {
            ModelStore store = sc.store().store();
            if (request.from() == null) {
                // The store reports "parsing GGUF" before it looks for the files: check them first. (From a
                // model, it checks adapters before reporting anything.)
                requireUploaded(store, request.files());
                requireUploaded(store, request.adapters());
            }
            store.create(request, listener);
        });
    }

    private static CreateRequest read(JsonBody body) {
        String model = StoreFields.model(body);
        String modelfile = body.string("modelfile");
        if (modelfile != null && !modelfile.isEmpty()) {
            return fromModelfile(body, model, modelfile);
        }
        CreateRequest.Builder b = CreateRequest.builder(model);
        String from = body.string("from");
        if (from != null && !from.isEmpty()) {
            b.from(StoreFields.name("from", from));
        }
        blobs(body, "files").forEach(b::file);
        blobs(body, "adapters").forEach(b::adapter);
        String template = body.string("template");
        if (template != null) {
            checkTemplate(template);
            b.template(template);
        }
        String system = body.string("system");
        if (system != null) {
            b.system(system);
        }
        license(body).forEach(b::license);
        ObjectNode parameters = body.object("parameters");
        if (parameters != null) {
            parameters.properties().forEach(e -> b.parameter(e.getKey(), parameter(e.getKey(), e.getValue())));
        }
        messages(body, b);
        b.quantize(quantize(body));
        return b.build();
    }

    /** {@code quantize} (or the deprecated {@code quantization}), or null: 400 for an unknown type before work. */
    private static String quantize(JsonBody body) {
        String quantize = body.string("quantize");
        if (quantize == null || quantize.isEmpty()) {
            quantize = body.string("quantization");
        }
        if (quantize == null || quantize.isEmpty()) {
            return null;
        }
        QuantizationType.parse(quantize);
        return quantize;
    }

    /**
     * The legacy form older Ollama clients send: the Modelfile's text, parsed like {@code puna create -f} (a
     * {@code ModelfileException} naming the line is a 400). Only {@code quantize} and {@code stream} may come
     * with it: the structured fields would say the same things twice.
     */
    private static CreateRequest fromModelfile(JsonBody body, String model, String modelfile) {
        for (String field : List.of("from", "files", "adapters", "template", "system", "license", "parameters",
                "messages")) {
            if (body.raw(field) != null && !body.raw(field).isNull()) {
                throw ApiException.badParameter(field, "give either \"modelfile\" or \"" + field + "\", not both");
            }
        }
        CreateRequest p = Modelfile.parse(modelfile).toCreateRequest(model);
        if (p.template() != null) {
            checkTemplate(p.template());
        }
        return new CreateRequest(p.model(), p.from(), p.files(), p.adapters(), p.template(), p.system(),
                p.license(), p.parameters(), p.messages(), quantize(body));
    }

    /**
     * A TEMPLATE the server could not run is refused now, naming the construct, rather than stored and failing
     * (or worse, ignored) when the model is used.
     */
    private static void checkTemplate(String template) {
        if (!template.isEmpty()) {
            PromptTemplates.parse("template", template);
        }
    }

    /** {@code files} or {@code adapters}: file names (not paths) to blob digests. */
    private static Map<String, Digest> blobs(JsonBody body, String field) {
        ObjectNode node = body.object(field);
        Map<String, Digest> out = new LinkedHashMap<>();
        if (node == null) {
            return out;
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String name = e.getKey();
            String at = field + "." + name;
            if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/") || name.contains("\\")
                    || name.chars().anyMatch(c -> c < 0x20)) {
                throw ApiException.badParameter(field, "invalid file name " + OllamaJson.write(name) + " in \""
                        + field + "\": a file name without directories is expected");
            }
            if (!e.getValue().isTextual()) {
                throw ApiException.badParameter(at, "invalid value for \"" + at + "\": expected a digest string "
                        + "such as \"sha256:<64 hex digits>\", got " + JsonBody.describe(e.getValue()));
            }
            out.put(name, Digest.parse(e.getValue().textValue()));
        }
        return out;
    }

    private static List<String> license(JsonBody body) {
        JsonNode v = body.raw("license");
        if (v == null) {
            return List.of();
        }
        if (v.isTextual()) {
            return List.of(v.textValue());
        }
        if (v.isArray()) {
            return body.strings("license");
        }
        throw ApiException.badParameter("license", "invalid value for \"license\": expected a string or an array of "
                + "strings, got " + JsonBody.describe(v));
    }

    /** A parameter value as the store takes it: String, Long, Double, Boolean or a list of strings. */
    private static Object parameter(String name, JsonNode v) {
        String at = "parameters." + name;
        if (v.isTextual()) {
            return v.textValue();
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return v.longValue();
        }
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isArray()) {
            List<String> values = new ArrayList<>();
            for (int i = 0; i < v.size(); i++) {
                if (!v.get(i).isTextual()) {
                    throw ApiException.badParameter(at, "invalid value for \"" + at + "[" + i + "]\": expected a "
                            + "string, got " + JsonBody.describe(v.get(i)));
                }
                values.add(v.get(i).textValue());
            }
            return values;
        }
        throw ApiException.badParameter(at, "invalid value for \"" + at + "\": expected a string, number, boolean "
                + "or array of strings, got " + JsonBody.describe(v));
    }

    private static void messages(JsonBody body, CreateRequest.Builder b) {
        ArrayNode messages = body.array("messages");
        if (messages == null) {
            return;
        }
        for (int i = 0; i < messages.size(); i++) {
            String path = "messages[" + i + "]";
            JsonNode node = messages.get(i);
            if (!node.isObject()) {
                throw ApiException.badParameter(path, "invalid value for \"" + path + "\": expected an object, got "
                        + JsonBody.describe(node));
            }
            JsonBody m = JsonBody.of((ObjectNode) node, path);
            String role = m.string("role");
            if (role == null || role.isBlank()) {
                throw ApiException.badParameter(path + ".role", path + ".role is required");
            }
            String content = m.string("content");
            b.message(role, content == null ? "" : content);
        }
    }

    /** Runs on a store thread before the create starts, so a missing upload is a 400 of its own. */
    private static void requireUploaded(ModelStore store, Map<String, Digest> blobs) {
        blobs.forEach((name, digest) -> {
            if (!store.hasBlob(digest)) {
                throw new BlobNotFoundException(digest, name);
            }
        });
    }
}
