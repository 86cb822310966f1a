package dev.puna.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.gguf.GgmlType;
import dev.puna.http.PunaServer;
import dev.puna.http.ServerConfig;
import dev.puna.store.CreateRequest;
import dev.puna.store.Layer;
import dev.puna.store.Manifest;
import dev.puna.store.ModelStore;
import dev.puna.store.ProgressListener;
import dev.puna.store.PushRequest;
import dev.puna.store.RegistryClient;
import dev.puna.testkit.RegistryServer;
import dev.puna.testkit.TestModels;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI as a new user drives it, against a real in-process server (over a temporary store) and a real registry
 * (Debian's {@code docker-registry}) that already holds a model: pull, list, run (one-shot with a prompt, with
 * piped input, pulling a missing model, and the interactive chat), ps, stop, cp, rm, create -f, show, push, and
 * the one-line errors with their exit codes.
 */
@Timeout(300)
class CliEndToEndTest {
    @TempDir
    static Path dir;
    private static RegistryServer registry;
    private static PunaServer server;
    private static String remote;
    private static Manifest remoteManifest;

    @BeforeAll
    static void start() throws Exception {
        registry = RegistryServer.start(dir.resolve("registry"));
        // Someone published a model: a store of its own pushes it to the registry.
        ModelStore publisher = ModelStore.open(dir.resolve("publisher"));
        Path gguf = TestModels.scripted(dir.resolve("ggufs"), GgmlType.F32);
        remote = registry.host() + "/library/tiny:latest";
        publisher.register("tiny", gguf, ProgressListener.NONE);
        // Its TEMPLATE (ChatML, as Ollama's library writes it) shapes both `puna run` prompts and chats.
        publisher.create(CreateRequest.builder(remote).from("tiny").template("{{- range .Messages }}<|im_start|>"
                + "{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}<|im_start|>assistant\n")
                .parameter("temperature", 0).build(), ProgressListener.NONE);
        RegistryClient.create(publisher).push(PushRequest.of(remote, true), ProgressListener.NONE);
        remoteManifest = publisher.resolve(remote).manifest();

        ServerConfig config = ServerConfig.builder().port(0).contextLength(256).numParallel(2)
                .modelsDir(dir.resolve("models")).build();
        server = PunaServer.start(config, PunaServer.openStore(config));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    record Run(int exit, String out, String err) {
    }

    private static Run puna(String... args) {
        return puna(Map.of("PUNA_HOST", "127.0.0.1:" + server.port()), null, false, Clock.systemUTC(), args);
    }

    private static Run puna(Map<String, String> env, String stdin, boolean interactive, Clock clock, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        byte[] in = stdin == null ? new byte[0] : stdin.getBytes(StandardCharsets.UTF_8);
        CliEnvironment environment = new CliEnvironment(env, new ByteArrayInputStream(in), interactive || stdin == null,
                false, clock);
        int exit = Main.commandLine(environment).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static Run withClock(Instant now, String... args) {
        return puna(Map.of("PUNA_HOST", "127.0.0.1:" + server.port()), null, false,
                Clock.fixed(now, ZoneOffset.UTC), args);
    }

    private static JsonNode api(String path, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(server.url() + path));
        r = body == null ? r.GET() : r.POST(HttpRequest.BodyPublishers.ofString(body));
        String text = HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofString()).body();
        return ApiClient.JSON.readTree(text);
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }

    /** The progress lines a pull of the published model prints without a terminal. */
    private static String pullOutput() {
        StringBuilder sb = new StringBuilder("pulling manifest\n");
        for (Layer l : remoteManifest.blobs()) {
            sb.append(ProgressPrinter.render("pulling " + l.digest().shortHex(), l.size(), l.size())).append('\n');
        }
        return sb.append("verifying sha256 digest\nwriting manifest\nsuccess\n").toString();
    }

