package dev.puna.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.puna.state.DatabaseUrl.Backend;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code kill -9} of a process in the middle of writing: every transaction it committed is there, none is there in
 * part (the thread's count always equals its messages), and the database opens again for more writes.
 */
@Timeout(180)
class CrashTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Backend.class)
    void killedWriterLeavesEachTransactionWholeOrAbsent(Backend backend) throws Exception {
        DatabaseUrl url = Databases.fresh(backend, dir, "crash");
        String thread = Ids.next("thread");
        try (StateStore store = StateStore.open(url)) {
            store.write(tx -> {
                tx.insert(Collection.THREADS, Document.of(thread, null, new ObjectMapper().createObjectNode()
                        .put("count", 0)));
                return null;
            });
        }
        for (int round = 0; round < 3; round++) {
            Process p = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                    System.getProperty("java.class.path"), "-Dorg.sqlite.tmpdir=" + System.getProperty("org.sqlite.tmpdir"),
                    CrashWriter.class.getName(), url.backend() == Backend.SQLITE ? "sqlite:" + url.jdbcUrl()
                            .substring("jdbc:sqlite:".length()) : urlOf(url), thread))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            long committed = 0;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                // Kill it while it writes: after some commits, at a moment that differs from round to round.
                while ((line = out.readLine()) != null) {
                    committed = Long.parseLong(line.strip());
                    if (committed >= 20 + round * 37) {
                        p.destroyForcibly(); // SIGKILL
                        break;
                    }
                }
            }
            p.waitFor();
            assertTrue(committed >= 20, "the writer committed " + committed);
            try (StateStore store = StateStore.open(url)) {
                int count = store.read(tx -> tx.get(Collection.THREADS, null, thread)).orElseThrow().body()
                        .get("count").asInt();
                int messages = store.<Integer>read(tx -> tx.count(Collection.MESSAGES, thread));
                assertEquals(count, messages, "a transaction was torn apart");
                assertTrue(count >= committed, count + " rows after " + committed + " reported commits");
            }
        }
    }

    /** The postgresql:// URL of a test database (its JDBC form carries the user as a parameter). */
    private static String urlOf(DatabaseUrl url) {
        return url.toString();
    }
}
