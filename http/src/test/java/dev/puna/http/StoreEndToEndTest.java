package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.gguf.GgmlType;
import dev.puna.store.Digest;
import dev.puna.store.Layer;
import dev.puna.store.ResolvedModel;
import dev.puna.testkit.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store through the real server, end to end on the scripted model: blob uploads, {@code /api/create} from
 * blobs (every setting) and from a model with {@code quantize}, {@code /api/show} and {@code /api/tags} from the
 * store, Modelfile parameters as request defaults, Modelfile messages before a chat, copy, and delete unloading a
 * loaded model. Pull and push are in {@link RegistryEndToEndTest}.
 */
@Timeout(180)
class StoreEndToEndTest {
    private static final long BODY_LIMIT = 4096;
    @TempDir
    static Path dir;
    private static StoreServer server;

    @BeforeAll
    static void start() {
        server = new StoreServer(dir.resolve("models"), ServerConfig.builder().maxBodyBytes(BODY_LIMIT));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Uploads {@code file} as a blob (201, or 200 when the store has it) and returns its digest. */
    static Digest upload(Http http, Path file) throws Exception {
        Digest digest = StoreServer.digest(file);
        Http.Response r = http.postBytes("/api/blobs/" + digest, Files.readAllBytes(file));
        assertTrue(r.status() == 201 || r.status() == 200, r.status() + " " + r.body());
        return digest;
    }

    /** Creates a model (streaming), checks that it ended with success, and returns the statuses. */
    static List<String> create(Http http, String json) {
        Http.Response r = http.post("/api/create", json);
        assertEquals(200, r.status(), r.body());
        assertEquals("application/x-ndjson", r.header("Content-Type"));
        List<String> statuses = r.lines().stream().map(l -> l.path("status").asText(l.toString())).toList();
        assertEquals("success", statuses.getLast(), r.body());
        return statuses;
    }

    private static JsonNode generate(String model, String prompt, String options) {
        Http.Response r = server.http.post("/api/generate", "{\"model\":\"" + model + "\",\"prompt\":\"" + prompt
                + "\",\"stream\":false" + (options == null ? "" : ",\"options\":" + options) + "}");
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    private static String tinyFromBlobs(String name) throws Exception {
        Digest blob = upload(server.http, ScriptedServer.MODEL);
        create(server.http, """
                {"model":"%s","files":{"scripted.gguf":"%s"},"template":"{{ .Prompt }}",
                 "parameters":{"temperature":0,"num_predict":3}}""".formatted(name, blob));
        return name;
    }

    @Test
    void blobUploadsAreVerifiedAndNotCappedByTheBodyLimit() throws Exception {
        Path file = StoreServer.scripted(GgmlType.F16);
        byte[] content = Files.readAllBytes(file);
        assertTrue(content.length > 50 * BODY_LIMIT, "the blob is far larger than the JSON body cap");
        Digest digest = StoreServer.digest(content);
        String path = "/api/blobs/" + digest;

        assertEquals(404, server.http.head(path).status());
        Http.Response wrong = server.http.postBytes(path, "not the model".getBytes());
        assertEquals(400, wrong.status());
        assertEquals("{\"error\":\"digest mismatch for uploaded blob: expected " + digest + ", got "
                + StoreServer.digest("not the model".getBytes()) + "\"}", wrong.body());
        assertEquals(404, server.http.head(path).status(), "nothing kept of a mismatching upload");

        Http.Response created = server.http.postBytes(path, content);
        assertEquals(201, created.status(), created.body());
        assertEquals("", created.body());
        assertEquals(200, server.http.head(path).status());
        assertEquals(200, server.http.head("/api/blobs/sha256-" + digest.hex()).status(), "sha256- form too");
        assertEquals(200, server.http.postBytes(path, content).status(), "already there");
        assertTrue(java.util.Arrays.equals(content, Files.readAllBytes(server.store.blobPath(digest).orElseThrow())));

        // The cap still holds for JSON routes.
        Http.Response big = server.http.post("/api/show", "{\"model\":\"" + "x".repeat((int) BODY_LIMIT) + "\"}");
        assertEquals(413, big.status());
        try (Stream<Path> files = Files.list(dir.resolve("models/blobs"))) {
            assertEquals(List.of(), files.filter(p -> !p.getFileName().toString().matches("sha256-[0-9a-f]{64}"))
                    .toList(), "no temporary or partial files left");
        }
    }

    /** Larger than the upload buffer (1 MiB), so the request is paused and resumed while the store reads it. */
    @Test
    void largeUploadsStreamThroughToTheStore() throws Exception {
        byte[] content = new byte[24 << 20];
        new java.util.Random(42).nextBytes(content);
        Digest digest = StoreServer.digest(content);
        Http.Response r = server.http.postBytes("/api/blobs/" + digest, content);
        assertEquals(201, r.status(), r.body());
        assertTrue(java.util.Arrays.equals(content, Files.readAllBytes(server.store.blobPath(digest).orElseThrow())));
    }

    @Test
    void createFromBlobsWithEverySettingThenShowAndTags() throws Exception {
        Digest blob = upload(server.http, ScriptedServer.MODEL);
        List<Path> before = blobFiles();
        List<String> statuses = create(server.http, """
                {"model":"Everything","files":{"scripted.gguf":"%s"},"template":"{{ .Prompt }}",
                 "system":"You are terse.","license":["MIT","Apache-2.0"],
                 "parameters":{"temperature":0,"num_predict":3,"stop":["ten","nine"]},
                 "messages":[{"role":"user","content":"Hello"},{"role":"assistant","content":"Hi there!"}]}"""
                .formatted(blob));
        ResolvedModel stored = server.store.resolve("everything");
        List<String> expected = new ArrayList<>(List.of("parsing GGUF"));
        for (Layer l : stored.manifest().layers()) {
            boolean existed = before.contains(dir.resolve("models/blobs").resolve(l.digest().fileName()));
            expected.add((existed ? "using existing layer " : "creating new layer ") + l.digest());
        }
        assertTrue(expected.contains("using existing layer " + blob), expected.toString());
        expected.addAll(List.of("writing manifest", "success"));
        assertEquals(expected, statuses);
        assertEquals(7, stored.manifest().layers().size(), "model, template, system, 2 licenses, params, messages");

        Http.Response show = server.http.post("/api/show", "{\"model\":\"everything\"}");
        assertEquals(200, show.status(), show.body());
        JsonNode o = show.json();
        assertEquals("MIT\nApache-2.0", o.get("license").asText());
        assertEquals("{{ .Prompt }}", o.get("template").asText());
        assertEquals("You are terse.", o.get("system").asText());
        assertEquals("""
                num_predict                    3
                stop                           "ten"
                stop                           "nine"
                temperature                    0""", o.get("parameters").asText());
        assertEquals(Http.JSON.readTree("""
                {"parent_model":"","format":"gguf","family":"llama","families":["llama"],
                 "parameter_size":"%s","quantization_level":"F32"}""".formatted(
                stored.details().parameterSize())), o.get("details"));
        assertEquals(Http.JSON.readTree("""
                [{"role":"user","content":"Hello"},{"role":"assistant","content":"Hi there!"}]"""),
                o.get("messages"));
        assertEquals(Http.JSON.readTree("[\"completion\",\"insert\"]"), o.get("capabilities"));
        assertEquals("llama", o.get("model_info").get("general.architecture").asText());
        // Ollama elides only arrays over 1024 elements without verbose; this vocabulary is smaller.
        assertEquals(TestModels.vocabulary().size(), o.get("model_info").get("tokenizer.ggml.tokens").size());
        assertTrue(o.get("modelfile").asText().startsWith("""
                # Modelfile generated by "puna show"
                # To build a new Modelfile based on this, replace FROM with:
                # FROM Everything:latest

                FROM %s
                TEMPLATE {{ .Prompt }}
                SYSTEM You are terse.
                PARAMETER num_predict 3
                """.formatted(stored.modelPath())), o.get("modelfile").asText());
        assertEquals(stored.modifiedAt(), java.time.Instant.parse(o.get("modified_at").asText()));

        JsonNode tags = server.http.get("/api/tags").json().get("models");
        JsonNode entry = null;
        for (JsonNode m : tags) {
            if (m.get("name").asText().equals("Everything:latest")) {
                entry = m;
            }
        }
        assertTrue(entry != null, tags.toString());
        assertEquals("Everything:latest", entry.get("model").asText());
        assertEquals(o.get("capabilities"), entry.get("capabilities"), "tags and show agree");
        byte[] manifest = Files.readAllBytes(dir.resolve("models/manifests/registry.ollama.ai/library/Everything/latest"));
        assertEquals(StoreServer.digest(manifest).hex(), entry.get("digest").asText());
        assertEquals(stored.size(), entry.get("size").asLong());
        assertEquals(o.get("details"), entry.get("details"));
    }

    /**
     * The legacy {@code modelfile} field, as older Ollama clients send it: {@code FROM @sha256:<hex>} names an
     * uploaded blob, and the rest is parsed like {@code puna create -f}.
     */
    @Test
    void legacyModelfileFieldCreatesTheModel() throws Exception {
        Digest blob = upload(server.http, ScriptedServer.MODEL);
        String modelfile = "FROM @" + blob + "\nTEMPLATE {{ .Prompt }}\nSYSTEM \"Be brief.\"\n"
                + "PARAMETER temperature 0\nPARAMETER num_predict 3\nPARAMETER stop ten\nPARAMETER stop nine\n";
        create(server.http, Http.JSON.createObjectNode().put("model", "legacy").put("modelfile", modelfile)
                .toString());
        JsonNode o = server.http.post("/api/show", "{\"model\":\"legacy\"}").json();
        assertEquals("{{ .Prompt }}", o.get("template").asText());
        assertEquals("Be brief.", o.get("system").asText());
        assertEquals("""
                num_predict                    3
                stop                           "ten"
                stop                           "nine"
                temperature                    0""", o.get("parameters").asText());
        assertEquals(blob, server.store.resolve("legacy").manifest().layers().getFirst().digest());
        JsonNode r = generate("legacy", TestModels.COUNT_PROMPT, null);
        assertEquals(TestModels.countCompletion(3), r.get("response").asText());

        create(server.http, "{\"model\":\"legacy-child\",\"modelfile\":\"FROM legacy\\nSYSTEM Be kind.\"}");
        assertEquals("Be kind.", server.http.post("/api/show", "{\"model\":\"legacy-child\"}").json()
                .get("system").asText());
    }

    @Test
    void modelfileParametersAreDefaultsThatRequestOptionsOverride() throws Exception {
        String model = tinyFromBlobs("counter");
        JsonNode defaults = generate(model, TestModels.COUNT_PROMPT, null);
        assertEquals(TestModels.countCompletion(3), defaults.get("response").asText());
        assertEquals("length", defaults.get("done_reason").asText());
        JsonNode overridden = generate(model, TestModels.COUNT_PROMPT, "{\"num_predict\":5}");
        assertEquals(TestModels.countCompletion(5), overridden.get("response").asText());
    }

    /**
     * Modelfile messages come before the request's: a chat with them costs exactly the prompt tokens of the same
     * conversation written out in full on a model without them (each model is on its own engine, so nothing is
     * cached across the three).
     */
    @Test
    void modelfileMessagesComeBeforeTheChat() throws Exception {
        Digest blob = upload(server.http, ScriptedServer.MODEL);
        create(server.http, """
                {"model":"remembers","files":{"scripted.gguf":"%s"},"parameters":{"temperature":0},
                 "messages":[{"role":"user","content":"Hello"},{"role":"assistant","content":"Hi there!"}]}"""
                .formatted(blob));
        create(server.http, "{\"model\":\"forgets\",\"files\":{\"scripted.gguf\":\"" + blob + "\"},"
                + "\"parameters\":{\"temperature\":0}}");
        create(server.http, "{\"model\":\"forgets2\",\"from\":\"forgets\"}");
        String question = "{\"role\":\"user\",\"content\":\"And you?\"}";
        JsonNode withStored = chat("remembers", question);
        JsonNode writtenOut = chat("forgets", "{\"role\":\"user\",\"content\":\"Hello\"},"
                + "{\"role\":\"assistant\",\"content\":\"Hi there!\"}," + question);
        JsonNode alone = chat("forgets2", question);
        assertEquals(TestModels.CHAT_COMPLETION, withStored.get("message").get("content").asText());
        assertEquals(writtenOut.get("prompt_eval_count").asInt(), withStored.get("prompt_eval_count").asInt());
        assertTrue(alone.get("prompt_eval_count").asInt() < withStored.get("prompt_eval_count").asInt(),
                alone + " vs " + withStored);
    }

    private static JsonNode chat(String model, String messages) {
        Http.Response r = server.http.post("/api/chat", "{\"model\":\"" + model + "\",\"stream\":false,"
                + "\"messages\":[" + messages + "]}");
        assertEquals(200, r.status(), r.body());
        return r.json();
    }

    @Test
    void createFromAModelQuantizedToQ8_0ThenGenerate() throws Exception {
        tinyFromBlobs("base");
        Digest f32 = StoreServer.digest(ScriptedServer.MODEL);
        List<String> statuses = create(server.http, "{\"model\":\"base-q8\",\"from\":\"base\",\"quantize\":\"q8_0\"}");
        ResolvedModel q8 = server.store.resolve("base-q8");
        Digest modelLayer = q8.manifest().layers().getFirst().digest();
        assertNotEquals(f32, modelLayer);
        List<String> expected = new ArrayList<>();
        statuses.stream().filter(s -> s.startsWith("quantizing")).forEach(expected::add);
        assertFalse(expected.isEmpty(), statuses.toString());
        assertTrue(expected.stream().allMatch(s -> s.equals("quantizing F32 model to Q8_0")), statuses.toString());
        expected.add("creating new layer " + modelLayer);
        for (Layer l : q8.manifest().layers().subList(1, q8.manifest().layers().size())) {
            expected.add("using existing layer " + l.digest());
        }
        expected.addAll(List.of("writing manifest", "success"));
        assertEquals(expected, statuses);

        JsonNode details = server.http.post("/api/show", "{\"model\":\"base-q8\"}").json().get("details");
        assertEquals("Q8_0", details.get("quantization_level").asText());
        create(server.http, "{\"model\":\"base-child\",\"from\":\"base\",\"system\":\"Be brief.\"}");
        assertEquals("base:latest", server.http.post("/api/show", "{\"model\":\"base-child\"}").json()
                .get("details").get("parent_model").asText());
        JsonNode r = generate("base-q8", TestModels.HELLO_PROMPT, "{\"num_predict\":10}");
        assertEquals(TestModels.HELLO_COMPLETION, r.get("response").asText());
        assertEquals("stop", r.get("done_reason").asText());
        JsonNode same = generate("base-q8", TestModels.COUNT_PROMPT, null);
        assertEquals(TestModels.countCompletion(3), same.get("response").asText(), "inherited parameters");
    }

    /**
     * A client that leaves a create while it quantizes stops the quantization: the child process running
     * {@code llama_model_quantize} is killed (no process of this JVM is left), the store's quantizing thread ends,
     * and no model is written.
     */
    @Test
    void aClientThatLeavesStopsTheQuantization() throws Exception {
        Path big = TestModels.quantizable(Path.of(System.getProperty("java.io.tmpdir"), "puna-http-models"));
        server.store.register("big", big, dev.puna.store.ProgressListener.NONE);
        assertEquals(0, ProcessHandle.current().descendants().count());
        try (RawHttp raw = new RawHttp(server.server.port(), 0)) {
            raw.post("/api/create", "{\"model\":\"big-q3\",\"from\":\"big\",\"quantize\":\"q3_K_M\"}");
            assertEquals(200, raw.status);
            assertEquals("quantizing F32 model to Q3_K_M", Http.JSON.readTree(raw.line()).get("status").asText());
            assertTrue(awaitCount(() -> ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(), 1),
                    "no quantization process started");
        }
        assertTrue(awaitCount(() -> ProcessHandle.current().descendants().count(), 0),
                "the quantization process survived: " + ProcessHandle.current().descendants().toList());
        assertTrue(awaitCount(() -> Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("puna-quantize") && t.isAlive()).count(), 0),
                "the store's quantizing thread is still running");
        assertEquals(404, server.http.post("/api/show", "{\"model\":\"big-q3\"}").status());
    }

    /** Polls {@code count} until it equals {@code expected}, for at most 30 s. */
    private static boolean awaitCount(java.util.function.LongSupplier count, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (count.getAsLong() != expected) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /**
     * A model whose ADAPTER is not a LoRA llama.cpp can apply to it (here: no tensors for the model) fails to load
     * with a message naming the adapter, in each API's format, instead of running as its base model. A projector
     * layer makes {@code /api/show} list {@code vision}; one llama.cpp cannot load fails the model's load.
     */
    @Test
    void brokenAdaptersAndProjectorsAreNamedAndProjectorsClaimVision() throws Exception {
        Digest model = upload(server.http, ScriptedServer.MODEL);
        Digest lora = upload(server.http, tinyGguf(dir.resolve("lora.gguf"), w -> w
                .putString("general.architecture", "llama").putString("general.type", "adapter")
                .putString("adapter.type", "lora").putFloat32("adapter.lora.alpha", 16f)));
        Digest mmproj = upload(server.http, tinyGguf(dir.resolve("mmproj.gguf"), w -> w
                .putString("general.architecture", "clip").putString("general.type", "mmproj")
                .putBool("clip.has_vision_encoder", true).putUInt32("clip.vision.block_count", 2)));
        create(server.http, """
                {"model":"tuned","files":{"scripted.gguf":"%s"},"adapters":{"lora.gguf":"%s"}}"""
                .formatted(model, lora));
        Http.Response generate = server.http.post("/api/generate", "{\"model\":\"tuned\",\"prompt\":\"Hello\"}");
        assertEquals(500, generate.status(), generate.body());
        String message = generate.json().get("error").asText();
        assertTrue(message.startsWith("cannot load the model: ") && message.contains("sha256-" + lora.hex())
                && message.contains("llama.cpp could not load the LoRA adapter"), message);
        Http.Response v1 = server.http.post("/v1/chat/completions", "{\"model\":\"tuned\",\"messages\":["
                + "{\"role\":\"user\",\"content\":\"Hello\"}]}");
        assertEquals(500, v1.status(), v1.body());
        assertEquals(message, v1.json().get("error").get("message").asText());
        assertEquals(200, server.http.post("/api/show", "{\"model\":\"tuned\"}").status());

        create(server.http, """
                {"model":"seeing","files":{"scripted.gguf":"%s","mmproj.gguf":"%s"}}""".formatted(model, mmproj));
        JsonNode show = server.http.post("/api/show", "{\"model\":\"seeing\"}").json();
        assertEquals(Http.JSON.readTree("[\"completion\",\"insert\",\"vision\"]"), show.get("capabilities"));
        assertEquals("clip", show.get("projector_info").get("general.architecture").asText());
        // A projector llama.cpp cannot load fails the model's load, naming it; the text model is not run without it.
        Http.Response text = server.http.post("/api/generate", "{\"model\":\"seeing\",\"prompt\":\"Hello\"}");
        assertEquals(500, text.status(), text.body());
        assertTrue(text.json().get("error").asText().contains("llama.cpp could not load the projector"), text.body());
    }

    private static Path tinyGguf(Path file, java.util.function.Consumer<dev.puna.gguf.GgufWriter> meta)
            throws java.io.IOException {
        dev.puna.gguf.GgufWriter w = dev.puna.gguf.GgufWriter.create();
        meta.accept(w);
        w.addTensor("t.weight", GgmlType.F32, new long[] {32}, new float[32]);
        w.write(file);
        return file;
    }

    /**
     * A Modelfile TEMPLATE shapes the prompt on every route, not only /api/generate: with a template that writes
     * the messages' text alone, a chat saying "Hello" is the prompt "Hello", which the scripted model continues
     * with " world from Puna!" (through its GGUF chat template the same chat is answered "Hi there!").
     */
    @Test
    void aModelfileTemplateShapesGenerateChatAndOpenAiPrompts() throws Exception {
        Digest blob = upload(server.http, ScriptedServer.MODEL);
        create(server.http, """
                {"model":"templated","files":{"scripted.gguf":"%s"},"parameters":{"temperature":0},
                 "template":"{{- range $i, $m := .Messages }}{{ if eq $m.Role \\"user\\" }}{{ $m.Content }}{{ end }}{{ end }}"}"""
                .formatted(blob));
        Http.Response chat = server.http.post("/api/chat", "{\"model\":\"templated\",\"stream\":false,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}");
        assertEquals(200, chat.status(), chat.body());
        assertEquals(TestModels.HELLO_COMPLETION, chat.json().get("message").get("content").asText());
        assertEquals(2, chat.json().get("prompt_eval_count").asInt(), "BOS and Hello");
        Http.Response v1 = server.http.post("/v1/chat/completions", "{\"model\":\"templated\",\"temperature\":0,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}");
        assertEquals(200, v1.status(), v1.body());
        assertEquals(TestModels.HELLO_COMPLETION, v1.json().get("choices").get(0).get("message").get("content")
                .asText());
        JsonNode generate = generate("templated", TestModels.HELLO_PROMPT, null);
        assertEquals(TestModels.HELLO_COMPLETION, generate.get("response").asText());

        create(server.http, "{\"model\":\"plain\",\"files\":{\"scripted.gguf\":\"" + blob + "\"},"
                + "\"parameters\":{\"temperature\":0}}");
        Http.Response gguf = server.http.post("/api/chat", "{\"model\":\"plain\",\"stream\":false,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}");
        assertEquals(TestModels.CHAT_COMPLETION, gguf.json().get("message").get("content").asText());
    }

    @Test
    void copyThenDeleteUnloadsTheLoadedModel() throws Exception {
        tinyFromBlobs("original");
        Http.Response copy = server.http.post("/api/copy", "{\"source\":\"original\",\"destination\":\"duplicate\"}");
        assertEquals(200, copy.status(), copy.body());
        assertEquals("", copy.body());
        assertEquals(tagDigest("original:latest"), tagDigest("duplicate:latest"));

        assertEquals(TestModels.countCompletion(3), generate("Duplicate", TestModels.COUNT_PROMPT, null)
                .get("response").asText());
        assertTrue(loaded().contains("duplicate:latest"), loaded().toString());

        Http.Response deleted = server.http.delete("/api/delete", "{\"model\":\"DUPLICATE\"}");
        assertEquals(200, deleted.status(), deleted.body());
        assertEquals("", deleted.body());
        assertFalse(loaded().contains("duplicate:latest"), "unloaded with the delete: " + loaded());
        assertEquals(null, tagDigest("duplicate:latest"));
        assertEquals(404, server.http.post("/api/show", "{\"model\":\"duplicate\"}").status());
        assertEquals(404, server.http.delete("/api/delete", "{\"model\":\"duplicate\"}").status());
        assertEquals(TestModels.countCompletion(3), generate("original", TestModels.COUNT_PROMPT, null)
                .get("response").asText(), "the original keeps the shared blobs");
    }

    private static List<Path> blobFiles() throws java.io.IOException {
        try (Stream<Path> files = Files.list(dir.resolve("models/blobs"))) {
            return files.toList();
        }
    }

    private static String tagDigest(String name) {
        for (JsonNode m : server.http.get("/api/tags").json().get("models")) {
            if (m.get("name").asText().equals(name)) {
                return m.get("digest").asText();
            }
        }
        return null;
    }

    private static List<String> loaded() {
        List<String> names = new ArrayList<>();
        server.http.get("/api/ps").json().get("models").forEach(m -> names.add(m.get("name").asText()));
        return names;
    }
}
