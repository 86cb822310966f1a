package dev.puna.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.http.PunaServer;
import dev.puna.http.ServerConfig;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against a server that requires an API key: PUNA_API_KEY is sent; without it the error says so. */
@Timeout(120)
class CliApiKeyTest {
    private static final String KEY = "sk-cli-test-key";
    @TempDir
    static Path dir;
    private static PunaServer server;

    @BeforeAll
    static void start() {
        ServerConfig config = ServerConfig.builder().port(0).modelsDir(dir.resolve("models")).apiKeys(List.of(KEY))
                .build();
        server = PunaServer.start(config, PunaServer.openStore(config));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run puna(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CliEnvironment environment = new CliEnvironment(env, new ByteArrayInputStream(new byte[0]), false, false,
                Clock.systemUTC());
        int exit = Main.commandLine(environment).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void listSendsTheKey() {
        Run r = puna(Map.of("PUNA_HOST", "127.0.0.1:" + server.port(), "PUNA_API_KEY", KEY), "list");
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
        assertTrue(r.out().startsWith("NAME"), r.out());
    }

    @Test
    void withoutTheKeyTheErrorSaysWhatToSet() {
        Run r = puna(Map.of("PUNA_HOST", "127.0.0.1:" + server.port()), "list");
        assertEquals(1, r.exit());
        assertEquals("Error: the Puna server at http://127.0.0.1:" + server.port() + " refused the request (missing "
                + "API key: send it as 'Authorization: Bearer <key>' (or 'x-api-key: <key>')): it requires an API "
                + "key; set PUNA_API_KEY" + System.lineSeparator(), r.err());
        Run wrong = puna(Map.of("PUNA_HOST", "127.0.0.1:" + server.port(), "PUNA_API_KEY", "sk-wrong"), "ps");
        assertEquals(1, wrong.exit());
        assertEquals("Error: the Puna server at http://127.0.0.1:" + server.port() + " refused the request (invalid "
                + "API key): check PUNA_API_KEY" + System.lineSeparator(), wrong.err());
    }
}
