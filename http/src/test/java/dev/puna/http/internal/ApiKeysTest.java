package dev.puna.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The key set: file lines trimmed, blank and # lines skipped, re-read on change and on a real SIGHUP. */
@Timeout(60)
class ApiKeysTest {
    @TempDir
    Path dir;

    @Test
    void fixedAndFileKeys() throws Exception {
        Path file = dir.resolve("keys");
        Files.writeString(file, "\n  sk-a \t\n# sk-b\n\r\nsk-c\r\n");
        ApiKeys keys = ApiKeys.of(List.of("sk-env"), file);
        assertTrue(keys.enabled());
        assertEquals(3, keys.count());
        for (String k : List.of("sk-env", "sk-a", "sk-c")) {
            assertTrue(keys.accepts(k), k);
        }
        for (String k : List.of("sk-b", "# sk-b", " sk-a", "sk-", "", "sk-envx")) {
            assertFalse(keys.accepts(k), k);
        }
        assertFalse(keys.accepts(null));
        assertFalse(ApiKeys.of(List.of(), null).enabled());
        ApiKeys emptyFile = ApiKeys.of(List.of(), Files.writeString(dir.resolve("empty"), "# none yet\n"));
        assertTrue(emptyFile.enabled(), "an empty key file still locks the server");
        assertFalse(emptyFile.accepts("# none yet"));
    }

    @Test
    void aChangedFileIsReReadAndAVanishedOneKeepsTheKeys() throws Exception {
        Path file = dir.resolve("keys");
        Files.writeString(file, "sk-1\n");
        ApiKeys keys = ApiKeys.of(List.of(), file);
        keys.reloadIfChanged();
        assertTrue(keys.accepts("sk-1"));
        Files.writeString(file, "sk-2\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5000));
        keys.reloadIfChanged();
        assertTrue(keys.accepts("sk-2"));
        assertFalse(keys.accepts("sk-1"));
        Files.delete(file);
        keys.reloadIfChanged();
        keys.reload();
        assertTrue(keys.accepts("sk-2"), "a failed re-read keeps the keys read before");
    }

    @Test
    void sighupReReadsTheFile() throws Exception {
        Path file = dir.resolve("keys");
        Files.writeString(file, "sk-before\n");
        ApiKeys keys = ApiKeys.of(List.of(), file);
        keys.reloadOnSignal();
        try {
            Files.writeString(file, "sk-after\n");
            Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(ProcessHandle.current().pid()))
                    .inheritIO().start();
            assertEquals(0, kill.waitFor());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!keys.accepts("sk-after")) {
                assertTrue(System.nanoTime() < deadline, "SIGHUP did not re-read the key file");
                Thread.sleep(20);
            }
            assertFalse(keys.accepts("sk-before"));
        } finally {
            keys.stopReloading();
        }
    }
}