    @Test
    void aNewUserPullsListsRunsCopiesRemovesCreatesShowsStopsAndPushes() throws Exception {
        assertEquals(new Run(0, "NAME    ID    SIZE    MODIFIED\n", ""), puna("list"));

        Run pull = puna("pull", "--insecure", remote);
        assertEquals(new Run(0, "", pullOutput()), pull);

        JsonNode tag = api("/api/tags", null).get("models").get(0);
        Instant modified = OffsetDateTime.parse(tag.get("modified_at").asText()).toInstant();
        String id = tag.get("digest").asText().substring(0, 12);
        String size = HumanFormat.bytes(tag.get("size").asLong());
        int w = remote.length();
        assertEquals(new Run(0, pad("NAME", w) + "    ID              " + pad("SIZE", size.length()) + "    MODIFIED\n"
                + remote + "    " + id + "    " + size + "    3 minutes ago\n", ""),
                withClock(modified.plusSeconds(200), "ls"));

        assertEquals(new Run(0, TestModels.CHAT_COMPLETION + "\n", ""), puna("run", remote, "Hello"));
        assertEquals(new Run(0, TestModels.CHAT_COMPLETION + "\n", ""),
                puna(Map.of("PUNA_HOST", "127.0.0.1:" + server.port()), "Hello", false, Clock.systemUTC(), "run",
                        remote));

        JsonNode loaded = api("/api/ps", null).get("models").get(0);
        Instant expires = OffsetDateTime.parse(loaded.get("expires_at").asText()).toInstant();
        String loadedSize = HumanFormat.bytes(loaded.get("size").asLong());
        assertEquals(new Run(0, pad("NAME", w) + "    ID              " + pad("SIZE", loadedSize.length())
                + "    PROCESSOR    CONTEXT    UNTIL\n" + remote + "    " + id + "    " + loadedSize
                + "    100% CPU     256        4 minutes from now\n", ""), withClock(expires.minusSeconds(270), "ps"));
        assertEquals(new Run(0, "", ""), puna("stop", remote));
        assertEquals(new Run(0, "NAME    ID    SIZE    PROCESSOR    CONTEXT    UNTIL\n", ""), puna("ps"));

        assertEquals(new Run(0, "copied '" + remote + "' to 'mine'\n", ""), puna("cp", remote, "mine"));
        assertTrue(puna("list").out().contains("\nmine:latest "), puna("list").out());
        assertEquals(new Run(0, "deleted 'mine'\n", ""), puna("rm", "mine"));
        assertEquals(new Run(0, "deleted '" + remote + "'\n", ""), puna("rm", remote));
        assertEquals("NAME    ID    SIZE    MODIFIED\n", puna("list").out());

        // run pulls what the server does not have, then answers
        Run pulledByRun = puna("run", "--insecure", remote, "Hello");
        assertEquals(new Run(0, TestModels.CHAT_COMPLETION + "\n", pullOutput()), pulledByRun);

        // the interactive chat keeps going until /bye
        Run chat = puna(Map.of("PUNA_HOST", "127.0.0.1:" + server.port()), "Hello\n\nHow are you?\n/bye\n", true,
                Clock.systemUTC(), "run", remote);
        assertEquals(new Run(0, ">>> " + TestModels.CHAT_COMPLETION + "\n\n>>> >>> " + TestModels.CHAT_COMPLETION
                + "\n\n>>> ", ""), chat);
    }

