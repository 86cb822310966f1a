package dev.puna.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The client commands a user expects at once load none of the server: {@code puna --version}, {@code list},
 * {@code ps} and {@code show} run in a child JVM on the full class path (as {@code ./puna} runs them) against a
 * {@link FakeOllama}, with {@code -Xlog:class+load} writing every class the JVM loads to a file, and no class of
 * Vert.x, Netty, Log4j's core, the runtime, the bindings, the store or the state module is among them; of the
 * server module only {@code ListenAddress} (parsing {@code PUNA_HOST}). {@code serve --help} is the control: the
 * same check sees the server's classes there.
 */
class ClientClassLoadingTest {
    private static final Pattern LOADED = Pattern.compile("\\[class,load\\s*\\] (\\S+) source:");
    private static final Pattern SERVER = Pattern.compile("^(io\\.vertx|io\\.netty|org\\.apache\\.logging\\.log4j\\.core"
            + "|dev\\.puna\\.(runtime|bindings|store|state|gguf|testkit))\\..*|^dev\\.puna\\.http\\.(?!ListenAddress$).*");

    private static FakeOllama server;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws IOException {
        server = new FakeOllama();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"--version", "list", "ps", "show demo:latest", "show demo:latest --modelfile"})
    void loadsNoServerClass(String line) throws Exception {
        List<String> loaded = run(line.split(" "));
        assertTrue(loaded.contains("dev.puna.cli.Main"), "the log lists the classes loaded: " + loaded.size());
        List<String> server = loaded.stream().filter(c -> SERVER.matcher(c).matches()).toList();
        assertEquals(List.of(), server, "puna " + line + " loaded server classes");
    }

    @Test
    void theCheckSeesTheServerWhereItIsLoaded() throws Exception {
        List<String> loaded = run("serve", "--help");
        for (String c : List.of("dev.puna.http.PunaServer", "org.apache.logging.log4j.core.LoggerContext")) {
            assertTrue(loaded.contains(c) && SERVER.matcher(c).matches(), c);
        }
    }

    /** Runs {@code puna args} in a child JVM and returns the names of the classes it loaded. */
    private List<String> run(String... args) throws IOException, InterruptedException {
        Path log = dir.resolve("classes.log");
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-Xlog:class+load=info:file=" + log, "-cp", classPath, Main.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("output.txt").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("PUNA_"));
        pb.environment().put("PUNA_HOST", server.host());
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "puna " + String.join(" ", args) + " did not finish");
        String output = Files.readString(dir.resolve("output.txt"), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), output);
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            Matcher m = LOADED.matcher(line);
            if (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }
}
