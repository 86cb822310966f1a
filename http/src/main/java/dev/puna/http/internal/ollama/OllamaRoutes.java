package dev.puna.http.internal.ollama;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.CatalogModel;
import dev.puna.http.PunaVersion;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.ErrorRenderer;
import dev.puna.http.internal.GgufFacts;
import dev.puna.http.internal.Guard;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.ModelNames;
import dev.puna.http.internal.ModelScheduler;
import dev.puna.http.internal.RequestLog;
import dev.puna.http.internal.Responses;
import dev.puna.http.internal.RouteFamily;
import dev.puna.http.internal.ServerContext;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Ollama's API: {@code GET|HEAD /}, {@code /api/version}, {@code /api/generate}, {@code /api/chat},
 * {@code /api/embed}, {@code /api/embeddings}, {@code /api/tokenize}, {@code /api/detokenize} ({@link TokenizeRoutes}),
 * {@code /api/tags}, {@code /api/show}, {@code /api/ps}, and the
 * model-management routes over the store: {@code /api/pull}, {@code /api/push}, {@code /api/create},
 * {@code HEAD|POST /api/blobs/:digest}, {@code /api/copy}, {@code DELETE /api/delete}. Owns every path no other
 * family claims, so unknown routes get Ollama's error format.
 */
public final class OllamaRoutes implements RouteFamily {
    /** Reported by {@code /api/version}: the version the build stamped. */
    public static final String VERSION = PunaVersion.current();

    private final ServerContext sc;

    public OllamaRoutes(ServerContext sc) {
        this.sc = sc;
    }

    @Override
    public void register(Router router) {
        router.route(HttpMethod.GET, "/").handler(rc -> text(rc, "Ollama is running"));
        router.route(HttpMethod.HEAD, "/").handler(rc -> text(rc, "Ollama is running"));
        router.route(HttpMethod.GET, "/api/version").handler(this::version);
        router.route(HttpMethod.HEAD, "/api/version").handler(this::version);
        router.route(HttpMethod.POST, "/api/generate").handler(new GenerateRoute(sc));
        router.route(HttpMethod.POST, "/api/chat").handler(new ChatRoute(sc));
        router.route(HttpMethod.POST, "/api/embed").handler(new EmbedRoute(sc, false));
        router.route(HttpMethod.POST, "/api/embeddings").handler(new EmbedRoute(sc, true));
        TokenizeRoutes tokenizer = new TokenizeRoutes(sc);
        router.route(HttpMethod.POST, "/api/tokenize").handler(tokenizer::tokenize);
        router.route(HttpMethod.POST, "/api/detokenize").handler(tokenizer::detokenize);
        router.route(HttpMethod.GET, "/api/tags").handler(this::tags);
        router.route(HttpMethod.HEAD, "/api/tags").handler(this::tags);
        router.route(HttpMethod.POST, "/api/show").handler(this::show);
        router.route(HttpMethod.GET, "/api/ps").handler(this::ps);
        router.route(HttpMethod.POST, "/api/pull").handler(new PullRoute(sc));
        router.route(HttpMethod.POST, "/api/push").handler(new PushRoute(sc));
        router.route(HttpMethod.POST, "/api/create").handler(new CreateRoute(sc));
        BlobRoutes blobs = new BlobRoutes(sc);
        router.route(HttpMethod.HEAD, "/api/blobs/:digest").handler(blobs::head);
        router.route(HttpMethod.POST, "/api/blobs/:digest").handler(blobs::upload);
        router.route(HttpMethod.POST, "/api/copy").handler(new CopyRoute(sc));
        router.route(HttpMethod.DELETE, "/api/delete").handler(new DeleteRoute(sc));
    }

    /** Blob uploads stream to the store, uncapped and unbuffered. */
    @Override
    public boolean streamsBody(String path) {
        return path.startsWith("/api/blobs/");
    }

    @Override
    public boolean owns(String path) {
        return true;
    }

    @Override
    public ErrorRenderer errors() {
        return OllamaErrors.INSTANCE;
    }

    private static void text(RoutingContext rc, String body) {
        rc.response().putHeader("Content-Type", "text/plain; charset=utf-8");
        if (rc.request().method() == HttpMethod.HEAD) {
            rc.response().putHeader("Content-Length", Integer.toString(body.length())).end();
        } else {
            rc.response().end(body);
        }
    }

    private void version(RoutingContext rc) {
        Responses.json(rc, 200, OllamaJson.write(Map.of("version", VERSION)));
    }

    /** The catalog's models and, by name, the capabilities of those whose GGUF header could be read. */
    private record Tags(List<CatalogModel> models, Map<String, List<String>> capabilities) {
    }

    private void tags(RoutingContext rc) {
        sc.blocking(() -> {
            List<CatalogModel> all;
            try {
                all = sc.catalog().list();
            } catch (IOException e) {
                throw ApiException.internal("cannot read the model store: " + e.getMessage(), e);
            }
            Map<String, List<String>> caps = new HashMap<>();
            for (CatalogModel m : all) {
                try {
                    GgufFacts facts = GgufFacts.read(m.path());
                    caps.put(m.name(), facts.capabilities(m.template() != null ? m.template() : facts.chatTemplate(),
                            !m.projectors().isEmpty()));
                } catch (IOException | RuntimeException e) {
                    // A model whose file cannot be read is still listed, as Ollama lists it, without capabilities.
                }
            }
            return new Tags(all, caps);
        }).onSuccess(tags -> Guard.run(rc, () -> {
            List<CatalogModel> models = tags.models();
            Map<String, List<String>> capabilities = tags.capabilities();
            ObjectNode o = OllamaJson.object();
            ArrayNode list = o.putArray("models");
            for (CatalogModel m : models) {
                ObjectNode e = list.addObject();
                e.put("name", m.name());
                e.put("model", m.name());
                e.put("modified_at", OllamaJson.time(m.modifiedAt()));
                e.put("size", m.size());
                e.put("digest", bareDigest(m.digest()));
                e.set("details", OllamaJson.details(m.details()));
                List<String> caps = capabilities.get(m.name());
                if (caps != null) {
                    e.set("capabilities", JsonBody.MAPPER.valueToTree(caps));
                }
            }
            Responses.json(rc, 200, OllamaJson.write(o));
        })).onFailure(rc::fail);
    }

