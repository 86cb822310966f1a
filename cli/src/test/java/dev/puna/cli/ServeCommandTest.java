package dev.puna.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code puna serve} through picocli: settings from the environment, the store in {@code PUNA_MODELS}, the address it
 * logs, a demo generation.
 */
@Timeout(120)
class ServeCommandTest {
    @TempDir
    Path dir;

    @Test
    void servesTheDemoModelOnTheAddressItLogs() throws Exception {
        ServeCommand serve = new ServeCommand();
        serve.environment = () -> Map.of("PUNA_HOST", "127.0.0.1:0", "PUNA_MODELS", dir.toString(),
                "PUNA_CONTEXT_LENGTH", "256");
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(serve).setErr(new PrintWriter(err, true))
                .setExecutionExceptionHandler(new ErrorHandler());
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cmd.execute("--demo"));
        Matcher m = Pattern.compile("puna: listening on (http://127\\.0\\.0\\.1:\\d+) \\(models: ").matcher("");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!m.reset(err.toString()).find()) {
            assertTrue(System.nanoTime() < deadline && !exit.isDone(), "no address logged: " + err);
            Thread.sleep(20);
        }
        String url = m.group(1);
        try {
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url + "/api/generate"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"puna-demo\",\"prompt\":\"Hello\","
                            + "\"raw\":true,\"stream\":false,\"options\":{\"temperature\":0}}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"response\":\" world from Puna!\""), r.body());
            HttpResponse<String> tags = client.send(HttpRequest.newBuilder(URI.create(url + "/api/tags")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(tags.body().contains("\"name\":\"puna-demo:latest\""), tags.body());
            assertTrue(java.nio.file.Files.isRegularFile(dir.resolve(
                    "manifests/registry.ollama.ai/library/puna-demo/latest")), "registered in PUNA_MODELS");
        } finally {
            serve.stop();
        }
        assertEquals(0, exit.get(30, TimeUnit.SECONDS));
    }

    @Test
    void anInvalidSettingStopsStartupWithTheVariableNamed() {
        ServeCommand serve = new ServeCommand();
        serve.environment = () -> Map.of("PUNA_NUM_PARALLEL", "lots");
        StringWriter err = new StringWriter();
        int exit = new CommandLine(serve).setErr(new PrintWriter(err, true))
                .setExecutionExceptionHandler(new ErrorHandler()).execute();
        assertEquals(2, exit);
        assertEquals("Error: PUNA_NUM_PARALLEL: invalid value 'lots': expected a whole number"
                + System.lineSeparator(), err.toString());
    }

    @Test
    void anAddressInUseIsAClearError() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            ServeCommand serve = new ServeCommand();
            serve.environment = () -> Map.of("PUNA_HOST", "127.0.0.1:" + taken.getLocalPort(),
                    "PUNA_MODELS", dir.toString());
            StringWriter err = new StringWriter();
            int exit = new CommandLine(serve).setErr(new PrintWriter(err, true))
                    .setExecutionExceptionHandler(new ErrorHandler()).execute();
            assertEquals(2, exit);
            assertTrue(err.toString().startsWith("Error: PUNA_HOST: cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + ": "), err.toString());
        }
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run run(Map<String, String> env, String... args) {
        ServeCommand serve = new ServeCommand();
        serve.environment = () -> env;
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(serve).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .setExecutionExceptionHandler(new ErrorHandler()).execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void printConfigShowsEachValueAndItsSourceThenExits() throws Exception {
        Path conf = dir.resolve("puna.conf");
        java.nio.file.Files.writeString(conf, "# test\nPUNA_MAX_QUEUE=7\nPUNA_NUM_PARALLEL=2\n");
        Run r = run(Map.of("PUNA_NUM_PARALLEL", "6", "PUNA_KEEP_ALIVE", "1h", "XDG_CONFIG_HOME", dir.toString()),
                "--config", conf.toString(), "--print-config", "--keep-alive", "2h");
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
        java.util.List<String> lines = r.out().lines().toList();
        assertEquals("# config file: " + conf, lines.get(0));
        assertTrue(lines.stream().anyMatch(l -> l.matches("PUNA_KEEP_ALIVE=2h +# flag --keep-alive")), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("PUNA_NUM_PARALLEL=6 +# env")), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("PUNA_MAX_QUEUE=7 +# file " + Pattern.quote(conf + ":2"))),
                r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("PUNA_MAX_LOADED_MODELS=3 +# default")), r.out());
        assertEquals(dev.puna.http.Settings.all().size() + 1, lines.size(), r.out());
    }

    @Test
    void theUsersConfigFileIsReadWithoutConfig() throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("puna"));
        java.nio.file.Files.writeString(dir.resolve("puna/puna.conf"), "PUNA_MAX_QUEUE=5\n");
        Run r = run(Map.of("XDG_CONFIG_HOME", dir.toString()), "--print-config");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("# config file: " + dir.resolve("puna/puna.conf") + "\n"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("PUNA_MAX_QUEUE=5 +# file .*puna.conf:1")), r.out());
    }

    @Test
    void anUnknownKeyInTheConfigFileStopsStartup() throws Exception {
        Path conf = dir.resolve("bad.conf");
        java.nio.file.Files.writeString(conf, "PUNA_MAX_QUEUE=5\nPUNA_MAX_QUEUES=6\n");
        Run r = run(Map.of("PUNA_MODELS", dir.toString()), "--config", conf.toString());
        assertEquals(2, r.exit());
        assertEquals("Error: PUNA_MAX_QUEUES: unknown setting (in " + conf + ", line 2)" + System.lineSeparator(),
                r.err());
    }

    @Test
    void aBadValueInTheConfigFileStopsStartupWithTheSettingAndLineNamed() throws Exception {
        Path conf = dir.resolve("bad.conf");
        java.nio.file.Files.writeString(conf, "PUNA_NUM_PARALLEL=lots\n");
        Run r = run(Map.of("PUNA_MODELS", dir.toString()), "--config", conf.toString());
        assertEquals(2, r.exit());
        assertEquals("Error: PUNA_NUM_PARALLEL: invalid value 'lots' (in " + conf + ":1): expected a whole number"
                + System.lineSeparator(), r.err());
        Run missing = run(Map.of(), "--config", dir.resolve("none.conf").toString());
        assertEquals(2, missing.exit());
        assertTrue(missing.err().startsWith("Error: --config: cannot read '" + dir.resolve("none.conf") + "'"),
                missing.err());
    }

    @Test
    void everySettingHasAFlagInTheHelp() {
        Run r = run(Map.of(), "--help");
        assertEquals(0, r.exit());
        for (dev.puna.http.Setting s : dev.puna.http.Settings.all()) {
            assertTrue(r.out().contains(s.flag() + "=VALUE"), s.flag() + " in " + r.out());
            assertTrue(r.out().contains(s.name()), s.name());
        }
    }
}
