package dev.puna.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.store.Digest;
import dev.puna.store.InvalidDigestException;
import dev.puna.store.InvalidModelNameException;
import dev.puna.store.ModelName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each path builder of {@link StoreLayout} checks its own inputs, given raw (not through {@link ModelName} or
 * {@link Digest}): traversal, absolute paths, NUL, backslashes and URL-encoded dots are refused, with one message
 * that names no path and is the same whether the file the input points at exists or not.
 */
class StoreLayoutPathTest {
    private static final String HEX = "0123456789abcdef".repeat(4);

    @TempDir
    Path tmp;
    private StoreLayout layout;

    @BeforeEach
    void setUp() throws IOException {
        layout = new StoreLayout(tmp.resolve("store/models"));
        layout.createDirectories();
        Files.writeString(tmp.resolve("store/secret"), "outside the store");
    }

    static Stream<String> hostileParts() {
        return Stream.of("..", "../", "../..", "../../secret", ".", "./m", ".hidden", "/etc/passwd", "/abs", "a/b",
                "a/../b", "sha256:../../x", "m\u0000", "\u0000", "..\\..\\secret", "a\\b", "%2e%2e", "%2e%2e%2fsecret",
                "..%2f", "%2E%2E", "~", "~/m", "a b", " ", "", "-leading", "x".repeat(351), "m\n", "C:\\x");
    }

    private List<Path> tree() throws IOException {
        try (Stream<Path> files = Files.walk(tmp)) {
            return files.sorted().toList();
        }
    }

    @ParameterizedTest
    @MethodSource("hostileParts")
    void manifestPathRefusesAHostilePartInEveryPosition(String part) throws IOException {
        List<Path> before = tree();
        for (int position = 0; position < 4; position++) {
            String[] parts = {"registry.ollama.ai", "library", "m", "latest"};
            parts[position] = part;
            String shown = String.join("/", Arrays.copyOf(parts, 3)) + ":" + parts[3];
            InvalidModelNameException e = assertThrows(InvalidModelNameException.class,
                    () -> layout.manifestPath(parts[0], parts[1], parts[2], parts[3]), part);
            assertEquals(new InvalidModelNameException(shown, StoreLayout.NOT_IN_STORE).getMessage(), e.getMessage());
        }
        assertThrows(InvalidModelNameException.class, () -> layout.manifestPath(null, "library", "m", "latest"));
        assertEquals(before, tree(), "nothing created");
    }

    @ParameterizedTest
    @MethodSource("hostileParts")
    void blobBuildersRefuseAHostileDigest(String hex) throws IOException {
        List<Path> before = tree();
        for (String suffix : List.of("", "-partial", "-partial.json")) {
            for (String digest : hex.isEmpty() ? List.of("") : List.of(hex, HEX + hex, hex + HEX, "sha256:" + hex)) {
                InvalidDigestException e = assertThrows(InvalidDigestException.class,
                        () -> layout.blobFile(digest, suffix), digest);
                assertEquals(new InvalidDigestException("sha256:" + digest).getMessage(), e.getMessage());
            }
        }
        // The typed builders cannot even be handed such a digest: the record checks itself.
        assertThrows(InvalidDigestException.class, () -> new Digest(hex));
        assertThrows(InvalidDigestException.class, () -> Digest.parse("sha256:" + hex));
        assertEquals(before, tree(), "nothing created");
    }

    @Test
    void blobSuffixesAreAFixedSet() {
        for (String suffix : List.of("/../../secret", "-partial/..", ".json", "\u0000")) {
            assertThrows(IllegalArgumentException.class, () -> layout.blobFile(HEX, suffix));
        }
        assertThrows(InvalidDigestException.class, () -> layout.blobFile(null, ""));
        assertThrows(InvalidDigestException.class, () -> layout.blobFile(HEX.toUpperCase(), ""));
    }

    @Test
    void theRefusalIsTheSameWhetherTheTargetOutsideExistsOrNot() throws IOException {
        Files.writeString(tmp.resolve("store/models/exists"), "x");
        List<String> messages = new ArrayList<>();
        for (String target : List.of("secret", "no-such-file")) {
            messages.add(assertThrows(InvalidModelNameException.class,
                    () -> layout.manifestPath("..", "..", "..", target)).getMessage()
                    .replace(target, "<target>"));
            messages.add(assertThrows(InvalidModelNameException.class,
                    () -> layout.manifestPath("registry.ollama.ai", "..", "..", target)).getMessage()
                    .replace(target, "<target>").replace("registry.ollama.ai", ".."));
        }
        assertEquals(List.of("invalid model name '../../..:<target>': " + StoreLayout.NOT_IN_STORE,
                "invalid model name '../../..:<target>': " + StoreLayout.NOT_IN_STORE,
                "invalid model name '../../..:<target>': " + StoreLayout.NOT_IN_STORE,
                "invalid model name '../../..:<target>': " + StoreLayout.NOT_IN_STORE), messages);
        assertTrue(messages.stream().noneMatch(m -> m.contains(tmp.toString())), "no path in the message");
    }

    @Test
    void validInputsBuildThePathsOllamaUses() {
        Path models = tmp.resolve("store/models");
        assertEquals(models.resolve("manifests/localhost:5000/me/tiny/v1.0"),
                layout.manifestPath(ModelName.parse("localhost:5000/me/tiny:v1.0")));
        Digest d = new Digest(HEX);
        assertEquals(models.resolve("blobs/sha256-" + HEX), layout.blobPath(d));
        assertEquals(models.resolve("blobs/sha256-" + HEX + "-partial"), layout.partialPath(d));
        assertEquals(models.resolve("blobs/sha256-" + HEX + "-partial.json"), layout.partialStatePath(d));
        assertThrows(IllegalArgumentException.class, () -> StoreLayout.tempFile(models.resolve("blobs/..")));
        assertThrows(IllegalArgumentException.class, () -> StoreLayout.tempFile(Path.of("relative")));
        assertTrue(StoreLayout.tempFile(models.resolve("blobs")).getFileName().toString()
                .startsWith(StoreLayout.TEMP_PREFIX));
    }
}