    @Test
    void createFromAModelfileThenShowAndPush() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        Path gguf = Files.copy(TestModels.scripted(dir.resolve("ggufs"), GgmlType.F16), work.resolve("model.gguf"));
        Path modelfile = Files.writeString(work.resolve("Modelfile"), """
                # a counting model
                FROM ./model.gguf
                TEMPLATE {{ .Prompt }}
                SYSTEM \"""Be brief.\"""
                PARAMETER temperature 0
                PARAMETER num_predict 3
                LICENSE \"""MIT License
                Copyright (c) Puna
                Permission is granted.\"""
                """);
        Run create = puna("create", "counter", "-f", modelfile.toString());
        assertEquals(0, create.exit(), create.err());
        assertEquals("", create.out());
        List<String> lines = List.of(create.err().split("\n"));
        String digest = "sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest
                .getInstance("SHA-256").digest(Files.readAllBytes(gguf)));
        assertEquals(ProgressPrinter.render("copying file " + digest, Files.size(gguf), Files.size(gguf)),
                lines.getFirst());
        assertEquals("parsing GGUF", lines.get(1));
        List<String> layers = new ArrayList<>();
        for (JsonNode l : ApiClient.JSON.readTree(Files.readString(dir.resolve(
                "models/manifests/registry.ollama.ai/library/counter/latest"))).get("layers")) {
            layers.add(l.get("digest").asText());
        }
        assertEquals(layers.size() + 4, lines.size(), create.err());
        for (int i = 0; i < layers.size(); i++) {
            String line = lines.get(2 + i);
            assertTrue(line.equals("using existing layer " + layers.get(i))
                    || line.equals("creating new layer " + layers.get(i)), line);
        }
        assertEquals(List.of("writing manifest", "success"), lines.subList(lines.size() - 2, lines.size()));

        assertEquals(new Run(0, TestModels.countCompletion(3) + "\n", ""), puna("run", "counter",
                TestModels.COUNT_PROMPT));

        JsonNode show = api("/api/show", "{\"model\":\"counter\"}");
        JsonNode info = show.get("model_info");
        assertEquals(new Run(0, """
                  Model
                    architecture        llama
                    parameters          %s
                    context length      %s
                    embedding length    %s
                    quantization        F16

                  Capabilities
                    completion
                    insert

                  Parameters
                    num_predict    3
                    temperature    0

                  System
                    Be brief.

                  License
                    MIT License
                    Copyright (c) Puna
                    ...

                """.formatted(show.get("details").get("parameter_size").asText(),
                info.get("llama.context_length").asText(), info.get("llama.embedding_length").asText()), ""),
                puna("show", "counter"));
        assertEquals(new Run(0, "{{ .Prompt }}\n", ""), puna("show", "counter", "--template"));
        assertEquals(new Run(0, "Be brief.\n", ""), puna("show", "counter", "--system"));
        assertEquals(new Run(0, "MIT License\nCopyright (c) Puna\nPermission is granted.\n", ""),
                puna("show", "counter", "--license"));
        assertEquals(new Run(0, "num_predict                    3\ntemperature                    0\n", ""),
                puna("show", "counter", "--parameters"));
        assertEquals(new Run(0, show.get("modelfile").asText() + "\n", ""), puna("show", "counter", "--modelfile"));
        assertTrue(show.get("modelfile").asText().startsWith("# Modelfile generated by \"puna show\"\n"));

        String published = registry.host() + "/me/counter:v1";
        assertEquals(0, puna("cp", "counter", published).exit());
        Run push = puna("push", "--insecure", published);
        assertEquals(0, push.exit(), push.err());
        assertTrue(push.err().startsWith("retrieving manifest\npushing "), push.err());
        assertTrue(push.err().endsWith("\npushing manifest\nsuccess\n"), push.err());
        HttpResponse<String> manifest = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(registry.url() + "/v2/me/counter/manifests/v1")).header("Accept",
                "application/vnd.docker.distribution.manifest.v2+json").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, manifest.statusCode());
        assertEquals(Files.readString(dir.resolve("models/manifests/registry.ollama.ai/library/counter/latest")),
                manifest.body(), "the registry holds the same manifest");
    }

    @Test
    void errorsAreOneLineWithAnExitCode() throws Exception {
        assertEquals(new Run(1, "", "Error: model 'nope' not found\n"), puna("rm", "nope"));
        assertEquals(new Run(1, "", "Error: model 'nope' not found\n"), puna("show", "nope"));
        assertEquals(new Run(1, "", "Error: invalid model name '../x': the namespace must start with a letter, a "
                + "digit or '_'\n"), puna("cp", "../x", "y"));
        assertEquals(new Run(1, "", "Error: couldn't find model \"idle\" to stop\n"), puna("stop", "idle"));
        Path fromModel = Files.writeString(dir.resolve("FromModel.modelfile"), "FROM somebody/base\n");
        assertEquals(new Run(1, "", "Error: unsupported quantization type 'q3': supported types are q4_0, q4_1, "
                + "q5_0, q5_1, q8_0, q2_K, q3_K_S, q3_K_M, q3_K_L, q4_K_S, q4_K_M, q5_K_S, q5_K_M, q6_K\n"),
                puna("create", "x", "-f", fromModel.toString(), "-q", "q3"));
        assertEquals(new Run(1, "", "Error: model 'somebody/base' not found\n"),
                puna("create", "x", "-f", fromModel.toString()));

        Path missing = dir.resolve("no/Modelfile");
        assertEquals(new Run(1, "", "Error: no Modelfile at " + missing + "\n"),
                puna("create", "x", "-f", missing.toString()));
        Path bad = Files.writeString(dir.resolve("Bad.modelfile"), "FROM x\nPARAMETER nope 1\n");
        assertEquals(new Run(1, "", "Error: Bad.modelfile (line 2): unknown parameter 'nope'\n"),
                puna("create", "x", "-f", bad.toString()));
        Path noFile = Files.writeString(dir.resolve("NoFile.modelfile"), "FROM ./missing.gguf\n");
        assertEquals(new Run(1, "", "Error: NoFile.modelfile (line 1): FROM file not found: "
                + dir.resolve("missing.gguf") + "\n"), puna("create", "x", "-f", noFile.toString()));

        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        assertEquals(new Run(1, "", "Error: could not connect to a Puna server at http://127.0.0.1:" + closed
                + "; is it running? Start one with 'puna serve'\n"), puna(Map.of("PUNA_HOST", "127.0.0.1:" + closed),
                null, false, Clock.systemUTC(), "list"));
        Run badHost = puna(Map.of("PUNA_HOST", "exa mple:1"), null, false, Clock.systemUTC(), "ps");
        assertEquals(2, badHost.exit());
        assertEquals("Error: PUNA_HOST: invalid host 'exa mple' in 'exa mple:1'\n", badHost.err());
    }
}
