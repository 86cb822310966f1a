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
}
