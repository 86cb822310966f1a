package dev.puna.http.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.puna.gguf.GgmlType;
import dev.puna.runtime.Model;
import dev.puna.testkit.TestModels;
import dev.puna.testkit.Vocabulary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the vocabulary routes' work runs: on a loaded model while it stays open, else on the file's vocabulary. */
class VocabulariesTest {
    private static final Vocabulary VOCAB = TestModels.vocabulary();
    @TempDir
    static Path dir;
    private static Path file;

    @BeforeAll
    static void write() throws Exception {
        file = TestModels.scripted(dir, GgmlType.F32);
    }

    @Test
    void aLoadedModelDoesTheWorkItself() {
        try (Model loaded = Model.load(file)) {
            assertSame(loaded, Vocabularies.apply(loaded, file, m -> m));
        }
    }

    @Test
    void workAClosingModelCutShortIsDoneAgainOnTheFilesVocabulary() {
        Model loaded = Model.load(file);
        loaded.close(); // as when its keep-alive ends between the lookup and the work
        List<Model> ranOn = new ArrayList<>();
        int[] tokens = Vocabularies.apply(loaded, file, m -> {
            ranOn.add(m);
            return m.tokenize("Hello world", false, false);
        });
        assertArrayEquals(new int[] {VOCAB.id("▁Hello"), VOCAB.id("▁world")}, tokens);
        assertEquals(2, ranOn.size());
        assertSame(loaded, ranOn.getFirst());
    }

    @Test
    void withoutALoadedModelTheFilesVocabularyIsRead() {
        int[] tokens = Vocabularies.apply(null, file, m -> m.tokenize("Hello world", false, false));
        assertArrayEquals(new int[] {VOCAB.id("▁Hello"), VOCAB.id("▁world")}, tokens);
    }
}