    /** {@code /api/tags} and {@code /api/ps} show the digest's hex without the algorithm. */
    private static String bareDigest(String digest) {
        return digest.startsWith("sha256:") || digest.startsWith("sha256-") ? digest.substring(7) : digest;
    }

    private void show(RoutingContext rc) {
        JsonBody body = JsonBody.parse(rc.body().buffer());
        String name = body.string("model");
        String legacyName = body.string("name");
        Boolean verbose = body.bool("verbose");
        if (name == null || name.isEmpty()) {
            name = legacyName;
        }
        ModelNames.require(name);
        RequestLog.model(rc, name);
        boolean all = verbose != null && verbose;
        if (sc.hasStore()) {
            String model = name;
            sc.blocking(() -> ShowJson.of(sc.store().store().show(model, all)))
                    .onSuccess(o -> Responses.json(rc, 200, OllamaJson.write(o))).onFailure(rc::fail);
            return;
        }
        sc.findModel(name).compose(m -> sc.blocking(() -> show(m, all)))
                .onSuccess(o -> Responses.json(rc, 200, OllamaJson.write(o))).onFailure(rc::fail);
    }

    /** For a fixed catalog (no store); runs on a worker thread: reads the GGUF header. */
    private static ObjectNode show(CatalogModel m, boolean verbose) throws IOException {
        GgufFacts facts = GgufFacts.read(m.path());
        String template = m.template() != null ? m.template() : facts.chatTemplate();
        ObjectNode o = OllamaJson.object();
        if (m.license() != null) {
            o.put("license", m.license());
        }
        o.put("modelfile", m.modelfile() != null ? m.modelfile() : modelfile(m, template));
        o.put("parameters", parameters(m.parameters()));
        o.put("template", template == null ? "" : template);
        if (m.system() != null) {
            o.put("system", m.system());
        }
        o.set("details", OllamaJson.details(m.details()));
        o.set("model_info", JsonBody.MAPPER.valueToTree(facts.modelInfo(verbose)));
        ArrayNode caps = o.putArray("capabilities");
        facts.capabilities(template, !m.projectors().isEmpty()).forEach(caps::add);
        o.put("modified_at", OllamaJson.time(m.modifiedAt()));
        return o;
    }

    /** Modelfile {@code PARAMETER} lines as {@code /api/show} lists them: {@code name value}, one per line. */
    private static String parameters(Map<String, Object> parameters) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Object> e : parameters.entrySet()) {
            List<?> values = e.getValue() instanceof List<?> l ? l : List.of(String.valueOf(e.getValue()));
            for (Object v : values) {
                String text = v instanceof String s && e.getKey().equals("stop") ? OllamaJson.write(s) : String.valueOf(v);
                b.append(String.format(java.util.Locale.ROOT, "%-30s %s\n", e.getKey(), text));
            }
        }
        return b.toString().stripTrailing();
    }

    private static String modelfile(CatalogModel m, String template) {
        StringBuilder b = new StringBuilder();
        b.append("# Modelfile generated by \"puna show\"\n");
        b.append("# To build a new Modelfile based on this, replace FROM with:\n");
        b.append("# FROM ").append(m.name()).append("\n\n");
        b.append("FROM ").append(m.path()).append('\n');
        if (template != null) {
            b.append("TEMPLATE \"\"\"").append(template).append("\"\"\"\n");
        }
        if (m.system() != null) {
            b.append("SYSTEM \"\"\"").append(m.system()).append("\"\"\"\n");
        }
        for (Map.Entry<String, Object> e : m.parameters().entrySet()) {
            List<?> values = e.getValue() instanceof List<?> l ? l : List.of(String.valueOf(e.getValue()));
            for (Object v : values) {
                b.append("PARAMETER ").append(e.getKey()).append(' ').append(v).append('\n');
            }
        }
        if (m.license() != null) {
            b.append("LICENSE \"\"\"").append(m.license()).append("\"\"\"\n");
        }
        return b.toString();
    }

    private void ps(RoutingContext rc) {
        ObjectNode o = OllamaJson.object();
        ArrayNode list = o.putArray("models");
        for (ModelScheduler.Running r : sc.scheduler().running()) {
            CatalogModel m = r.model();
            ObjectNode e = list.addObject();
            e.put("name", m.name());
            e.put("model", m.name());
            e.put("size", r.sizeBytes());
            e.put("digest", bareDigest(m.digest()));
            e.set("details", OllamaJson.details(m.details()));
            e.put("expires_at", OllamaJson.time(r.expiresAt()));
            // The offload plan's GPU part: 0 on a CPU-only machine.
            e.put("size_vram", r.vramBytes());
            e.put("context_length", r.contextLength());
        }
        Responses.json(rc, 200, OllamaJson.write(o));
    }
}
