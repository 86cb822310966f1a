package dev.puna.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.puna.gguf.GgmlType;
import dev.puna.testkit.RegistryServer;
import dev.puna.testkit.TcpProxy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a process in the middle of a pull or a create: the store stays consistent, and the pull
 * resumes from what the killed process had downloaded.
 */
@Timeout(120) // a hung transfer must fail the build, not stall it
class KillTest {
    private static final long MIB = 1024 * 1024;

    @TempDir
    Path tmp;

    private Process child(String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), StoreChild.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("child.log").toFile()).start();
    }

    private void kill(Process process) throws Exception {
        process.destroyForcibly(); // SIGKILL: no shutdown hooks, no finally blocks
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, process.exitValue(), "killed by SIGKILL");
    }

    @Test
    void aPullKilledMidBlobResumesInTheNextProcess() throws Exception {
        try (RegistryServer registry = RegistryServer.start(tmp)) {
            Path weights = TestGgufs.tiny(tmp.resolve("w.gguf"), 2 * 1024 * 1024, w -> w.putString(
                    "general.architecture", "llama").putUInt32("general.file_type", 0));
            String name = registry.host() + "/test/kill:latest";
            ModelStore origin = ModelStore.open(tmp.resolve("origin"));
            origin.register(name, weights, ProgressListener.NONE);
            RegistryClient.create(origin, RegistryOptions.defaults()).push(PushRequest.of(name, true),
                    ProgressListener.NONE);
            Layer layer = origin.resolve(name).manifest().layers().getFirst();

            Path root = tmp.resolve("models");
            Path state = root.resolve("blobs/" + layer.digest().fileName() + "-partial.json");
            String viaProxy;
            try (TcpProxy slow = new TcpProxy(registry.port(), Long.MAX_VALUE, MIB / 2)) { // per connection
                viaProxy = slow.host() + "/test/kill:latest";
                Process process = child("pull", root.toString(), viaProxy);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (RegistryTest.completed(state) < 2 * MIB) {
                    if (!process.isAlive() || System.nanoTime() > deadline) {
                        process.destroyForcibly();
                        fail("the child pull did not get going: " + Files.readString(tmp.resolve("child.log")));
                    }
                    Thread.sleep(20);
                }
                kill(process);
            }

            long kept = RegistryTest.completed(state);
            assertTrue(kept >= 2 * MIB && kept < layer.size(), "kept " + kept);
            ModelStore store = ModelStore.open(root);
            assertEquals(List.of(), store.list(), "no manifest was written");
            assertThrows(ModelNotFoundException.class, () -> store.resolve(viaProxy));
            try (Stream<Path> files = Files.list(root.resolve("blobs"))) {
                assertEquals(List.of(layer.digest().fileName() + "-partial",
                        layer.digest().fileName() + "-partial.json"),
                        files.map(p -> p.getFileName().toString()).sorted().toList(),
                        "only the resumable download is left; temporary files of the dead process are gone");
            }

            try (TcpProxy counting = TcpProxy.counting(registry.port())) {
                String resumed = counting.host() + "/test/kill:latest";
                RegistryClient.create(store, RegistryOptions.builder().maxParts(4).partSize(MIB, MIB)
                        .retryBackoff(Duration.ofMillis(10)).build()).pull(PullRequest.of(resumed, true),
                        ProgressListener.NONE);
                long missing = layer.size() - kept;
                assertTrue(counting.bytesToClient() >= missing && counting.bytesToClient() <= missing + 64 * 1024,
                        "the resumed pull took %d bytes for %d missing".formatted(counting.bytesToClient(),
                                missing));
                assertArrayEquals(Files.readAllBytes(weights), Files.readAllBytes(store.resolve(resumed)
                        .modelPath()));
            }
            StoreConsistency.assertConsistent(store);
        }
    }

    @Test
    void aCreateKilledMidQuantizationLeavesTheStoreAsItWas() throws Exception {
        Path root = tmp.resolve("models");
        ModelStore before = ModelStore.open(root);
        before.register("base", TestGgufs.scripted(tmp.resolve("src"), GgmlType.F32), ProgressListener.NONE);
        before.create(CreateRequest.builder("target").from("base").system("old").build(), ProgressListener.NONE);
        String digest = before.resolve("target").digest();

        Path marker = tmp.resolve("quantizing");
        Process process = child("create", root.toString(), "base", "target", marker.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(marker)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                fail("the child create did not reach quantization: " + Files.readString(tmp.resolve("child.log")));
            }
            Thread.sleep(20);
        }
        try (Stream<Path> files = Files.list(root.resolve("blobs"))) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith(".tmp-" + process.pid())),
                    "the quantizer's output is a temporary file of the child");
        }
        kill(process);

        ModelStore after = ModelStore.open(root);
        assertEquals(digest, after.resolve("target").digest(), "the old model is intact");
        assertEquals("old", after.resolve("target").system());
        StoreConsistency.assertConsistent(after);
        assertFalse(after.list().isEmpty());
    }
}
