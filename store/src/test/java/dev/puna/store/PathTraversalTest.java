package dev.puna.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.gguf.GgmlType;
import dev.puna.store.internal.StoreLayout;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** No model name or digest, however crafted, makes the store read or write outside its directory. */
class PathTraversalTest {
    @TempDir
    Path tmp;
    Path root;
    ModelStore store;
    Path model;

    @BeforeEach
    void setUp() throws IOException {
        root = tmp.resolve("store/models");
        store = ModelStore.open(root);
        model = TestGgufs.scripted(tmp.resolve("src"), GgmlType.F32);
        store.register("victim", model, ProgressListener.NONE);
        Files.writeString(tmp.resolve("store/secret"), "outside the store");
    }

    private List<Path> tree() throws IOException {
        try (Stream<Path> files = Files.walk(tmp)) {
            return files.sorted().toList();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "../secret", "../../store/secret", "/etc/passwd", "/tmp/x", "a/../../secret",
        "ns/..%2f..%2fsecret", "..%2f..%2fsecret", "%2e%2e/secret", "..\\..\\secret", "ns\\..\\m",
        "m\u0000.gguf", "victim\u0000", "victim:latest/../../x", "h/../m", "h/ns/../m", "./victim", "~/victim",
        "registry.ollama.ai/library/..", "registry.ollama.ai/../library/victim", "victim:..", "victim:.hidden"})
    void craftedNamesNeverReachAFile(String name) throws IOException {
        List<Path> before = tree();
        assertThrows(InvalidModelNameException.class, () -> store.resolve(name));
        assertThrows(InvalidModelNameException.class, () -> store.show(name, true));
        assertThrows(InvalidModelNameException.class, () -> store.delete(name));
        assertThrows(InvalidModelNameException.class, () -> store.copy("victim", name));
        assertThrows(InvalidModelNameException.class, () -> store.copy(name, "x"));
        assertThrows(InvalidModelNameException.class,
                () -> store.create(CreateRequest.builder(name).from("victim").build(), ProgressListener.NONE));
        assertThrows(InvalidModelNameException.class,
                () -> store.create(CreateRequest.builder("x").from(name).build(), ProgressListener.NONE));
        assertThrows(InvalidModelNameException.class, () -> store.register(name, model, ProgressListener.NONE));
        assertEquals(before, tree(), "nothing was created, moved or deleted");
        assertEquals("outside the store", Files.readString(tmp.resolve("store/secret")));
    }

    @Test
    void overLongPartsAreRefused() {
        for (String name : List.of("m".repeat(81), "n".repeat(81) + "/m", "h".repeat(351) + "/n/m",
                "m:" + "t".repeat(81), "x".repeat(4096))) {
            assertThrows(InvalidModelNameException.class, () -> store.resolve(name));
            assertThrows(InvalidModelNameException.class,
                    () -> store.create(CreateRequest.builder(name).from("victim").build(), ProgressListener.NONE));
        }
    }

    @Test
    void craftedDigestsNeverReachAFile() {
        for (String digest : List.of("sha256:../../secret", "sha256-..%2f..%2fsecret", "sha256:" + "a".repeat(63)
                + "/", "sha256:" + "a".repeat(64) + "/../../secret", "../secret", "sha256:\u0000",
                "sha256\\..\\secret")) {
            assertThrows(InvalidDigestException.class, () -> store.putBlob(Digest.parse(digest),
                    new ByteArrayInputStream(new byte[0])), digest);
        }
    }

    @Test
    void aManifestWithACraftedDigestIsRefusedNotFollowed() throws IOException {
        Path manifest = root.resolve("manifests/registry.ollama.ai/library/evil/latest");
        Files.createDirectories(manifest.getParent());
        Files.writeString(manifest, "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution."
                + "manifest.v2+json\",\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\","
                + "\"digest\":\"sha256:../../secret\",\"size\":1},\"layers\":[]}");
        CorruptModelException e = assertThrows(CorruptModelException.class, () -> store.resolve("evil"));
        assertTrue(e.getMessage().contains("invalid digest"), e.getMessage());
        assertEquals(List.of("victim:latest"), store.list().stream().map(ModelSummary::name).toList(),
                "a corrupt manifest is left out of the listing");
        assertThrows(CorruptModelException.class, () -> store.copy("evil", "copy"));
        store.delete("evil");
        assertThrows(ModelNotFoundException.class, () -> store.resolve("evil"));
        assertEquals("outside the store", Files.readString(tmp.resolve("store/secret")));
    }

    @Test
    void everyValidNameMapsInsideTheStore() {
        String first = "abcXYZ019_";
        String rest = first + "-.";
        Random random = new Random(42);
        StoreLayout layout = new StoreLayout(root);
        for (int i = 0; i < 5000; i++) {
            String host = part(random, first, rest + ":", 1 + random.nextInt(20));
            String ns = part(random, first, first + "-", 1 + random.nextInt(10));
            String m = part(random, first, rest, 1 + random.nextInt(10));
            String tag = part(random, first, rest, 1 + random.nextInt(10));
            ModelName name = ModelName.parse(host + "/" + ns + "/" + m + ":" + tag);
            Path path = layout.manifestPath(name);
            assertTrue(path.startsWith(root.resolve("manifests")), path::toString);
            assertEquals(root.resolve("manifests").getNameCount() + 4, path.getNameCount(), path::toString);
        }
    }

    private static String part(Random random, String first, String rest, int length) {
        StringBuilder s = new StringBuilder().append(first.charAt(random.nextInt(first.length())));
        for (int i = 1; i < length; i++) {
            s.append(rest.charAt(random.nextInt(rest.length())));
        }
        return s.toString();
    }
}
