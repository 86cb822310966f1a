package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.gguf.GgmlType;
import dev.puna.testkit.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The folder-of-GGUF-files catalog: Ollama's name defaults, digests and details read from the header. */
class GgufDirectoryCatalogTest {
    @TempDir
    Path dir;

    @Test
    void listsGgufFilesAsLatestTagsWithDigestsAndDetails() throws Exception {
        Path file = Files.move(TestModels.scripted(dir, GgmlType.Q8_0), dir.resolve("MyModel.gguf"));
        Files.writeString(dir.resolve("notes.txt"), "not a model");
        GgufDirectoryCatalog catalog = new GgufDirectoryCatalog(dir);
        List<CatalogModel> models = catalog.list();
        assertEquals(1, models.size());
        CatalogModel m = models.getFirst();
        assertEquals("mymodel:latest", m.name());
        assertEquals(file, m.path());
        assertEquals(Files.size(file), m.size());
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        assertEquals("sha256:" + sha, m.digest());
        assertEquals(new ModelDetails("", "gguf", "llama", List.of("llama"), m.details().parameterSize(), "Q8_0"),
                m.details());
        assertTrue(m.details().parameterSize().endsWith("K"), m.details().parameterSize());
    }

    @Test
    void resolvesNamesTheWayOllamaDoes() throws Exception {
        Files.move(TestModels.scripted(dir, GgmlType.F32), dir.resolve("tiny.gguf"));
        GgufDirectoryCatalog catalog = new GgufDirectoryCatalog(dir);
        for (String name : List.of("tiny", "TINY", "tiny:latest", "library/tiny", "registry.ollama.ai/library/tiny:latest")) {
            assertEquals("tiny:latest", catalog.find(name).orElseThrow().name(), name);
        }
        assertTrue(catalog.find("tiny:7b").isEmpty());
        assertTrue(catalog.find("other").isEmpty());
    }

    @Test
    void aMissingFolderIsEmptyAndACorruptFileIsLeftOut() throws Exception {
        assertEquals(List.of(), new GgufDirectoryCatalog(dir.resolve("absent")).list());
        Files.writeString(dir.resolve("broken.gguf"), "GGUF but not really");
        Files.move(TestModels.scripted(dir, GgmlType.F32), dir.resolve("good.gguf"));
        GgufDirectoryCatalog catalog = new GgufDirectoryCatalog(dir);
        assertEquals(List.of("good:latest"), catalog.list().stream().map(CatalogModel::name).toList());
        assertTrue(catalog.find("broken").isEmpty());
    }
}
