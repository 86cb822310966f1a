package dev.puna.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link QuickCommands} parses the plain forms of {@code --version}, {@code list}, {@code ps} and {@code show}
 * without picocli: for each, its output, error output and exit code are exactly picocli's, and every other form is
 * left to picocli.
 */
class QuickCommandsTest {
    private static FakeOllama server;

    @BeforeAll
    static void start() throws IOException {
        server = new FakeOllama();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Output, error output and exit code of one run. */
    record Run(int exit, String out, String err) {
    }

    private static CliEnvironment environment() {
        return new CliEnvironment(Map.of("PUNA_HOST", server.host()), new ByteArrayInputStream(new byte[0]), false,
                false, Clock.fixed(Instant.parse("2026-01-02T05:04:05Z"), ZoneOffset.UTC));
    }

    private static Run quick(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Integer exit = QuickCommands.run(QuickCommandsTest::environment, new PrintWriter(out, true),
                new PrintWriter(err, true), args);
        assertNotNull(exit, () -> String.join(" ", args) + " should be a quick command");
        return new Run(exit, out.toString(), err.toString());
    }

    private static Run picocli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.commandLine(environment()).setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true)).execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--version", "-V", "list", "ls", "ps", "show demo:latest", "show demo:latest --modelfile",
            "show --parameters demo:latest", "show demo:latest --template", "show demo:latest --system",
            "show demo:latest --license", "show demo:latest --system --license", "show nope"})
    void printsWhatPicocliPrints(String line) {
        String[] args = line.split(" ");
        Run quick = quick(args);
        assertEquals(picocli(args), quick);
        assertTrue(!quick.out().isEmpty() || !quick.err().isEmpty(), line + " printed nothing");
    }

    @Test
    void theTablesAreTheServersModels() {
        assertEquals("NAME           ID              SIZE      MODIFIED\n"
                + "demo:latest    7d70b52087c5    161 KB    2 hours ago\n", quick("list").out());
        assertEquals(new Run(1, "", "Error: model 'nope' not found\n"), quick("show", "nope"));
        // the fake server reports half of 8550208 bytes in VRAM
        assertTrue(quick("ps").out().contains("    50%/50% CPU/GPU    "), quick("ps").out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "--help", "list --help", "ls -h", "list x", "ps -V", "show", "show a b",
            "show --modelfile --modelfile a", "show -h a", "show --system=true a", "show @args", "show -- a",
            "run demo", "serve", "--version --help"})
    void leavesEveryOtherFormToPicocli(String line) {
        String[] args = line.isEmpty() ? new String[0] : line.split(" ");
        assertNull(QuickCommands.run(QuickCommandsTest::environment, new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()), args), line);
    }
}
