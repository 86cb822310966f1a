package dev.puna.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.gguf.GgmlType;
import dev.puna.gguf.GgufFile;
import dev.puna.gguf.GgufTensorInfo;
import dev.puna.testkit.TestModels;
import dev.puna.testkit.Vocabulary;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreTest {
    @TempDir
    Path tmp;
    Path root;
    Path gguf;
    ModelStore store;
    List<Progress> progress;

    @BeforeEach
    void setUp() throws IOException {
        root = tmp.resolve("models");
        gguf = TestGgufs.scripted(tmp.resolve("src"), GgmlType.F32);
        store = ModelStore.open(root);
        progress = new ArrayList<>();
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    static long parameterCount(Path file) throws IOException {
        return GgufFile.read(file).tensors().stream().mapToLong(GgufTensorInfo::elementCount).sum();
    }

    List<String> statuses() {
        return progress.stream().map(Progress::status).toList();
    }

    @Test
    void registerWritesOllamasLayoutAndFormats() throws Exception {
        store.register("tiny", gguf, progress::add);

        Digest model = Digest.parse("sha256:" + sha256(Files.readAllBytes(gguf)));
        Path blob = root.resolve("blobs").resolve(model.fileName());
        assertTrue(Files.isSameFile(blob, gguf), "a file on the store's file system is hard-linked, not copied");
        Path manifestFile = root.resolve("manifests/registry.ollama.ai/library/tiny/latest");
        String manifest = Files.readString(manifestFile);
        Manifest parsed = store.resolve("tiny").manifest();
        Layer config = parsed.config();
        assertEquals("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"digest\":\""
                + config.digest() + "\",\"size\":" + config.size() + "},\"layers\":[{\"mediaType\":"
                + "\"application/vnd.ollama.image.model\",\"digest\":\"" + model + "\",\"size\":" + Files.size(gguf)
                + "}]}", manifest);
        String configJson = Files.readString(root.resolve("blobs").resolve(config.digest().fileName()));
        String params = ModelStoreTest.humanParams(parameterCount(gguf));
        assertEquals("{\"model_format\":\"gguf\",\"model_family\":\"llama\",\"model_families\":[\"llama\"],"
                + "\"model_type\":\"" + params + "\",\"file_type\":\"F32\",\"architecture\":\"amd64\",\"os\":"
                + "\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + model + "\"]}}\n", configJson);
        assertEquals(config.digest().hex(), sha256(configJson.getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of("importing " + gguf.getFileName(), "parsing GGUF", "using existing layer " + model,
                "writing manifest", "success"), statuses());
    }

    static String humanParams(long n) {
        return dev.puna.store.internal.HumanNumber.format(n);
    }

    @Test
    void importFromAnotherFileSystemCopiesOnceWhileHashing() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "puna-store-test");
        try {
            Path source = Files.copy(gguf, dir.resolve("model.gguf"));
            assertFalse(Files.getFileStore(source).equals(Files.getFileStore(root)), "tmpfs is another file system");
            Digest digest = store.importFile(source, progress::add);
            Path blob = store.blobPath(digest).orElseThrow();
            assertFalse(Files.isSameFile(blob, source), "a hard link cannot cross file systems: it is a copy");
            assertEquals(sha256(Files.readAllBytes(source)), digest.hex());
            assertArrayEquals(Files.readAllBytes(source), Files.readAllBytes(blob));
            assertEquals(List.of(new Progress("importing model.gguf", digest.toString(), Files.size(source),
                    Files.size(source))), progress);
            try (Stream<Path> files = Files.list(root.resolve("blobs"))) {
                assertEquals(List.of(blob), files.toList(), "no temporary copy is left");
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    @Test
    void defaultDirectories() {
        assertEquals(Path.of(System.getProperty("user.home"), ".puna/models"), ModelStore.defaultRoot());
        assertEquals(Path.of(System.getProperty("user.home"), ".ollama/models"), ModelStore.defaultOllamaRoot());
    }

    @Test
    void listShowsWhatApiTagsNeeds() throws Exception {
        store.register("tiny", gguf, progress::add);
        store.register("me/other:v1", gguf, ProgressListener.NONE);
        List<ModelSummary> models = store.list();
        assertEquals(List.of("me/other:v1", "tiny:latest"), models.stream().map(ModelSummary::name).toList());
        ModelSummary tiny = models.get(1);
        assertEquals("tiny:latest", tiny.model());
        byte[] manifest = Files.readAllBytes(root.resolve("manifests/registry.ollama.ai/library/tiny/latest"));
        assertEquals(sha256(manifest), tiny.digest());
        assertEquals(store.resolve("tiny").manifest().totalSize(), tiny.size());
        assertEquals(new ModelDetails("", "gguf", "llama", List.of("llama"), humanParams(parameterCount(gguf)),
                "F32"), tiny.details());
        assertFalse(tiny.readOnly());
        assertEquals(Files.getLastModifiedTime(root.resolve("manifests/registry.ollama.ai/library/tiny/latest"))
                .toInstant(), tiny.modifiedAt());
    }

    @Test
    void showReportsDetailsMetadataAndCapabilities() throws Exception {
        store.register("tiny", gguf, ProgressListener.NONE);
        ShowResult show = store.show("TINY:latest", false);
        assertEquals(List.of(Capability.COMPLETION, Capability.INSERT), show.capabilities(),
                "the scripted vocabulary has FIM tokens and its template no tools");
        assertEquals(Vocabulary.CHAT_TEMPLATE, show.template(), "without a template layer, the GGUF's applies");
        assertEquals("llama", show.modelInfo().get("general.architecture"));
        assertEquals(parameterCount(gguf), show.modelInfo().get("general.parameter_count"));
        assertFalse(show.modelInfo().containsKey("general.name"));
        assertFalse(show.modelInfo().containsKey("tokenizer.chat_template"));
        assertEquals(1.0E-5, show.modelInfo().get("llama.attention.layer_norm_rms_epsilon"),
                "float32 metadata is shown as its shortest decimal");
        assertEquals("", show.parameters());
        assertEquals("", show.system());
        Path blob = store.resolve("tiny").modelPath();
        assertEquals("# Modelfile generated by \"puna show\"\n# To build a new Modelfile based on this, replace FROM "
                + "with:\n# FROM tiny:latest\n\nFROM " + blob + "\n", show.modelfile());
    }

    @Test
    void showElidesLargeArraysUnlessVerbose() throws Exception {
        Path big = TestGgufs.tiny(tmp.resolve("big.gguf"), 32, w -> w.putString("general.architecture", "llama")
                .putStringArray("tokenizer.ggml.tokens", java.util.Collections.nCopies(2000, "x"))
                .putInt32Array("llama.small", new int[] {1, 2, 3}));
        store.register("big", big, ProgressListener.NONE);
        ShowResult brief = store.show("big", false);
        assertTrue(brief.modelInfo().containsKey("tokenizer.ggml.tokens"));
        assertNull(brief.modelInfo().get("tokenizer.ggml.tokens"));
        assertEquals(List.of(1L, 2L, 3L), brief.modelInfo().get("llama.small"));
        ShowResult verbose = store.show("big", true);
        assertEquals(2000, ((List<?>) verbose.modelInfo().get("tokenizer.ggml.tokens")).size());
        assertEquals("unknown", brief.details().quantizationLevel(), "no general.file_type");
    }

    @Test
    void createFromAnExistingModelLayersEverything() throws Exception {
        store.register("base", gguf, ProgressListener.NONE);
        Digest modelDigest = store.resolve("base").manifest().layers().getFirst().digest();
        CreateRequest req = CreateRequest.builder("me/assistant:v1").from("base")
                .template("{{ .System }} {{ .Prompt }} tools")
                .system("You are terse.")
                .license("MIT")
                .license("Apache-2.0")
                .parameter("temperature", 0.7)
                .parameter("stop", List.of("<|im_end|>", "</s>"))
                .parameter("num_ctx", 4096)
                .message("user", "Hi")
                .message("assistant", "Hello")
                .build();
        store.create(req, progress::add);

        ResolvedModel r = store.resolve("me/assistant:v1");
        assertEquals("{{ .System }} {{ .Prompt }} tools", r.template());
        assertEquals("You are terse.", r.system());
        assertEquals(List.of("MIT", "Apache-2.0"), r.license());
        assertEquals(Map.of("temperature", 0.7, "stop", List.of("<|im_end|>", "</s>"), "num_ctx", 4096L),
                r.parameters());
        assertEquals(List.of(new Message("user", "Hi"), new Message("assistant", "Hello")), r.messages());
        assertEquals("base:latest", r.details().parentModel());
        List<String> types = r.manifest().layers().stream().map(Layer::mediaType).toList();
        assertEquals(List.of(MediaTypes.MODEL, MediaTypes.TEMPLATE, MediaTypes.SYSTEM, MediaTypes.LICENSE,
                MediaTypes.LICENSE, MediaTypes.PARAMS, MediaTypes.MESSAGES), types);
        assertEquals("base:latest", r.manifest().layers().getFirst().from());
        assertEquals(modelDigest, r.manifest().layers().getFirst().digest());

        List<String> expected = new ArrayList<>();
        expected.add("using existing layer " + modelDigest);
        for (Layer l : r.manifest().layers().subList(1, 7)) {
            expected.add("creating new layer " + l.digest());
        }
        expected.add("writing manifest");
        expected.add("success");
        assertEquals(expected, statuses());
        String params = Files.readString(r.modelPath().resolveSibling(
                r.manifest().layer(MediaTypes.PARAMS).orElseThrow().digest().fileName()));
        assertEquals("{\"num_ctx\":4096,\"stop\":[\"\\u003c|im_end|\\u003e\",\"\\u003c/s\\u003e\"],"
                + "\"temperature\":0.7}\n", params, "Go's encoding: sorted keys, HTML-escaped, newline");
        String messages = Files.readString(r.modelPath().resolveSibling(
                r.manifest().layer(MediaTypes.MESSAGES).orElseThrow().digest().fileName()));
        assertEquals("[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Hello\"}]\n",
                messages);

        ShowResult show = store.show("me/assistant:v1", false);
        assertEquals(List.of(Capability.COMPLETION, Capability.TOOLS, Capability.INSERT), show.capabilities());
        assertEquals("num_ctx                        4096\n"
                + "stop                           \"<|im_end|>\"\n"
                + "stop                           \"</s>\"\n"
                + "temperature                    0.7", show.parameters());
        assertEquals("MIT\nApache-2.0", show.license());
        assertEquals("base:latest", show.details().parentModel());
        // The rendered Modelfile parses back to the same model definition.
        Modelfile mf = Modelfile.parse(show.modelfile());
        CreateRequest again = mf.toCreateRequest("me/again", tmp, file -> store.importFile(file,
                ProgressListener.NONE));
        store.create(again, ProgressListener.NONE);
        ResolvedModel a = store.resolve("me/again");
        assertEquals(r.parameters(), a.parameters());
        assertEquals(r.template(), a.template());
        assertEquals(r.system(), a.system());
        assertEquals(r.messages(), a.messages());
        assertEquals(r.license(), a.license());
        assertEquals(r.modelPath(), a.modelPath());
    }

    @Test
    void createInheritsAndOverridesLikeOllama() throws Exception {
        store.register("base", gguf, ProgressListener.NONE);
        store.create(CreateRequest.builder("one").from("base").system("first").parameter("temperature", 0.1)
                .parameter("top_k", 5).message("user", "a").build(), ProgressListener.NONE);
        store.create(CreateRequest.builder("two").from("one").parameter("temperature", 0.9).build(),
                ProgressListener.NONE);
        ResolvedModel two = store.resolve("two");
        assertEquals("first", two.system(), "inherited");
        assertEquals(Map.of("temperature", 0.9, "top_k", 5L), two.parameters(), "merged, the new value wins");
        assertEquals(List.of(new Message("user", "a")), two.messages(), "kept when none are given");
        assertEquals("one:latest", two.details().parentModel());
    }

    @Test
    void aModelfileWithTheModelAndItsGeneratedProjectorCreatesAVisionModel() throws Exception {
        // testkit's projector is what the runtime really loads: general.architecture clip, no general.type, zero
        // vision blocks; the second FROM line is how Ollama's Modelfiles name it.
        Path dir = tmp.resolve("src");
        Path projector = TestModels.scriptedProjector(dir);
        Files.move(projector, dir.resolve("mmproj.gguf"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(gguf, dir.resolve("model.gguf"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CreateRequest req = Modelfile.parse("FROM ./model.gguf\nFROM ./mmproj.gguf\n").toCreateRequest("eyes", dir,
                file -> store.importFile(file, ProgressListener.NONE));
        assertEquals(java.util.Set.of("model.gguf", "mmproj.gguf"), req.files().keySet());
        store.create(req, ProgressListener.NONE);

        ResolvedModel r = store.resolve("eyes");
        assertEquals(List.of(MediaTypes.MODEL, MediaTypes.PROJECTOR),
                r.manifest().layers().stream().map(Layer::mediaType).toList());
        assertArrayEquals(Files.readAllBytes(dir.resolve("mmproj.gguf")), Files.readAllBytes(r.projectorPaths().getFirst()));
        assertTrue(store.show("eyes", false).capabilities().contains(Capability.VISION));
        // Ollama's show writes the projector as a second FROM after the model's, so the Modelfile recreates it.
        String modelfile = store.show("eyes", false).modelfile();
        assertTrue(modelfile.contains("\nFROM " + r.modelPath() + "\nFROM " + r.projectorPaths().getFirst() + "\n"),
                modelfile);
        Modelfile again = Modelfile.parse(modelfile);
        CreateRequest recreate = again.toCreateRequest("eyes2", dir, file -> store.importFile(file, ProgressListener.NONE));
        store.create(recreate, ProgressListener.NONE);
        assertEquals(r.manifest().layers(), store.resolve("eyes2").manifest().layers());
    }

    @Test
    void createFromFilesWithProjectorAndAdapter() throws Exception {
        Digest model = store.importFile(gguf, ProgressListener.NONE);
        Digest projector = store.importFile(TestGgufs.projector(tmp.resolve("mmproj.gguf")), ProgressListener.NONE);
        Digest lora = store.importFile(TestGgufs.adapter(tmp.resolve("lora.gguf")), ProgressListener.NONE);
        store.create(CreateRequest.builder("vis").file("model.gguf", model).file("mmproj.gguf", projector)
                .adapter("lora.gguf", lora).build(), progress::add);
        ResolvedModel r = store.resolve("vis");
        assertEquals(List.of(MediaTypes.MODEL, MediaTypes.PROJECTOR, MediaTypes.ADAPTER),
                r.manifest().layers().stream().map(Layer::mediaType).toList());
        assertEquals(1, r.projectorPaths().size());
        assertEquals(1, r.adapterPaths().size());
        assertEquals(List.of("llama", "clip"), r.details().families());
        assertEquals(List.of(Capability.COMPLETION, Capability.INSERT, Capability.VISION),
                store.show("vis", false).capabilities());
        assertEquals("clip", store.show("vis", false).projectorInfo().get("general.architecture"));
        assertEquals(2, statuses().stream().filter(s -> s.equals("parsing GGUF")).count());
        assertTrue(store.show("vis", false).modelfile().contains("\nADAPTER " + r.adapterPaths().getFirst() + "\n"));
    }

    @Test
    void embeddingModelsAreRecognized() throws Exception {
        store.register("embed", TestGgufs.embedding(tmp.resolve("bert.gguf")), ProgressListener.NONE);
        assertEquals(List.of(Capability.EMBEDDING), store.show("embed", false).capabilities());
        assertEquals("bert", store.list().getFirst().details().family());
    }

    @Test
    void badCreateRequestsAreRefusedBeforeAnythingIsWritten() throws Exception {
        store.register("base", gguf, ProgressListener.NONE);
        Digest missing = Digest.parse("sha256:" + "0".repeat(64));
        assertEquals(400, assertThrows(InvalidRequestException.class, () -> store.create(
                CreateRequest.builder("x").from("base").parameter("temprature", 1).build(), ProgressListener.NONE))
                .httpStatus());
        assertThrows(InvalidRequestException.class, () -> store.create(
                CreateRequest.builder("x").from("base").parameter("num_ctx", "big").build(), ProgressListener.NONE));
        assertThrows(InvalidRequestException.class, () -> store.create(
                CreateRequest.builder("x").from("base").message("robot", "hi").build(), ProgressListener.NONE));
        assertThrows(InvalidRequestException.class, () -> store.create(
                CreateRequest.builder("x").build(), ProgressListener.NONE));
        assertThrows(InvalidRequestException.class, () -> store.create(
                CreateRequest.builder("x").from("base").quantize("iq2_xs").build(), ProgressListener.NONE));
        assertThrows(InvalidModelNameException.class, () -> store.create(
                CreateRequest.builder("../x").from("base").build(), ProgressListener.NONE));
        ModelNotFoundException notFound = assertThrows(ModelNotFoundException.class, () -> store.create(
                CreateRequest.builder("x").from("nope").build(), ProgressListener.NONE));
        assertEquals("model 'nope' not found", notFound.getMessage());
        assertEquals(400, assertThrows(BlobNotFoundException.class, () -> store.create(
                CreateRequest.builder("x").file("m.gguf", missing).build(), ProgressListener.NONE)).httpStatus());
        byte[] text = "not a gguf".getBytes(StandardCharsets.UTF_8);
        Digest notGguf = Digest.parse("sha256:" + sha256(text));
        assertTrue(store.putBlob(notGguf, new ByteArrayInputStream(text)));
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> store.create(
                CreateRequest.builder("x").file("m.gguf", notGguf).build(), ProgressListener.NONE));
        assertTrue(e.getMessage().contains("not in GGUF format"), e.getMessage());
        assertEquals(List.of("base:latest"), store.list().stream().map(ModelSummary::name).toList());
    }

    @Test
    void copyWritesAByteIdenticalManifest() throws Exception {
        store.register("tiny", gguf, ProgressListener.NONE);
        store.copy("tiny", "Me/Copy:V2");
        Path src = root.resolve("manifests/registry.ollama.ai/library/tiny/latest");
        Path dst = root.resolve("manifests/registry.ollama.ai/Me/Copy/V2");
        assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(dst));
        assertEquals(store.resolve("tiny").digest(), store.resolve("me/copy:v2").digest());
        // A later copy to the same name in other case replaces it under its first spelling.
        store.register("other", TestGgufs.embedding(tmp.resolve("e.gguf")), ProgressListener.NONE);
        store.copy("other", "me/copy:v2");
        assertTrue(Files.exists(dst));
        assertFalse(Files.exists(root.resolve("manifests/registry.ollama.ai/me/copy/v2")));
        assertEquals(store.resolve("other").digest(), store.resolve("ME/COPY:V2").digest());
        assertEquals(List.of("Me/Copy:V2", "other:latest", "tiny:latest"),
                store.list().stream().map(ModelSummary::name).toList());
        assertThrows(ModelNotFoundException.class, () -> store.copy("nope", "x"));
        assertThrows(InvalidModelNameException.class, () -> store.copy("tiny", "../../x"));
    }

    @Test
    void deletePrunesOnlyUnusedBlobs() throws Exception {
        store.register("a", gguf, ProgressListener.NONE);
        store.create(CreateRequest.builder("b").from("a").system("b's system").build(), ProgressListener.NONE);
        ResolvedModel b = store.resolve("b");
        Path system = b.modelPath().resolveSibling(
                b.manifest().layer(MediaTypes.SYSTEM).orElseThrow().digest().fileName());
        Path bConfig = b.modelPath().resolveSibling(b.manifest().config().digest().fileName());
        store.delete("B");
        assertFalse(Files.exists(system), "b's own layers are pruned");
        assertFalse(Files.exists(bConfig));
        assertTrue(Files.exists(b.modelPath()), "the model layer is still used by a");
        assertFalse(Files.exists(root.resolve("manifests/registry.ollama.ai/library/b")),
                "empty directories are removed");
        assertThrows(ModelNotFoundException.class, () -> store.resolve("b"));
        store.delete("a");
        try (Stream<Path> blobs = Files.list(root.resolve("blobs"))) {
            assertEquals(List.of(), blobs.toList());
        }
        assertTrue(Files.exists(gguf), "deleting a registered model never touches the original file");
        assertEquals(404, assertThrows(ModelNotFoundException.class, () -> store.delete("a")).httpStatus());
    }

    @Test
    void blobsAreVerifiedOnUpload() throws Exception {
        byte[] content = "hello blob".getBytes(StandardCharsets.UTF_8);
        Digest right = Digest.parse("sha256:" + sha256(content));
        Digest wrong = Digest.parse("sha256:" + "a".repeat(64));
        DigestMismatchException e = assertThrows(DigestMismatchException.class,
                () -> store.putBlob(wrong, new ByteArrayInputStream(content)));
        assertEquals(400, e.httpStatus());
        assertEquals(right, e.actual());
        assertFalse(store.hasBlob(wrong));
        try (Stream<Path> files = Files.list(root.resolve("blobs"))) {
            assertEquals(List.of(), files.toList(), "no temporary file is left behind");
        }
        assertTrue(store.putBlob(right, new ByteArrayInputStream(content)));
        assertFalse(store.putBlob(right, new ByteArrayInputStream(content)), "already there: 200, not 201");
        assertTrue(store.hasBlob(right));
        assertArrayEquals(content, Files.readAllBytes(store.blobPath(right).orElseThrow()));
    }

    @Test
    void staleTemporaryFilesOfDeadProcessesAreDeletedOnOpen() throws Exception {
        Path blobs = root.resolve("blobs");
        Path dead = Files.writeString(blobs.resolve(".tmp-2147483646-abc"), "half a blob");
        Path deadManifest = Files.createDirectories(root.resolve("manifests/h/n/m")).resolve(".tmp-2147483646-x");
        Files.writeString(deadManifest, "{");
        Path mine = Files.writeString(blobs.resolve(".tmp-" + ProcessHandle.current().pid() + "-abc"), "busy");
        ModelStore.open(root);
        assertFalse(Files.exists(dead));
        assertFalse(Files.exists(deadManifest));
        assertTrue(Files.exists(mine), "a live process's temporary file may be in use");
        assertEquals(List.of(), store.list(), "temporary manifests are never listed");
    }

    @Test
    void resolveIsCaseInsensitive() throws Exception {
        store.register("MixedCase:Tag", gguf, ProgressListener.NONE);
        assertEquals("MixedCase", store.resolve("mixedcase:tag").name().model());
        assertEquals(ModelName.parse("mixedcase:TAG"), store.resolve("MIXEDCASE:tag").name());
        assertThrows(ModelNotFoundException.class, () -> store.resolve("mixedcase:other"));
    }

    @Test
    void anOllamaStoreIsMergedReadOnly() throws Exception {
        Path ollamaRoot = tmp.resolve("ollama");
        ModelStore ollama = ModelStore.open(ollamaRoot);
        ollama.register("llama3.2:1b", gguf, ProgressListener.NONE);
        ollama.register("shadowed", gguf, ProgressListener.NONE);
        List<Path> before = listTree(ollamaRoot);

        ModelStore merged = ModelStore.builder(root).ollamaStore(ollamaRoot).open();
        merged.register("shadowed", TestGgufs.embedding(tmp.resolve("e.gguf")), ProgressListener.NONE);
        List<ModelSummary> list = merged.list();
        assertEquals(List.of("llama3.2:1b", "shadowed:latest"), list.stream().map(ModelSummary::name).toList());
        assertTrue(list.get(0).readOnly());
        assertFalse(list.get(1).readOnly(), "Puna's own model shadows the Ollama one");
        assertEquals("bert", list.get(1).details().family());
        ResolvedModel r = merged.resolve("llama3.2:1b");
        assertTrue(r.readOnly());
        assertTrue(r.modelPath().startsWith(ollamaRoot.toAbsolutePath()));
        assertEquals(403, assertThrows(ReadOnlyModelException.class, () -> merged.delete("llama3.2:1b"))
                .httpStatus());

        merged.copy("llama3.2:1b", "mine");
        ResolvedModel mine = merged.resolve("mine");
        assertTrue(mine.modelPath().startsWith(root.toAbsolutePath()));
        assertTrue(Files.isSameFile(mine.modelPath(), r.modelPath()), "blobs are hard-linked from Ollama's store");
        merged.create(CreateRequest.builder("derived").from("llama3.2:1b").system("s").build(),
                ProgressListener.NONE);
        assertEquals("s", merged.resolve("derived").system());
        merged.delete("mine");
        merged.delete("derived");
        assertEquals(before, listTree(ollamaRoot), "the Ollama store is never changed");
        assertTrue(Files.exists(r.modelPath()));
    }

    private static List<Path> listTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.sorted().toList();
        }
    }
}
