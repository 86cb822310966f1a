package dev.puna.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.gguf.GgmlType;
import dev.puna.testkit.RegistryServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Many threads creating, copying, pulling, deleting and reading the same name never leave a half state. */
@Timeout(120) // a hung transfer must fail the build, not stall it
class ConcurrencyTest {
    @TempDir
    Path tmp;

    @Test
    void createCopyDeleteAndReadTheSameName() throws Exception {
        ModelStore store = ModelStore.open(tmp.resolve("models"));
        store.register("base", TestGgufs.scripted(tmp.resolve("src"), GgmlType.F32), ProgressListener.NONE);
        store.register("other", TestGgufs.embedding(tmp.resolve("e.gguf")), ProgressListener.NONE);
        Set<String> systems = ConcurrentHashMap.newKeySet();
        AtomicBoolean writing = new AtomicBoolean(true);
        List<String> observed = new ArrayList<>();
        int writers = 6;
        ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
        CyclicBarrier start = new CyclicBarrier(writers);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < writers; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                Random random = new Random(thread);
                start.await();
                for (int i = 0; i < 40; i++) {
                    switch (random.nextInt(4)) {
                        case 0, 1 -> {
                            String system = "system " + thread + "/" + i;
                            systems.add(system);
                            store.create(CreateRequest.builder("same").from(random.nextBoolean() ? "base" : "other")
                                    .system(system).parameter("seed", i).build(), ProgressListener.NONE);
                        }
                        case 2 -> store.copy(random.nextBoolean() ? "base" : "other", "same");
                        default -> {
                            try {
                                store.delete("same");
                            } catch (ModelNotFoundException e) {
                                // deleted by another thread first
                            }
                        }
                    }
                }
                return null;
            }));
        }
        for (int r = 0; r < 2; r++) {
            pool.submit(() -> {
                while (writing.get()) {
                    try {
                        ResolvedModel m = store.resolve("same");
                        // a complete model: every layer readable, its system one that some create wrote (or none)
                        assertTrue(m.system() == null || systems.contains(m.system()), m.system());
                        assertTrue(Files.size(m.modelPath()) > 0);
                        synchronized (observed) {
                            observed.add(m.digest());
                        }
                    } catch (ModelNotFoundException e) {
                        // between a delete and the next create
                    }
                }
                return null;
            });
        }
        try {
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            writing.set(false);
            pool.shutdown();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        assertTrue(observed.size() > 10, "the readers saw models while the writers worked: " + observed.size());
        StoreConsistency.assertConsistent(store);
        assertEquals(Set.of("base:latest", "other:latest"), Set.copyOf(store.list().stream()
                .map(ModelSummary::name).filter(n -> !n.equals("same:latest")).toList()));
    }

    @Test
    void parallelPullsAndDeletesOfTheSameName() throws Exception {
        try (RegistryServer registry = RegistryServer.start(tmp)) {
            Path weights = TestGgufs.tiny(tmp.resolve("w.gguf"), 512 * 1024, w -> w.putString(
                    "general.architecture", "llama").putUInt32("general.file_type", 0));
            String name = registry.host() + "/test/race:latest";
            ModelStore origin = ModelStore.open(tmp.resolve("origin"));
            origin.register(name, weights, ProgressListener.NONE);
            RegistryOptions options = RegistryOptions.builder().partSize(256 * 1024, 256 * 1024).maxParts(4)
                    .retryBackoff(Duration.ofMillis(10)).build();
            RegistryClient.create(origin, options).push(PushRequest.of(name, true), ProgressListener.NONE);
            origin.copy(name, name.replace("race", "race2"));
            RegistryClient.create(origin, options).push(PushRequest.of(name.replace("race", "race2"), true),
                    ProgressListener.NONE);

            ModelStore store = ModelStore.open(tmp.resolve("models"));
            RegistryClient client = RegistryClient.create(store, options);
            ExecutorService pool = Executors.newFixedThreadPool(6);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 6; i++) {
                        if ((thread + i) % 3 == 0) {
                            try {
                                store.delete(name);
                            } catch (ModelNotFoundException e) {
                                // not there (yet, or any more)
                            }
                        } else {
                            // the same blobs under two names: one download per blob at a time
                            client.pull(PullRequest.of(thread % 2 == 0 ? name : name.replace("race", "race2"),
                                    true), ProgressListener.NONE);
                        }
                    }
                    return null;
                }));
            }
            pool.shutdown();
            assertTrue(pool.awaitTermination(120, TimeUnit.SECONDS));
            for (Future<?> f : futures) {
                f.get();
            }
            StoreConsistency.assertConsistent(store);
            client.pull(PullRequest.of(name, true), ProgressListener.NONE);
            assertArrayEquals(Files.readAllBytes(weights), Files.readAllBytes(store.resolve(name).modelPath()));
            StoreConsistency.assertConsistent(store);
        }
    }
}
